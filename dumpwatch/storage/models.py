"""Tables. No column holds corpus plaintext: findings carry the owner's record id and
redacted evidence; documents carry a content hash, never their text."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class SourceState(SQLModel, table=True):
    """What the monitor knows about a configured source between runs."""

    name: str = Field(primary_key=True)
    healthy: bool = True
    consecutive_failures: int = 0
    last_run_at: datetime | None = None
    last_ok_at: datetime | None = None
    last_error: str | None = None
    blocked_total: int = 0


class SeenItem(SQLModel, table=True):
    """A paste id (or other listing item) already fetched: fetched once, ever."""

    __table_args__ = (UniqueConstraint("source", "item_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    item_id: str
    seen_at: datetime = Field(default_factory=utcnow)


class ThreadState(SQLModel, table=True):
    """What a forum thread looked like when last crawled, keyed by source + canonical
    thread URL (query kept, tracking/session parameters dropped): the newest post and
    comment processed, the page they were on, and the reply count its listing showed."""

    __table_args__ = (UniqueConstraint("source", "thread_url"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    thread_url: str
    last_post_id: int = 0
    last_comment_id: int = 0
    last_page: int = 1
    replies: int | None = None  # the listing's count when the thread was last read whole
    updated_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One distinct content, wherever it appeared (see Sighting)."""

    id: int | None = Field(default=None, primary_key=True)
    content_sha256: str = Field(unique=True, index=True)
    first_seen_at: datetime = Field(default_factory=utcnow)
    length: int = 0
    candidates: int = 0
    verdict: str = "none"  # the strongest verdict over corpora


class Sighting(SQLModel, table=True):
    """A place a document was seen: the evidence trail for a takedown request.

    A forum post's URL is its canonical thread URL + ``#post-ID`` / ``#comment-ID``.
    An edited post is a new document at the same URL: one sighting per version."""

    __table_args__ = (UniqueConstraint("source", "url", "document_id"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    source: str = Field(index=True)
    url: str
    post_id: str | None = None  # forum posts: "post-7" / "comment-9" within the thread
    title: str | None = None  # phones and emails masked before storing
    author: str | None = None  # the seller's handle
    posted_at: datetime | None = None
    fetched_at: datetime = Field(default_factory=utcnow)


class Verdict(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("document_id", "corpus"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    corpus: str
    verdict: str
    matched: int = 0
    reported: int = 0
    expected: float = 0.0
    p_chance: float = 1.0


class Finding(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("document_id", "corpus", "record_id"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    corpus: str = Field(index=True)
    record_id: str = Field(index=True)  # repost detection looks records up across alerts
    score: float
    fields: str  # comma-separated roles
    evidence: str  # redacted
    created_at: datetime = Field(default_factory=utcnow, index=True)


class CrawlRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = "running"  # running | ok | partial | failed | unhealthy
    pages: int = 0
    documents: int = 0
    new_documents: int = 0
    new_findings: int = 0
    blocked: int = 0
    errors: str = "{}"  # JSON: kind -> count
    duration: float = 0.0


class RetainedText(SQLModel, table=True):
    """Page text kept for re-scanning only when a retention window is configured:
    encrypted with a key derived outside the database, purged when it expires."""

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    ciphertext: bytes
    expires_at: datetime = Field(index=True)


class Alert(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("document_id", "corpus"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    corpus: str
    source: str
    url: str
    verdict: str
    records: int
    created_at: datetime = Field(default_factory=utcnow, index=True)
    delivered_at: datetime | None = None
    claimed_at: datetime | None = None  # a sender's lease, so two senders never both send
    attempts: int = 0
    repost_of: int | None = None  # the alert of the first sighting of the same dump
    payload: str = "{}"  # JSON as sent: redacted only
