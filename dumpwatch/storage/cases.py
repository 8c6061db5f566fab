"""Takedown tables: a case per leaking post, its notices and every step taken.

Like every table here they hold no corpus plaintext: notices are stored as sent, and
what they carry is redacted samples, hashes and counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow

OPEN_STATES = ("open", "notified")  # the post is (believed) still online


class TakedownCase(SQLModel, table=True):
    """One post (URL) that holds corpus records, from detection to removal."""

    id: int | None = Field(default=None, primary_key=True)
    sighting_id: int = Field(foreign_key="sighting.id", unique=True)  # one case per post
    document_id: int = Field(foreign_key="document.id", index=True)
    corpus: str
    source: str = Field(index=True)  # the platform, as configured
    url: str
    domain: str | None = None
    hosting_ip: str | None = None
    country: str | None = None  # ISO 3166 code from RDAP, "onion", or None when unknown
    contact_email: str | None = None
    contact_form: str | None = None
    contact_origin: str | None = None  # rdap-domain | rdap-ip | profile | law-enforcement
    records: int = 0
    status: str = Field(default="open", index=True)  # open | notified | removed | closed
    detected_at: datetime  # when the post was first fetched
    opened_at: datetime = Field(default_factory=utcnow)
    first_notice_at: datetime | None = None
    last_checked_at: datetime | None = None
    removed_at: datetime | None = None
    time_to_removal_s: float | None = None  # removed_at - detected_at
    notice_to_removal_s: float | None = None  # removed_at - first_notice_at
    closed_at: datetime | None = None
    reopened: int = 0  # how often a re-post brought it back


class CaseEvent(SQLModel, table=True):
    """Every step on a case, in order: who did what, when, and how it went."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="takedowncase.id", index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str  # a user name, "monitor" or "dumpwatch"
    action: str  # open | contact | send | recheck | removed | reopen | close
    outcome: str  # ok | failed | online | removed | unreachable | ...
    detail: str = ""  # one line for people; never corpus plaintext
    data: str = "{}"  # JSON snapshot (removed: url, source, domain, country, seconds)


class Notice(SQLModel, table=True):
    """A notice as rendered and (once sent) as delivered."""

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="takedowncase.id", index=True)
    channel: str  # smtp | webhook
    recipient: str
    subject: str
    body: str  # the DSA Art. 16 notice and the Korean request, plain text
    xarf: str  # the XARF v4 report, JSON
    sha256: str  # of the message as sent
    status: str = "rendered"  # rendered | sent | failed
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, index=True)
