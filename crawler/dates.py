"""Post dates as sites print them -> aware UTC datetimes.

Patterns come from the profile (``date_format``): strptime patterns tried in order, plus
``iso`` (ISO 8601, with or without offset) and ``dateparser`` (relative and localised
dates: "3시간 전", "어제 14:22", "2 days ago"). A time without an offset is the site's
local time (``timezone``). Labels around the date ("작성일 25-12-03 14:22") are ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

_DATEISH = re.compile(r"\d{2,4}[-./]\d{1,2}[-./]\d{1,2}(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?"
                      r"(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?|\d{1,2}[-./]\d{1,2}(?: \d{1,2}:\d{2})?"
                      r"|\d{1,2}:\d{2}(?::\d{2})?")


@lru_cache(maxsize=32)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_date(text: str | None, formats: list[str] | tuple[str, ...], timezone: str = "UTC",
               now: datetime | None = None) -> datetime | None:
    if not text or not text.strip():
        return None
    tz = _zone(timezone)
    text = " ".join(text.split())
    candidates = [text, *(m.group(0) for m in _DATEISH.finditer(text))]
    for fmt in formats:
        for cand in candidates:
            found = _one(cand, fmt, tz, now)
            if found is not None:
                return found.astimezone(UTC)
    return None


def _one(text: str, fmt: str, tz: ZoneInfo, now: datetime | None) -> datetime | None:
    if fmt == "iso":
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    elif fmt == "dateparser":
        import dateparser

        settings = {"TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": True,
                    "PREFER_DATES_FROM": "past"}
        if now is not None:
            settings["RELATIVE_BASE"] = now.astimezone(tz).replace(tzinfo=None)
        dt = dateparser.parse(text, languages=["ko", "en"], settings=settings)
        if dt is None:
            return None
    else:
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            return None
        if "%Y" not in fmt and "%y" not in fmt:  # "12-03" or "14:22": this year / today
            today = (now or datetime.now(UTC)).astimezone(tz)
            dt = dt.replace(year=today.year) if "%m" in fmt else dt.replace(
                year=today.year, month=today.month, day=today.day)
    return dt if dt.tzinfo else dt.replace(tzinfo=tz)
