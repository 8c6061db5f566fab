"""A forum: boards, threads over several pages, sale posts, and a members-only board."""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from dumpwatch.testsites.server import send

THREADS_PER_PAGE = 10
POSTS_PER_PAGE = 5


@dataclass
class Post:
    id: int
    author: str
    body: str
    posted: str


@dataclass
class Thread:
    id: int
    board: str
    title: str
    posts: list[Post] = field(default_factory=list)


@dataclass
class ForumSite:
    username: str = "watcher"
    password: str = "s3cret-pass"
    members_only: frozenset[str] = frozenset({"members"})
    session_ttl_requests: int = 0  # >0: a session expires after this many requests
    boards: dict[str, list[Thread]] = field(default_factory=lambda: {
        "market": [], "members": [], "trap": []})
    requests: list[str] = field(default_factory=list)
    logins: int = 0
    _sessions: dict[str, int] = field(default_factory=dict)
    _next_thread: int = 1
    _next_post: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_thread(self, board: str, title: str, author: str, body: str) -> Thread:
        with self._lock:
            t = Thread(self._next_thread, board, title)
            self._next_thread += 1
            self.boards.setdefault(board, []).append(t)
        self.add_post(t.id, author, body)
        return t

    def add_post(self, thread_id: int, author: str, body: str) -> Post:
        with self._lock:
            thread = self._thread(thread_id)
            assert thread is not None
            p = Post(self._next_post, author, body, time.strftime("%Y-%m-%d %H:%M:%S"))
            self._next_post += 1
            thread.posts.append(p)
            return p

    def _thread(self, tid: int) -> Thread | None:
        return next((t for ts in self.boards.values() for t in ts if t.id == tid), None)

    def expire_sessions(self) -> None:
        self._sessions.clear()

    # ------------------------------------------------------------ HTTP

    def _session(self, req: BaseHTTPRequestHandler) -> bool:
        cookie = req.headers.get("Cookie", "")
        token = next((c.split("=", 1)[1] for c in cookie.split("; ") if c.startswith("sid=")),
                     None)
        with self._lock:
            if token is None or token not in self._sessions:
                return False
            if self.session_ttl_requests:
                self._sessions[token] -= 1
                if self._sessions[token] < 0:
                    del self._sessions[token]
                    return False
            return True

    def _page(self, body: str, logged_in: bool) -> str:
        nav = ("<a class='logout' href='/logout'>logout</a>" if logged_in
               else "<a class='login' href='/login'>login</a>")
        return f"<html><body><nav>{nav}</nav>{body}</body></html>"

    def _login_form(self) -> str:
        return ("<form id='login' method='post' action='/login'>"
                "<input type='hidden' name='csrf' value='tok123'>"
                "<input name='user'><input name='pass' type='password'>"
                "<button type='submit'>login</button></form>")

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(req.path)
        self.requests.append(req.path)
        q = parse_qs(url.query)
        page = int(q.get("page", ["1"])[0])
        if url.path == "/login" and method == "POST":
            length = int(req.headers.get("Content-Length", "0"))
            form = parse_qs(req.rfile.read(length).decode())
            ok = form.get("user") == [self.username] and form.get("pass") == [self.password]
            if not ok or form.get("csrf") != ["tok123"]:
                return send(req, 200, self._page("<p class='error'>bad login</p>"
                                                 + self._login_form(), False))
            token = secrets.token_hex(8)
            with self._lock:
                self._sessions[token] = self.session_ttl_requests
                self.logins += 1
            return send(req, 200, self._page("<p>welcome</p>", True),
                        headers={"Set-Cookie": f"sid={token}; Path=/; HttpOnly"})
        logged_in = self._session(req)
        if url.path == "/login":
            return send(req, 200, self._page(self._login_form(), logged_in))
        if url.path == "/":
            links = "".join(f"<a class='board' href='/board/{b}'>{b}</a>" for b in self.boards)
            return send(req, 200, self._page(links, logged_in))
        parts = url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "board":
            return self._board(req, parts[1], page, logged_in)
        if len(parts) == 2 and parts[0] == "thread" and parts[1].isdigit():
            return self._thread_page(req, int(parts[1]), page, logged_in)
        return send(req, 404, self._page("<h1>not found</h1>", logged_in))

    def _board(self, req: BaseHTTPRequestHandler, board: str, page: int, logged_in: bool
               ) -> None:
        if board in self.members_only and not logged_in:
            return send(req, 200, self._page("<p>members only</p>" + self._login_form(), False))
        with self._lock:
            threads = sorted(self.boards.get(board, []), key=lambda t: -t.posts[-1].id)
        if board == "trap":  # every page links to a next one, forever, with the same threads
            chunk, more = threads[:THREADS_PER_PAGE], True
        else:
            chunk = threads[(page - 1) * THREADS_PER_PAGE: page * THREADS_PER_PAGE]
            more = len(threads) > page * THREADS_PER_PAGE
        rows = "".join(f"<li><a class='thread' href='/thread/{t.id}'>{html.escape(t.title)}</a>"
                       f" <span class='replies'>{len(t.posts)}</span></li>" for t in chunk)
        nxt = f"<a class='next' href='/board/{board}?page={page + 1}'>next</a>" if more else ""
        send(req, 200, self._page(f"<h1>{board}</h1><ul>{rows}</ul>{nxt}", logged_in))

    def _thread_page(self, req: BaseHTTPRequestHandler, tid: int, page: int, logged_in: bool
                     ) -> None:
        thread = self._thread(tid)
        if thread is None:
            return send(req, 404, self._page("<h1>no such thread</h1>", logged_in))
        if thread.board in self.members_only and not logged_in:
            return send(req, 200, self._page("<p>members only</p>" + self._login_form(), False))
        posts = thread.posts[(page - 1) * POSTS_PER_PAGE: page * POSTS_PER_PAGE]
        body = "".join(
            f"<div class='post' data-id='{p.id}'><span class='author'>{html.escape(p.author)}"
            f"</span><span class='date'>{p.posted}</span><div class='body'>"
            f"{html.escape(p.body).replace(chr(10), '<br>')}</div></div>" for p in posts)
        last = (len(thread.posts) - 1) // POSTS_PER_PAGE + 1
        nav = "".join(f"<a class='page' href='/thread/{tid}?page={n}'>{n}</a>"
                      for n in range(1, last + 1))
        nxt = f"<a class='next' href='/thread/{tid}?page={page + 1}'>next</a>" if page < last \
            else ""
        send(req, 200, self._page(f"<h1 class='thread-title'>{html.escape(thread.title)}</h1>"
                                  f"{body}<div class='pages'>{nav}</div>{nxt}", logged_in))
