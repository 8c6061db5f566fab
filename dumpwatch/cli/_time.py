"""Parsing of --since / --from style options, shared by the command groups."""

from __future__ import annotations

from datetime import UTC, datetime

from dumpwatch.errors import ConfigError


def parse_when(value: str | None, option: str = "--since") -> datetime | None:
    """A UTC date or date-time (2025-11-01, 2025-11-01T10:00); naive means UTC."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r}: use a date like 2025-11-01") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
