"""Tables of the web dashboard: accounts, API tokens, the audit log and triage state.

Passwords and tokens are stored as hashes only; audit entries name objects by id,
never by the content of a record."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from dumpwatch.storage.models import utcnow

ROLES = ("viewer", "analyst", "admin")  # each role can do what the ones before it can


class WebUser(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    role: str  # viewer | analyst | admin
    password_hash: str  # argon2 (pwdlib)
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    disabled: bool = False


class ApiToken(SQLModel, table=True):
    """A bearer token: shown once, stored as SHA-256 (it has 256 random bits)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="webuser.id", index=True)
    token_sha256: str = Field(unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked: bool = False


class AuditEntry(SQLModel, table=True):
    """Who did what, when, from where. ``target`` is an object reference (finding:12)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)
    action: str  # login | login_failed | triage | case_open | case_send | ... | view_evidence
    target: str = ""
    outcome: str = "ok"
    remote: str = ""  # client address
    detail: str = ""


class Triage(SQLModel, table=True):
    """An analyst's decision on a post (sighting) in the findings queue."""

    sighting_id: int = Field(foreign_key="sighting.id", primary_key=True)
    state: str = Field(index=True)  # acknowledged | false_positive
    actor: str
    at: datetime = Field(default_factory=utcnow)
