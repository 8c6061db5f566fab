"""Dashboard accounts, API tokens and the audit log: shared by ``dumpwatch user`` and the web app.

Passwords are hashed with argon2 (pwdlib); API tokens are random and stored as SHA-256.
Repeated failed sign-ins lock an account for a while, so a password cannot be guessed online.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from sqlmodel import select

from dumpwatch.errors import ConfigError
from dumpwatch.storage.db import Database
from dumpwatch.storage.models import utcnow
from dumpwatch.storage.web import ROLES, ApiToken, AuditEntry, WebUser

MAX_FAILURES = 5  # consecutive failed sign-ins before a lock-out
LOCKOUT = timedelta(minutes=15)

_hasher = PasswordHash.recommended()
_DUMMY = _hasher.hash("not-a-password")  # equal work for unknown names: no user enumeration


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ConfigError(f"role must be one of {', '.join(ROLES)}")


def add_user(db: Database, name: str, role: str, password: str, *, actor: str = "system",
             remote: str = "") -> WebUser:
    _check_role(role)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}", name):
        raise ConfigError("user name: letters, digits and _.@- (at most 64)")
    if len(password) < 10:
        raise ConfigError("password: at least 10 characters")
    with db.session() as s:
        if s.exec(select(WebUser).where(WebUser.name == name)).first():
            raise ConfigError(f"user {name!r} exists")
        user = WebUser(name=name, role=role, password_hash=_hasher.hash(password))
        s.add(user)
        s.commit()
        s.refresh(user)
    audit(db, actor, "user_add", f"user:{name}", remote=remote, detail=role)
    return user


def _change(db: Database, name: str, actor: str, remote: str, action: str, detail: str,
            change) -> WebUser:
    """Apply ``change`` to the user, refusing what would leave no active admin."""
    with db.session() as s:
        user = s.exec(select(WebUser).where(WebUser.name == name)).first()
        if user is None:
            raise ConfigError(f"no user {name!r}")
        with s.no_autoflush:
            was_admin = user.role == "admin" and not user.disabled
            change(user)
            last_admin = was_admin and (user.role != "admin" or user.disabled) and not s.exec(
                select(WebUser.id).where(WebUser.role == "admin",
                                         WebUser.disabled == False,  # noqa: E712
                                         WebUser.id != user.id)).first()
        if last_admin:
            s.rollback()
        else:
            s.add(user)
            s.commit()
            s.refresh(user)
    if last_admin:
        audit(db, actor, action, f"user:{name}", outcome="refused", remote=remote,
              detail="last active admin")
        raise ConfigError(f"{name!r} is the last active admin")
    audit(db, actor, action, f"user:{name}", remote=remote, detail=detail)
    return user


def set_role(db: Database, name: str, role: str, *, actor: str, remote: str = "") -> WebUser:
    _check_role(role)
    return _change(db, name, actor, remote, "user_role", role,
                   lambda u: setattr(u, "role", role))


def set_disabled(db: Database, name: str, disabled: bool, *, actor: str,
                 remote: str = "") -> WebUser:
    """A disabled account cannot sign in, its sessions end and its tokens stop working."""
    return _change(db, name, actor, remote, "user_disable" if disabled else "user_enable", "",
                   lambda u: setattr(u, "disabled", disabled))


def unlock(db: Database, name: str, *, actor: str, remote: str = "") -> WebUser:
    """End a lock-out after failed sign-ins before its 15 minutes are up."""
    def clear(u: WebUser) -> None:
        u.locked_until, u.failed_logins = None, 0
    return _change(db, name, actor, remote, "user_unlock", "", clear)


def revoke_tokens(db: Database, name: str, *, actor: str, remote: str = "") -> int:
    """Revoke every API token of ``name``; returns how many were live."""
    with db.session() as s:
        user = s.exec(select(WebUser).where(WebUser.name == name)).first()
        if user is None:
            raise ConfigError(f"no user {name!r}")
        live = s.exec(select(ApiToken).where(ApiToken.user_id == user.id,
                                             ApiToken.revoked == False)).all()  # noqa: E712
        for t in live:
            t.revoked = True
            s.add(t)
        s.commit()
    audit(db, actor, "token_revoke", f"user:{name}", remote=remote, detail=f"{len(live)} tokens")
    return len(live)


def is_locked(user: WebUser) -> bool:
    locked = _aware(user.locked_until)
    return bool(locked and locked > utcnow())


def user_summaries(db: Database) -> list[dict]:
    """Accounts for the admin pages and API: never a hash."""
    from sqlalchemy import func

    with db.session() as s:
        tokens = dict(s.exec(select(ApiToken.user_id, func.count(ApiToken.id))
                             .where(ApiToken.revoked == False)  # noqa: E712
                             .group_by(ApiToken.user_id)).all())
        return [{"name": u.name, "role": u.role, "disabled": u.disabled,
                 "locked": is_locked(u), "locked_until": u.locked_until,
                 "failed_logins": u.failed_logins, "created_at": u.created_at,
                 "api_tokens": tokens.get(u.id, 0)}
                for u in s.exec(select(WebUser).order_by(WebUser.name))]


def list_users(db: Database) -> list[WebUser]:
    with db.session() as s:
        return list(s.exec(select(WebUser).order_by(WebUser.name)))


def authenticate(db: Database, name: str, password: str) -> tuple[WebUser | None, str]:
    """The user, or None and why ("bad" or "locked"). Failures count toward a lock-out."""
    now = utcnow()
    with db.session() as s:
        user = s.exec(select(WebUser).where(WebUser.name == name)).first()
        if user is None or user.disabled:
            _hasher.verify(password, _DUMMY)
            return None, "bad"
        locked = _aware(user.locked_until)
        if locked and locked > now:
            return None, "locked"
        if _hasher.verify(password, user.password_hash):
            user.failed_logins, user.locked_until = 0, None
            s.add(user)
            s.commit()
            return user, "ok"
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until, user.failed_logins = now + LOCKOUT, 0
        s.add(user)
        s.commit()
        return None, "locked" if user.locked_until and _aware(user.locked_until) > now else "bad"


def issue_token(db: Database, name: str, *, actor: str = "system", remote: str = "") -> str:
    """A new API token for ``name``; the only time it is ever shown."""
    token = "dw_" + secrets.token_urlsafe(32)
    with db.session() as s:
        user = s.exec(select(WebUser).where(WebUser.name == name)).first()
        if user is None:
            raise ConfigError(f"no user {name!r}")
        s.add(ApiToken(user_id=user.id, token_sha256=_sha(token)))
        s.commit()
    audit(db, actor, "token_issued", f"user:{name}", remote=remote)
    return token


def user_for_token(db: Database, token: str) -> WebUser | None:
    with db.session() as s:
        row = s.exec(select(ApiToken).where(ApiToken.token_sha256 == _sha(token),
                                            ApiToken.revoked == False)).first()  # noqa: E712
        if row is None:
            return None
        user = s.get(WebUser, row.user_id)
        return None if user is None or user.disabled else user


def get_user(db: Database, user_id: int) -> WebUser | None:
    """The account behind a session, or None once it has been disabled."""
    with db.session() as s:
        user = s.get(WebUser, user_id)
        return None if user is None or user.disabled else user


def audit(db: Database, actor: str, action: str, target: str = "", *, outcome: str = "ok",
          remote: str = "", detail: str = "") -> None:
    with db.session() as s:
        s.add(AuditEntry(actor=actor, action=action, target=target, outcome=outcome,
                         remote=remote, detail=detail[:300]))
        s.commit()


def audit_log(db: Database, limit: int = 200, before_id: int | None = None) -> list[AuditEntry]:
    with db.session() as s:
        q = select(AuditEntry)
        if before_id:
            q = q.where(AuditEntry.id < before_id)
        return list(s.exec(q.order_by(AuditEntry.id.desc()).limit(limit)))  # type: ignore[union-attr]


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
