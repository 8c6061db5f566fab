"""Files attached to a post, as the page shows them (Telegram documents: title and size).

The file itself is not downloaded from a preview page; what a seller calls it and how big
it is ("쿠팡_회원_3370만.xlsx", 1.2 GB) is evidence on its own for a takedown request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow


class PostAttachment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("source", "url", "title"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(index=True)
    url: str  # the post's URL, as in its Sighting
    title: str  # phones and emails masked before storing
    size_bytes: int | None = Field(default=None, sa_type=BigInteger)  # dumps exceed 2 GiB
    seen_at: datetime = Field(default_factory=utcnow)
