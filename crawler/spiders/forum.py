"""Forums: (log in) -> boards -> threads -> posts; only posts newer than the last seen.

Threads are revisited every run, starting from the page where the newest processed
post was; a page without the logged-in marker means the session expired, so the
spider logs in again and retries the page once.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import FormRequest, Response

from crawler.errors import record
from crawler.items import DocumentItem
from crawler.profiles import Forum
from crawler.spiders.base import SourceSpider

_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y.%m.%d %H:%M",
                 "%d.%m.%Y %H:%M")


def parse_date(text: str | None) -> datetime | None:
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)  # site time: UTC
        except ValueError:
            continue
    return None


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

    async def start(self) -> AsyncIterator[Any]:
        for req in self.entry_requests():
            yield req

    def entry_requests(self) -> Iterator[scrapy.Request]:
        """Where a run begins: the login page, else the boards."""
        if self.source.login:
            yield self._login_request()
        else:
            yield from self._board_requests()

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
            response, formcss=login.form, formdata={login.username_field: user,
                                                    login.password_field: password},
            callback=self._after_login, errback=self.on_error, dont_filter=True,
            meta={"cookiejar": self.source.name})

    def _after_login(self, response: Response) -> Iterator[scrapy.Request]:
        self._logging_in = False
        if not self.logged_in(response):
            record(self.crawler.stats, "login_failed")
            return
        self.ok()
        if self._pending:
            pending, self._pending = self._pending, []
            yield from pending
        elif not getattr(self, "_boards_started", False):
            self._boards_started = True
            yield from self._board_requests()

    def logged_in(self, response: Response) -> bool:
        login = self.source.login
        return login is None or bool(self.select(response, login.logged_in_marker))

    def _expired(self, response: Response) -> Iterator[scrapy.Request]:
        """The session is gone: log in again, then retry this page (once per page)."""
        record(self.crawler.stats, "session_expired")
        tries = response.meta.get("relogged", 0)
        if tries >= 2 or self._relogins >= 10:
            record(self.crawler.stats, "login_failed")
            return
        retry = response.request.replace(dont_filter=True)  # type: ignore[union-attr]
        retry.meta["relogged"] = tries + 1
        self._pending.append(retry)
        if not self._logging_in:
            self._relogins += 1
            yield self._login_request()

    # ------------------------------------------------------------ boards and threads

    def _board_requests(self) -> Iterator[scrapy.Request]:
        forum = self.forum
        for board in forum.boards:
            yield self.request(board, self.parse_board, meta={"page": 1}, dont_filter=True)

    def parse_board(self, response: Response) -> Iterator[scrapy.Request]:
        forum = self.forum
        if not self.logged_in(response):
            yield from self._expired(response)
            return
        self.ok()
        id_re = re.compile(forum.thread_id)
        links = [(el.attrib.get("href") or el.get() or "") for el in
                 self.select(response, forum.thread_links)]
        threads = [(href, m.group("id")) for href in links if (m := id_re.search(href))]
        if self.repeated_listing(response, [tid for _, tid in threads]):
            return
        for href, tid in threads:
            _, page = self.state.last_post(tid)
            url = response.urljoin(href) + (f"?page={page}" if page > 1 and "?" not in href
                                            else "")
            yield self.request(url, self.parse_thread, meta={"thread_id": tid, "page": page})
        page = response.meta["page"]
        if forum.board_next and page < forum.board_pages:
            nxt = self.select(response, forum.board_next)
            if nxt:
                href = nxt[0].attrib.get("href") or nxt[0].get()
                yield self.request(response.urljoin(href), self.parse_board,
                                   meta={"page": page + 1})

    def parse_thread(self, response: Response) -> Iterator[Any]:
        forum = self.forum
        if not self.logged_in(response):
            yield from self._expired(response)
            return
        self.ok()
        tid = response.meta["thread_id"]
        page = response.meta["page"]
        last_seen, _ = self.state.last_post(tid)
        title = self.first_text(response, forum.thread_title)
        base = response.url.split("#")[0].split("?")[0]
        for post in self.select(response, forum.post):
            raw_id = self.first_text(post, forum.post_id)
            if not raw_id or not raw_id.strip().isdigit():
                continue
            post_id = int(raw_id)
            if post_id <= last_seen:
                continue
            body = self.first_text(post, forum.post_body) or ""
            yield DocumentItem(
                source=self.source.name, url=f"{base}#post-{post_id}", text=body, title=title,
                author=self.first_text(post, forum.post_author),
                posted_at=parse_date(self.first_text(post, forum.post_date)),
                item_id=f"{tid}:{post_id}:{page}")
        if forum.thread_next:
            nxt = self.select(response, forum.thread_next)
            if nxt:
                href = nxt[0].attrib.get("href") or nxt[0].get()
                yield self.request(response.urljoin(href), self.parse_thread,
                                   meta={"thread_id": tid, "page": page + 1})
