"""Operational overrides of source profiles, set by admins from the web or the CLI.

Profiles on disk stay the configuration; these rows say "switched off for now", "keep page
text N days" or "crawl this now" and live in the database, so every machine of a fleet (and
every monitor on PostgreSQL) sees the same state.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow


class SourceOverride(SQLModel, table=True):
    """An admin's override of one profile's settings; ``None`` keeps the profile's value."""

    name: str = Field(primary_key=True)
    enabled: bool | None = None
    retention_days: float | None = None
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = ""


class CrawlRequest(SQLModel, table=True):
    """"Run now": a request the monitor claims within its poll interval."""

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    status: str = Field(default="pending", index=True)  # pending | dispatched | skipped
    requested_by: str = ""
    requested_at: datetime = Field(default_factory=utcnow)
    handled_at: datetime | None = None
    note: str = ""
