"""Phone numbers: canonical E.164 plus the blocks a masked or typo'd number still shows.

Korean mobile numbers are parsed by a fast path (they are most of every corpus and
phonenumbers manages ~67k parses/s); anything else falls back to phonenumbers.
Masks are detected *before* parsing: phonenumbers would silently turn
``010-12**-5678`` into some other valid-looking number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from matcher.normalize.text import MASK_CHARS, nfkc

_MASK_CLASS = "[" + re.escape(MASK_CHARS) + "]"
_DIGIT_OR_MASK = r"[0-9" + re.escape(MASK_CHARS) + "]"
# +82 10 1234 5678 / 82-10-... / 010.1234.5678 / (010)1234-5678 / 01012345678
_NOT_PHONE = re.compile(r"[^\d\s+\-.()/]")
_DATE = re.compile(r"^(19|20)\d\d[\-./]\d\d?[\-./]\d\d?$")
_KR_MOBILE = re.compile(
    r"^\(?(?:\+?82[\s.\-]*\(?0?|0)(1[016789])\)?[\s.\-]*"
    r"(" + _DIGIT_OR_MASK + r"{3,4})[\s.\-]*(" + _DIGIT_OR_MASK + r"{4})$"
)


@dataclass(frozen=True, slots=True)
class Phone:
    """``e164`` is None when any digit is masked; ``mid``/``last4`` are None when masked.

    ``quarters`` are the two-digit halves of the middle and last blocks (None where a
    digit of one is hidden), so 010-12**-**78 still compares on the four digits it
    shows. ``ocr`` marks a value read only after undoing OCR confusions.
    """

    e164: str | None
    mid: str | None
    last4: str | None
    shown: str | None = None  # masked numbers: the 8 digits after the prefix, "*" if hidden
    ocr: bool = False

    @property
    def masked(self) -> bool:
        return self.e164 is None

    @property
    def quarters(self) -> tuple[str | None, str | None, str | None, str | None]:
        # Derived, not stored: a tuple per record would be one more object for the
        # garbage collector to walk on every batch of a 33.7M-row ingest.
        if self.shown is not None:
            s = self.shown
            return tuple(s[i:i + 2] if s[i:i + 2].isdigit() else None  # type: ignore[return-value]
                         for i in (0, 2, 4, 6))
        return quarters_of(self.mid, self.last4)

    @property
    def visible_digits(self) -> int:
        return 2 * sum(q is not None for q in self.quarters)


def _block(text: str) -> str | None:
    return text if text.isdigit() else None


def _halves(block: str) -> tuple[str | None, str | None]:
    if len(block) != 4:
        return None, None
    a, b = block[:2], block[2:]
    return (a if a.isdigit() else None), (b if b.isdigit() else None)


def quarters_of(mid: str | None, last4: str | None
                ) -> tuple[str | None, str | None, str | None, str | None]:
    return (*_halves(mid or ""), *_halves(last4 or ""))


def _from_national(national: str, e164: str) -> Phone:
    mid, last = national[-8:-4] or None, national[-4:]
    return Phone(e164, mid, last)


# A masked landline or 070 number: 02-41**-**14, 031-***-1234. Records keep the last 8
# digits of the national number (mid = its first four, so a 3-digit exchange carries the
# area code's last digit): a masked one is read the same way, so its blocks line up.
_KR_MASKED_OTHER = re.compile(
    r"^\(?(?:\+?82[\s.\-]*\(?0?|0)(2|[3-6][1-5]|70)\)?[\s.\-]*"
    r"(" + _DIGIT_OR_MASK + r"{3,4})[\s.\-]*(" + _DIGIT_OR_MASK + r"{4})$"
)


def _masked_other(text: str) -> Phone | None:
    m = _KR_MASKED_OTHER.match(text)
    if m is None:
        return None
    shown = "".join(c if c in "0123456789" else "*" for c in "".join(m.groups()))[-8:]
    if sum(c.isdigit() for c in shown) < 3:
        return None  # nothing to compare
    return Phone(None, _block(shown[:4]), _block(shown[4:]), shown)


# A Korean mobile number that lost its leading 0 in a numeric spreadsheet cell.
_LOST_ZERO = re.compile(r"^1[016789]\d{7,8}$")


def parse_phone(value: str, region: str = "KR") -> Phone | None:
    """Parse one written phone number; None if it is not one."""
    text = nfkc(value).strip()
    if not text:
        return None
    if text[0] == "1" and _LOST_ZERO.match(text):
        text = "0" + text
    m = _KR_MOBILE.match(text)
    if m:
        carrier, mid, last = m.groups()
        if mid.isdigit() and last.isdigit():  # the common, unmasked case
            return Phone(f"+821{carrier[1]}{mid}{last}", mid, last)
        mid_v, last_v = _block(mid), _block(last)
        quarters = (*_halves(mid), *_halves(last))
        shown_digits = sum(c.isdigit() for c in mid + last)
        if mid_v is None and last_v is None and not any(quarters) and shown_digits < 3:
            return None  # (almost) everything but the prefix is hidden: nothing to compare
        if mid_v and last_v is None and len(mid) == 3:
            return None
        shown = "".join("*" if c not in "0123456789" else c for c in mid.rjust(4, "*") + last)
        return Phone(None, mid_v, last_v, shown)
    if any(ch in MASK_CHARS for ch in text):
        return _masked_other(text)
    if _NOT_PHONE.search(text) or _DATE.match(text):
        return None  # "광복로 44 102-205" and "2025-11-03" have digits enough, but no phone
    digits = sum(ch.isdigit() for ch in text)
    if digits < 8 or digits > 15:
        return None
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # Written nationally (0…) or internationally (+82…) a number only needs to be possible;
    # bare digits must be a valid number, or order ids and amounts would pass for phones.
    national_form = text.lstrip("(").startswith(("0", "+"))
    if not (phonenumbers.is_possible_number(num) if national_form
            else phonenumbers.is_valid_number(num)):
        return None
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return _from_national(str(num.national_number), e164)
