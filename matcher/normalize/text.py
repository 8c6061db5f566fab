"""Text folding shared by every field: NFKC, whitespace, mask characters."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Characters people use to hide parts of a value. NFKC already folds the
# full-width asterisk; the rest are look-alikes seen in Korean sale posts.
MASK_CHARS = "*●○◯◎◆◇■□★☆●xX#ㅇᄋ?"  # ᄋ: what NFKC makes of the jamo ㅇ
_MASK_SET = frozenset(MASK_CHARS)
# Exactly the characters str.strip() and \s take as whitespace (written out: deriving it from
# all 1.1M code points cost every worker 0.3 s at import; tests/test_columnar.py checks it).
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003"
                 "\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
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
