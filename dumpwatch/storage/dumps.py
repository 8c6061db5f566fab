"""Dumps: documents holding (mostly) the same corpus records, grouped by containment.

A document joins the dump whose records contain most of its records (a re-post or a
slice) or whose records it mostly contains (a bigger re-post: the dump grows).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow


class Dump(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    corpus: str = Field(index=True)
    first_document_id: int = Field(foreign_key="document.id")
    first_source: str
    first_url: str
    first_seen_at: datetime = Field(default_factory=utcnow, index=True)
    last_seen_at: datetime = Field(default_factory=utcnow)
    records: int = 0  # distinct records over all its posts
    posts: int = 1  # documents in the dump
    trend: str = "new"  # new | growing | shrinking | stable (latest post vs the first)


class DumpPost(SQLModel, table=True):
    """A document's membership of a dump (one dump per document and corpus)."""

    __table_args__ = (UniqueConstraint("document_id", "corpus"),)
    id: int | None = Field(default=None, primary_key=True)
    dump_id: int = Field(foreign_key="dump.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    corpus: str
    records: int = 0  # this document's reported records
    shared: int = 0  # of them, already in the dump when it joined
    joined_at: datetime = Field(default_factory=utcnow)
