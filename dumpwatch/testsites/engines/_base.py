"""What every engine test site shares: boards, threads, posts, sessions and HTTP plumbing.

Each engine module renders the same small forum (boards, threads over several pages,
posts with ids, authors and times, a members-only board, a login form) with the markup
of that engine's own default templates; this module holds only the data and the
request handling, so the markup lives in one place per engine.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import ClassVar, TypeVar
from urllib.parse import parse_qs, urlsplit

from dumpwatch.testsites.server import send

T = TypeVar("T")

#: posts are dated from here on, one every 7 minutes, so dates are stable across runs
EPOCH = datetime(2025, 12, 3, 5, 22, tzinfo=UTC)


@dataclass
class Post:
    id: int
    author: str
    body: str
    posted: datetime  # aware, UTC

    def html_body(self) -> str:
        """The body as an engine's BBCode/markdown renderer would emit it: lines + <br>."""
        return html.escape(self.body).replace("\n", "<br>\n")


@dataclass
class Thread:
    id: int
    board: str
    title: str
    posts: list[Post] = field(default_factory=list)


@dataclass
class Board:
    id: int
    slug: str
    name: str
    members_only: bool = False
    threads: list[Thread] = field(default_factory=list)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    logged_in: bool
    raw_query: str = ""  # repeated keys kept (post_ids[]=1&post_ids[]=2)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Reply:
    status: int
    body: str | bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def pages(n_items: int, per_page: int) -> int:
    return max(1, (n_items - 1) // per_page + 1)


class EngineSite:
    """A forum's content and sessions; subclasses render it as their engine does."""

    engine: ClassVar[str] = ""
    session_cookie: ClassVar[str] = "sid"
    threads_per_page: ClassVar[int] = 3
    posts_per_page: ClassVar[int] = 3

    def __init__(self, boards: tuple[tuple[str, str, bool], ...] = (
            ("market", "Databases", False), ("chat", "General chat", False),
            ("vip", "VIP market", True)),
                 username: str = "watcher", password: str = "s3cret-pass") -> None:
        self.boards = {slug: Board(i + 1, slug, name, members)
                       for i, (slug, name, members) in enumerate(boards)}
        self.username = username
        self.password = password
        self.requests: list[str] = []
        self.logins = 0
        self._sessions: set[str] = set()
        self._next_thread = 1
        self._next_post = 1
        self._lock = threading.Lock()

    # ------------------------------------------------------------ content

    def add_thread(self, board: str, title: str, author: str, body: str) -> Thread:
        with self._lock:
            t = Thread(self._next_thread, board, title)
            self._next_thread += 1
            self.boards[board].threads.append(t)
        self.add_post(t.id, author, body)
        return t

    def add_post(self, thread_id: int, author: str, body: str) -> Post:
        with self._lock:
            thread = self.thread(thread_id)
            assert thread is not None
            n = self._next_post
            p = Post(n, author, body, EPOCH + timedelta(minutes=7 * n))
            self._next_post += 1
            thread.posts.append(p)
            return p

    def thread(self, tid: int) -> Thread | None:
        return next((t for b in self.boards.values() for t in b.threads if t.id == tid), None)

    def board_by_id(self, bid: int) -> Board | None:
        return next((b for b in self.boards.values() if b.id == bid), None)

    def readable(self, r: Request, board: Board | str) -> bool:
        """Members-only boards (and their threads) are read only with a session."""
        b = self.boards[board] if isinstance(board, str) else board
        return r.logged_in or not b.members_only

    def page_of(self, items: list[T], page: int, per: int) -> tuple[list[T], int]:
        """The items on 1-based page ``page`` and the number of the last page."""
        return items[(page - 1) * per: page * per], pages(len(items), per)

    def listed(self, board: Board) -> list[Thread]:
        """Threads as listings show them: most recently active first."""
        with self._lock:
            return sorted(board.threads, key=lambda t: -t.posts[-1].id)

    # ------------------------------------------------------------ sessions

    def check_login(self, user: str | None, password: str | None) -> str | None:
        """A new session token when the credentials are right."""
        if user != self.username or password != self.password:
            return None
        token = secrets.token_hex(8)
        with self._lock:
            self._sessions.add(token)
            self.logins += 1
        return token

    def session_header(self, token: str) -> dict[str, str]:
        return {"Set-Cookie": f"{self.session_cookie}={token}; Path=/; HttpOnly"}

    def _logged_in(self, req: BaseHTTPRequestHandler) -> bool:
        for part in req.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.session_cookie and value in self._sessions:
                return True
        return False

    # ------------------------------------------------------------ HTTP

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(req.path)
        self.requests.append(req.path)
        form: dict[str, str] = {}
        if method == "POST":
            length = int(req.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(req.rfile.read(length).decode()).items()}
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        r = self.route(Request(method, url.path, query, form, self._logged_in(req), url.query,
                               dict(req.headers.items())))
        send(req, r.status, r.body, r.content_type, r.headers)

    def route(self, r: Request) -> Reply:  # pragma: no cover - every engine overrides it
        raise NotImplementedError
