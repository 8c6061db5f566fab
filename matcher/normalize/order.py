"""Order history: the item and the date of a recent order, as the Coupang leak held them.

An order is written as an item ("에어팟 프로 2세대"), a date in any common form
(2025-11-02, 2025.11.2, 25/11/02, 2025년 11월 2일, an Excel serial number such as 45993)
or both in one cell ("에어팟 프로 2세대 (2025-11-02)"). Items and dates are compared
apart and together: an item alone is weak, an item on a given day much less so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from matcher.normalize.text import nfkc, normalize_order

_DATE = re.compile(
    r"(?<!\d)((?:19|20)?\d\d)\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})(?:\s*일)?(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TIME = re.compile(r"\d{1,2}:\d\d(?::\d\d)?")


@dataclass(frozen=True, slots=True)
class Order:
    item: str | None  # normalised item text
    date: str | None  # YYYY-MM-DD


def _date(y: str, m: str, d: str) -> str | None:
    year = int(y) + (2000 if len(y) == 2 else 0)
    try:
        return dt.date(year, int(m), int(d)).isoformat()
    except ValueError:
        return None


def parse_date(value: str) -> str | None:
    """A written order date -> YYYY-MM-DD, or None."""
    text = nfkc(value).strip()
    if _SERIAL.match(text):  # Excel's day count, from numeric cells
        days = int(float(text))
        if 20_000 <= days <= 80_000:
            return (_EXCEL_EPOCH + dt.timedelta(days=days)).isoformat()
        return None
    m = _DATE.search(text) or _COMPACT.search(text)
    return _date(*m.groups()) if m else None


@lru_cache(maxsize=65_536)  # a shop sells a few thousand items: rows repeat them endlessly
def parse_order(item: str | None, date: str | None = None) -> Order | None:
    """An order from an item cell (which may carry the date) and an optional date cell."""
    when = parse_date(date) if date else None
    what = None
    if item:
        text = nfkc(item)
        if when is None:
            m = _DATE.search(text) or _COMPACT.search(text)
            if m and (found := _date(*m.groups())):
                when = found
                text = text[:m.start()] + " " + text[m.end():]
        elif _SERIAL.match(text.strip()):
            text = ""
        text = _TIME.sub(" ", text).replace("()", " ").replace("[]", " ")
        what = normalize_order(text) or None
    if what is None and when is None:
        return None
    return Order(what, when)
