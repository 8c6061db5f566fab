"""What a spider hands the pipeline: one document, with where and when it was seen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass
class DocumentItem:
    source: str
    url: str
    text: str
    title: str | None = None
    author: str | None = None
    posted_at: datetime | None = None
    item_id: str | None = None  # paste id, marked seen once the document is stored
    # forum posts: canonical thread URL, "post-N" / "comment-N", the thread page it was on
    thread_url: str | None = None
    post_id: str | None = None
    page: int = 1
    # A downloaded file (attachment, archive, workbook) instead of page text: the pipeline
    # turns it into text documents; ``filename`` tells its type when the URL does not.
    data: bytes | None = None
    filename: str | None = None
    # Files attached to a post (Telegram documents): title and size as shown, never content.
    attachments: list[tuple[str, int | None]] = field(default_factory=list)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    # How it was fetched, for the evidence bundle: status, response headers and the
    # SHA-256 of the body exactly as received (a forum post: of its thread page).
    http_status: int | None = None
    headers: dict[str, str] | None = None
    raw_sha256: str | None = None
    raw_length: int | None = None

    def __repr__(self) -> str:
        # Scrapy logs items on pipeline errors: never let the page text reach a log.
        size = f"{len(self.text)} chars" if self.data is None else f"{len(self.data)} bytes"
        return f"DocumentItem(source={self.source!r}, url={self.url!r}, {size})"


@dataclass
class ThreadSeen:
    """A thread was read to its last page: remember the reply count its listing showed,
    so the next run skips it while that count stays the same."""

    thread_url: str
    replies: int | None
