"""Undoing OCR confusions in phones and emails, for values a strict parse rejected.

Text recognised from a screenshot of a spreadsheet confuses O with 0, l/I/| with 1 and
"rn" with "m", splits digit blocks with spaces, reads the "." of a domain as "," and
puts spaces around "@". Repairs are tried only after the strict parser failed, and the
result is marked (``ocr=True``) so scoring can give it its own, lower m-probability.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from matcher.normalize.email import Email, parse_email
from matcher.normalize.phone import Phone, parse_phone
from matcher.normalize.text import nfkc

_TO_DIGIT = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1",
                           "|": "1", "i": "1", "!": "1", "S": "5", "B": "8", "Z": "2"})
_PHONE_CHARS = re.compile(r"^[\d\sOoDQlIi|!SBZ.\-()+]+$")
# Folding for comparison: whatever OCR made of a character, both sides fold alike.
_FOLD = str.maketrans({"o": "0", "i": "1", "l": "1", "|": "1", "!": "1"})
_KNOWN_DOMAINS = ("naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com",
                  "nate.com", "outlook.com", "hotmail.com", "yahoo.com", "korea.kr",
                  "icloud.com", "yahoo.co.kr", "empas.com", "paran.com", "dreamwiz.com",
                  "lycos.co.kr", "chol.com", "hanmir.com", "naver.co.kr", "live.com")


def fold_confusable(text: str) -> str:
    """The OCR-invariant form of an email: rn→m, o→0, i/l/|→1 (lower case first)."""
    return text.lower().replace("rn", "m").translate(_FOLD)


_FOLDED_DOMAINS = {fold_confusable(d): d for d in _KNOWN_DOMAINS}


def repair_phone(value: str) -> Phone | None:
    """A phone read through OCR confusions; None unless it then parses as a mobile."""
    text = nfkc(value).strip()
    if not _PHONE_CHARS.match(text) or sum(c.isdigit() for c in text) < 6:
        return None
    fixed = text.translate(_TO_DIGIT)
    digits = re.sub(r"[^\d+]", "", fixed)
    if not (digits.startswith(("01", "+821", "821")) and 10 <= len(digits.lstrip("+")) <= 12):
        return None
    phone = parse_phone(digits)
    if phone is None or phone.e164 is None or not phone.e164.startswith("+821"):
        return None
    return replace(phone, ocr=True)


_SPACED_AT = re.compile(r"\s*@\s*")
_SPACED_DOT = re.compile(r"\s*[.,]\s*")


@lru_cache(maxsize=4096)
def _misread(domain: str) -> bool:
    known = _FOLDED_DOMAINS.get(fold_confusable(domain))
    return known is not None and known != domain


def misread_domain(email: Email) -> bool:
    """A domain that is not a well-known one but folds to one: naver.corn, hanrnail.net."""
    return _misread(email.domain)


def repair_email(value: str) -> Email | None:
    """An email read through OCR confusions: spaces around "@" and ".", "," for "." in
    the domain, and a domain that folds to a well-known one ("narver.corn")."""
    text = nfkc(value).strip().strip("<>\"'();: ")
    if text.count("@") != 1 or len(text) > 80:
        return None
    local, _, domain = _SPACED_AT.sub("@", text).partition("@")
    local = re.sub(r"\s*\.\s*", ".", local.strip()).replace(" ", "")
    domain = _SPACED_DOT.sub(".", domain.strip()).replace(" ", "").lower()
    known = _FOLDED_DOMAINS.get(fold_confusable(domain))
    if known is not None and known != domain:
        domain = known
        local = local.replace("rn", "m")  # a misread domain: trust no "rn" beside it
    email = parse_email(f"{local}@{domain}")
    if email is None:
        return None
    return Email(email.full, email.local_prefix, email.domain, ocr=True)
