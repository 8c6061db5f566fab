"""Persistence: documents, findings, crawl runs and source state, via sqlmodel.

SQLite (WAL) under the home directory by default; any SQLAlchemy URL in
``DUMPWATCH_DB_URL`` (PostgreSQL) otherwise. Only portable SQL is used.
"""

from dumpwatch.storage.attachments import PostAttachment
from dumpwatch.storage.db import Database, open_database, write_lock
from dumpwatch.storage.models import (
    Alert,
    CrawlRun,
    Document,
    Finding,
    RetainedText,
    SeenItem,
    Sighting,
    SourceState,
    ThreadState,
    Verdict,
)

__all__ = [
    "Alert",
    "CrawlRun",
    "Database",
    "Document",
    "Finding",
    "PostAttachment",
    "RetainedText",
    "SeenItem",
    "Sighting",
    "SourceState",
    "ThreadState",
    "Verdict",
    "open_database",
    "write_lock",
]
