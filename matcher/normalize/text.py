"""Text folding shared by every field: NFKC, whitespace, mask characters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters people use to hide parts of a value. NFKC already folds the
# full-width asterisk; the rest are look-alikes seen in Korean sale posts.
MASK_CHARS = "*●○◯◎◆◇■□★☆●xX#ㅇᄋ?"  # ᄋ: what NFKC makes of the jamo ㅇ
_MASK_SET = frozenset(MASK_CHARS)
_WS = re.compile(r"\s+")
_ORDER_PUNCT = re.compile(r"[^\w]+")


def nfkc(value: str) -> str:
    # Pure-ASCII input is already in NFKC; skipping the call is a measurable win.
    return value if value.isascii() else unicodedata.normalize("NFKC", value)


def normalize_text(value: str) -> str:
    return _WS.sub(" ", nfkc(value)).strip()


def is_mask_char(ch: str) -> bool:
    return ch in _MASK_SET


@lru_cache(maxsize=65_536)
def normalize_order(value: str) -> str:
    """Order/product text: case, punctuation and spacing differ between exports."""
    return _ORDER_PUNCT.sub(" ", nfkc(value).lower()).strip()


def is_hangul_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


_EXCEL_FORMULA = re.compile(r'^="(.*)"$')


def unexcel(value: str) -> str:
    """A cell as Excel wrote it -> its text: ``="010…"`` formulas and ``'010…`` text
    prefixes are how spreadsheets keep leading zeros."""
    v = value.strip()
    if v[:2] == '="' and (m := _EXCEL_FORMULA.match(v)):
        return m.group(1).replace('""', '"')
    if v[:1] == "'" and len(v) > 1 and v[1] != "'" and v.count("'") == 1:
        return v[1:]
    return v
