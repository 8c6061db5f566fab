"""Redacted forms of values, for evidence a person reads: 김*준, 010-****-5678.

Redaction works from the parsed value, never by trimming raw text, so whatever was
around the value in the page (other people's data) cannot leak into evidence.
"""

from __future__ import annotations

from functools import lru_cache

from matcher.fields import ParsedRow
from matcher.normalize import Address, Email, Name, Phone


def redact_name(name: Name) -> str:
    return _redact_parts(name.parts)


@lru_cache(maxsize=65536)
def _redact_parts(raw: tuple[str | None, ...]) -> str:
    parts = ["*" if p is None else p for p in raw]
    if any(len(p) > 1 for p in parts):  # Latin tokens: initials only
        return " ".join(p[0] + "*" * (len(p) - 1) for p in parts)
    if len(parts) == 2:
        return parts[0] + "*"
    return parts[0] + "*" * (len(parts) - 2) + parts[-1]


def redact_phone(phone: Phone) -> str:
    last = phone.last4
    if last is None:
        q = phone.quarters
        last = (q[2] or "**") + (q[3] or "**") if q[2] or q[3] else "****"
    if phone.e164 and not phone.e164.startswith("+8210"):
        return phone.e164[:4] + "*" * max(0, len(phone.e164) - 8) + last
    return f"010-****-{last}"


def redact_email(email: Email) -> str:
    shown = email.local_prefix[:2]
    return f"{shown}***@{email.domain}"


def redact_address(addr: Address) -> str:
    """Province and district only: a road name or a lot narrows a person down to a few
    buildings."""
    parts = [p for p in (addr.province, addr.district) if p]
    return " ".join(parts) + " ***"


def redact_row(row: ParsedRow) -> str:
    parts: list[str] = []
    if row.name:
        parts.append(redact_name(row.name))
    if row.phone:
        parts.append(redact_phone(row.phone))
    if row.email:
        parts.append(redact_email(row.email))
    if row.address:
        parts.append(redact_address(row.address))
    if row.order:
        parts.append("주문 ***")
    return " · ".join(parts)
