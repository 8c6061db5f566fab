"""Forums: (log in) -> boards (listed, or found on the board index) -> threads -> posts.

Identity: a thread is its canonical URL (query kept, tracking and session parameters
dropped, sorted; ``thread_params`` narrows it on engines whose links carry list state);
a post is that URL + ``#post-ID``, a comment ``#comment-ID``. So thread 7 of board A and
thread 7 of board B never collide.

Revisits: a thread whose listing row shows the same reply count as when it was last read
whole is not fetched again; otherwise the crawl starts at the page of the newest post
processed and keeps only newer posts and comments. A page without the logged-in marker
means the session expired: log in again, retry the page. A members-only page (a login
form, or a JavaScript ``alert()`` page instead of content) is recorded as
``needs_login``, never as an empty board.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import scrapy
from scrapy.http import FormRequest, Response

from crawler import selection
from crawler.canonical import canonical_url
from crawler.dates import parse_date
from crawler.errors import record
from crawler.items import DocumentItem, ThreadSeen
from crawler.profiles import Forum
from crawler.spiders import media
from crawler.spiders.base import SourceSpider

_ALERT = re.compile(r"\balert\s*\(")
_NUMBER = re.compile(r"\d+")


def last_number(value: str | None) -> int | None:
    """Post ids as pages print them: "c_123", "post-123", "123" -> 123."""
    found = _NUMBER.findall(value or "")
    return int(found[-1]) if found else None


def login_wall(page: Any) -> bool:
    """A page that asks for a login instead of showing content: a password field, or a
    bare page whose script pops up an ``alert()`` (Gnuboard's bbs/alert.php, XE's
    "no permission" page). Call it only for pages where the expected content is missing:
    an empty board still has its menus around it, an alert page has nothing visible."""
    if page.css("input[type=password]"):
        return True
    if not any(_ALERT.search(s) for s in page.xpath("//script[not(@src)]/text()").getall()):
        return False
    body = page.xpath("//body")
    return len(selection.element_text(body[0].root) if body else "") < 200


class ForumSpider(SourceSpider):
    @property
    def forum(self) -> Forum:
        assert self.source.forum is not None  # the profile validator guarantees it
        return self.source.forum

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[scrapy.Request] = []
        self._logging_in = False
        self._relogins = 0
        self._boards_seen: set[str] = set()
        self._threads_seen: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        for req in self.entry_requests():
            yield req

    def entry_requests(self) -> Iterator[scrapy.Request]:
        """Where a run begins: the login page, else the boards."""
        if self.source.logs_in:
            yield self._login_request()
        else:
            yield from self._start_boards()

    def request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        """Forum pages answering 401/403 reach the callbacks: that is how several engines
        refuse a members-only board, and the page says whether a login would help."""
        kwargs.setdefault("meta", {}).setdefault("handle_httpstatus_list", [401, 403])
        return super().request(url, callback, **kwargs)

    # ------------------------------------------------------------ login

    def _login_request(self) -> scrapy.Request:
        self._logging_in = True
        return self.request(self.source.login.url, self._submit_login,  # type: ignore[union-attr]
                            dont_filter=True)

    def _submit_login(self, response: Response) -> scrapy.Request:
        login = self.source.login
        assert login is not None
        user, password = self.source.credentials()
        return FormRequest.from_response(
            self.html(response), formcss=login.form,
            formdata={login.username_field: user, login.password_field: password},
            callback=self._after_login, errback=self.on_error, dont_filter=True,
            meta={"cookiejar": self.source.name})

    def _after_login(self, response: Response) -> Iterator[scrapy.Request]:
        self._logging_in = False
        if not self.logged_in(self.html(response)):
            record(self.crawler.stats, "login_failed")
            return
        self.ok()
        if self._pending:
            pending, self._pending = self._pending, []
            yield from pending
        elif not getattr(self, "_boards_started", False):
            self._boards_started = True
            yield from self._start_boards()

    def logged_in(self, page: Response) -> bool:
        login = self.source.login
        return not self.source.logs_in or login is None or bool(
            self.select(page, login.logged_in_marker))

    def _expired(self, response: Response, page: Response) -> Iterator[scrapy.Request]:
        """The session is gone: log in again, then retry this page (twice at most)."""
        tries = response.meta.get("relogged", 0)
        if tries >= 2 or self._relogins >= 10:
            # still walled after fresh logins: the account may not read this board
            record(self.crawler.stats, "needs_login" if login_wall(page) else "login_failed")
            return
        record(self.crawler.stats, "session_expired")
        retry = response.request.replace(dont_filter=True)  # type: ignore[union-attr]
        retry.meta["relogged"] = tries + 1
        self._pending.append(retry)
        if not self._logging_in:
            self._relogins += 1
            yield self._login_request()

    def _walled(self, response: Response, page: Response, has_content: bool
                ) -> list[scrapy.Request] | None:
        """None when the page is content to use; else what to do instead (maybe nothing)."""
        if response.status in (401, 403) and not self.source.logs_in:
            record(self.crawler.stats, "needs_login")  # XenForo, FlaskBB: 403 for guests
            return []
        if not self.logged_in(page):
            return list(self._expired(response, page))
        if not has_content and (login_wall(page) or (
                self.forum.login_wall and self.select(page, self.forum.login_wall))):
            record(self.crawler.stats, "needs_login")
            return []
        return None

    # ------------------------------------------------------------ boards

    def _start_boards(self) -> Iterator[scrapy.Request]:
        forum = self.forum
        if forum.boards == "all":
            yield self.request(forum.board_index, self.parse_index, dont_filter=True)
            return
        for board in forum.boards:
            yield self._board_request(self.url(board))

    def _board_request(self, url: str) -> scrapy.Request:
        return self.request(url, self.parse_board, meta={"page": 1}, dont_filter=True)

    def board_urls(self, page: Response) -> list[str]:
        """Board links on the board index, one per board id, in page order."""
        forum = self.forum
        id_re = re.compile(forum.board_id)
        out, ids = [], set()
        for href in selection.links(page, forum.board_links):
            url = page.urljoin(href)
            m = id_re.search(url)
            if m and m.group("id") not in ids and url.startswith(self.source.base_url.rstrip(
                    "/")):
                ids.add(m.group("id"))
                out.append(canonical_url(url))
        return out

    def parse_index(self, response: Response) -> Iterator[scrapy.Request]:
        page = self.html(response)
        boards = self.board_urls(page)
        walled = self._walled(response, page, bool(boards))
        if walled is not None:
            yield from walled
            return
        self.ok()
        if not boards:
            record(self.crawler.stats, "no_boards")
        for url in boards:
            if url not in self._boards_seen:
                self._boards_seen.add(url)
                yield self._board_request(url)

    def threads(self, page: Response) -> list[tuple[str, str, int | None]]:
        """(canonical thread URL, thread id, reply count or None) per listed thread."""
        forum = self.forum
        id_re = re.compile(forum.thread_id)
        rows = self.select(page, forum.thread_row) if forum.thread_row else [page]
        out = []
        for row in rows:
            replies = None
            if forum.thread_row and forum.thread_replies:
                replies = last_number(selection.first(row, forum.thread_replies)) or 0
            for href in selection.links(row, forum.thread_links):
                url = page.urljoin(href)
                m = id_re.search(url)
                if m:
                    out.append((canonical_url(url, forum.thread_params), m.group("id"), replies))
                    if forum.thread_row:
                        break  # one thread per row (the first link naming one)
        return out

    def parse_board(self, response: Response) -> Iterator[scrapy.Request]:
        forum = self.forum
        page = self.html(response)
        threads = self.threads(page)
        walled = self._walled(response, page, bool(threads))
        if walled is not None:
            yield from walled
            return
        self.ok()
        if self.repeated_listing(response, [url for url, _, _ in threads]):
            return
        for url, tid, replies in threads:
            if url in self._threads_seen:
                continue  # notices repeat on every page
            self._threads_seen.add(url)
            known = self.state.thread(url)
            if known is not None and replies is not None and known.replies == replies:
                self.crawler.stats.inc_value("dumpwatch/threads_unchanged")
                continue
            _, _, last_page = self.state.last_post(url)
            target = url + (f"?page={last_page}" if last_page > 1 and "?" not in url else "")
            yield self.request(target, self.parse_thread, meta={
                "thread_url": url, "thread_id": tid, "page": last_page, "replies": replies})
        number = response.meta["page"]
        if forum.board_next and number < forum.board_pages:
            nxt = selection.links(page, forum.board_next)
            if nxt:
                yield self.request(page.urljoin(nxt[0]), self.parse_board,
                                   meta={"page": number + 1})

    # ------------------------------------------------------------ threads

    def parse_thread(self, response: Response) -> Iterator[Any]:
        forum = self.forum
        page = self.html(response)
        posts = self.select(page, forum.post)
        comments = self.select(page, forum.comment) if forum.comment else []
        walled = self._walled(response, page, bool(posts) or bool(comments))
        if walled is not None:
            yield from walled
            return
        self.ok()
        meta = response.meta
        url, number = meta["thread_url"], meta["page"]
        if meta.get("redirect_urls") and "visited" not in meta:
            # the listing linked a post ("first unread", FlaskBB's /post/N for members) and
            # the engine redirected to the thread itself: that URL is the thread's identity
            final = canonical_url(response.url, forum.thread_params)
            if re.search(forum.thread_id, final):
                url = final
        # what was processed before this thread's visit began: pages may come in any order
        # (XE/Rhymix open on the LAST comment page), so the bound must not move mid-visit
        since = meta.get("since") or self.state.last_post(url)[:2]
        last_post, last_comment = since
        title = selection.first(page, forum.thread_title)
        fetched = self.capture(response)
        for post in posts:
            pid = last_number(selection.first(post, forum.post_id) if forum.post_id
                              else meta["thread_id"])
            if pid is not None and pid > last_post:
                yield from self._item(response, post, url, f"post-{pid}", number, title,
                                      selection.first(post, forum.post_body),
                                      selection.first(post, forum.post_author),
                                      selection.first(post, forum.post_date), fetched)
        for comment in comments:
            cid = last_number(selection.first(comment, forum.comment_id))
            if cid is not None and cid > last_comment:
                yield from self._item(response, comment, url, f"comment-{cid}", number, title,
                                      selection.first(comment, forum.comment_body),
                                      selection.first(comment, forum.comment_author),
                                      selection.first(comment, forum.comment_date), fetched)
        nxt = selection.links(page, forum.thread_next) if forum.thread_next else []
        visited = (*meta.get("visited", ()), canonical_url(response.url))
        target = page.urljoin(nxt[0]) if nxt else None
        if target and canonical_url(target) not in visited:
            yield self.request(target, self.parse_thread, meta={
                **{k: meta[k] for k in ("thread_id", "replies")}, "thread_url": url,
                "page": number + 1, "since": since, "visited": visited})
        else:  # no next page, or it leads back to a page of this visit: the thread is read
            yield ThreadSeen(url, meta.get("replies"))

    def _item(self, response: Response, node: Any, thread_url: str, post_id: str, page: int,
              title: str | None, body: str | None, author: str | None, date: str | None,
              fetched: dict[str, Any]) -> Iterator[Any]:
        """A post or comment, then its attachments (and images, with OCR on)."""
        doc = DocumentItem(
            source=self.source.name, url=f"{thread_url}#{post_id}", text=body or "",
            title=title, author=author, posted_at=self.parse_date(date),
            thread_url=thread_url, post_id=post_id, page=page, **fetched)
        if body:  # an image-only post has nothing to match but may carry files
            yield doc
        yield from media.files(self, response, doc, node)

    def parse_date(self, text: str | None) -> datetime | None:
        return parse_date(text, self.source.date_format, self.source.timezone)
