"""Persistence: documents, findings, crawl runs and source state, via sqlmodel.

SQLite (WAL) under the home directory by default; any SQLAlchemy URL in
``DUMPWATCH_DB_URL`` (PostgreSQL) otherwise. Only portable SQL is used.
"""

from dumpwatch.storage.attachments import PostAttachment
from dumpwatch.storage.cases import OPEN_STATES, CaseEvent, Notice, TakedownCase
from dumpwatch.storage.db import Database, open_database, write_lock
from dumpwatch.storage.dumps import Dump, DumpPost
from dumpwatch.storage.evidence import Capture, Rendering
from dumpwatch.storage.listings import Listing
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
from dumpwatch.storage.source_controls import CrawlRequest, SourceOverride
from dumpwatch.storage.web import ApiToken, AuditEntry, Triage, WebUser

__all__ = [
    "OPEN_STATES",
    "Alert",
    "ApiToken",
    "AuditEntry",
    "Capture",
    "CaseEvent",
    "CrawlRequest",
    "CrawlRun",
    "Database",
    "Document",
    "Dump",
    "DumpPost",
    "Finding",
    "Listing",
    "Notice",
    "PostAttachment",
    "Rendering",
    "RetainedText",
    "SeenItem",
    "Sighting",
    "SourceOverride",
    "SourceState",
    "TakedownCase",
    "ThreadState",
    "Triage",
    "Verdict",
    "WebUser",
    "open_database",
    "write_lock",
]

