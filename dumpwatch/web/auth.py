"""Who is asking: a signed session cookie (browser) or a bearer token (API), and what
their role lets them do. CSRF: a per-session token on every state-changing browser request."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import deque

from fastapi import HTTPException, Request

from dumpwatch.accounts import get_user, role_at_least, user_for_token
from dumpwatch.storage.web import WebUser

SESSION_MAX_AGE = 8 * 3600
HERE_TEMPLATES = str(__import__("pathlib").Path(__file__).parent / "templates")


def client_addr(request: Request) -> str:
    return request.client.host if request.client else ""


def current_user(request: Request) -> WebUser | None:
    db = request.app.state.db
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return user_for_token(db, auth[7:].strip())
    uid = request.session.get("uid")
    if uid is None or time.time() - request.session.get("at", 0) > SESSION_MAX_AGE:
        return None
    return get_user(db, uid)


def csrf_token(request: Request) -> str:
    tok = request.session.get("csrf")
    if not tok:
        tok = request.session["csrf"] = secrets.token_urlsafe(32)
    return tok


async def check_csrf(request: Request) -> None:
    """Session-authenticated POSTs need the session's token in a header or form field."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return  # a bearer token is not sent by browsers on their own
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf")
    want = request.session.get("csrf")
    if not want or not isinstance(sent, str) or not hmac.compare_digest(sent, want):
        raise HTTPException(403, "missing or wrong CSRF token")


def requirer(role: str):
    """A dependency: the signed-in user with at least ``role``, else 401/403."""

    async def dep(request: Request) -> WebUser:
        user = current_user(request)
        if user is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "sign in or send a bearer token")
            raise HTTPException(303, headers={"location": "/login"})
        if request.method not in ("GET", "HEAD"):
            await check_csrf(request)
        if not role_at_least(user.role, role):
            raise HTTPException(403, f"needs the {role} role")
        request.state.user = user
        return user

    return dep


class RateLimiter:
    """Sliding window of sign-in attempts per client address (kept on the app, not global)."""

    def __init__(self, attempts: int = 10, window: float = 60.0) -> None:
        self.attempts, self.window = attempts, window
        self.hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        q = self.hits.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        if len(q) >= self.attempts:
            return False
        q.append(now)
        return True
