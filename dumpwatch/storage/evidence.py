"""Capture facts per sighting (HTTP status, headers, SHA-256 of the raw bytes) and a
redacted rendering per document: the page text with every extracted record value
replaced by its redacted form. The page text itself is never stored here."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow


class Capture(SQLModel, table=True):
    """How a sighting was fetched: the collection log line of an evidence bundle."""

    sighting_id: int = Field(foreign_key="sighting.id", primary_key=True)
    http_status: int | None = None
    headers: str = "{}"  # JSON, response headers; cookies and auth values withheld
    raw_sha256: str | None = None  # SHA-256 of the response body exactly as fetched
    raw_length: int | None = None


class Rendering(SQLModel, table=True):
    """The page text of a matched document with every record value redacted."""

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    text: str
    replaced: int = 0  # values replaced
    withheld_lines: int = 0  # lines dropped because a value could not be replaced in place
    created_at: datetime = Field(default_factory=utcnow)
