"""A redacted rendering of a page: its text with every record value replaced by the
redacted form a person may read (김*준, 010-****-5678, ki***@naver.com).

Built by the crawl pipeline while the page text is in memory; only the rendering is
stored. Three layers, so a value the extractor saw in another form cannot slip through:

1. every value of every extracted record (matched or not: other people's data gets the
   same care) is replaced where it occurs, longest first;
2. whatever still looks like a phone number or an e-mail address is masked;
3. every line that still contains one of the raw values (or its digits) is withheld.

API::

    redacted_values(text, candidates=None) -> {raw value: redacted form}
    render_redacted(text, values=None) -> Rendered(text, replaced, withheld_lines)
    redact_known(text, values) -> str   # e.g. a post's title, with the page's values
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from matcher.extract import extract
from matcher.fields import parse_row
from matcher.redact import redact_address, redact_email, redact_name, redact_phone

_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000]")
_PHONE = re.compile(r"(?<!\d)(?:\+?82[\s.\-]?\(?0?\)?|0)1[016789][\s.\-)]*\d{3,4}[\s.\-]*"
                    r"(\d{4})(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]{1,2})[\w.+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
MIN_VALUE_LEN = 3  # shorter raw values (a two-syllable name part) are masked by context only


MAX_RENDERING = 2_000_000  # characters kept: ample for a takedown, bounded for the database


@dataclass
class Rendered:
    text: str
    replaced: int
    withheld_lines: int


def redacted_values(text: str, candidates: list | None = None) -> dict[str, str]:
    """Raw value -> redacted form for every value of every record extracted from ``text``
    (pass ``candidates`` when ``matcher.extract.extract(text)`` was already run)."""
    out: dict[str, str] = {}
    for cand in extract(text) if candidates is None else candidates:
        row = parse_row(cand.values)
        for role, raw in cand.values.items():
            raw = raw.strip()
            if len(raw) < 2:
                continue
            if role == "name" and row.name:
                red = redact_name(row.name)
            elif role == "phone" and row.phone:
                red = redact_phone(row.phone)
            elif role == "email" and row.email:
                red = redact_email(row.email)
            elif role == "address" and row.address:
                red = redact_address(row.address)
            else:
                red = "***"
            out[raw] = red
    return out


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _replace(text: str, values: dict[str, str]) -> tuple[str, int]:
    if not values:
        return text, 0
    replaced = 0
    pattern = re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))

    def sub(m: re.Match[str]) -> str:
        nonlocal replaced
        replaced += 1
        return values[m.group(0)]

    return pattern.sub(sub, text), replaced


def redact_known(text: str, values: dict[str, str]) -> str:
    """Replace the given record values (and anything phone- or e-mail-like) in ``text``."""
    text, _ = _replace(text, values)
    text = _PHONE.sub(lambda m: f"010-****-{m.group(1)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def render_redacted(text: str, values: dict[str, str] | None = None) -> Rendered:
    if _FULLWIDTH.search(text):
        text = unicodedata.normalize("NFKC", text)
    if values is None:
        values = redacted_values(text)
    text, replaced = _replace(text, values)
    text = _PHONE.sub(lambda m: f"010-****-{m.group(1)}", text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
    # Last line of defence: a line still holding a raw value (or a phone's digits) goes.
    needles = [v for v in values if len(v) >= MIN_VALUE_LEN and v not in values.values()]
    digit_needles = {d for v in values if len(d := _digits(v)) >= 7}
    lines = text.split("\n")
    withheld = 0
    for i, line in enumerate(lines):
        flat = _digits(line)
        if any(n in line for n in needles) or any(d in flat for d in digit_needles):
            lines[i] = "[line withheld: holds a record value]"
            withheld += 1
    out = "\n".join(lines)
    if len(out) > MAX_RENDERING:
        out = out[:MAX_RENDERING].rsplit("\n", 1)[0] + "\n[rendering truncated]"
    return Rendered(out, replaced, withheld)
