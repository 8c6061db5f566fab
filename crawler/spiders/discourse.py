"""Discourse forums through their JSON API, not their (JavaScript-rendered) pages.

``/categories.json`` lists the boards (``boards: all``); ``/c/SLUG/ID/l/latest.json`` (or
``/latest.json``) lists topics, ``more_topics_url`` pointing at the next page; ``/t/ID.json``
holds the first chunk of ``post_stream.posts`` and, in ``post_stream.stream``, every
post id, the rest being fetched by ``/t/ID/posts.json?post_ids[]=…``. A post's text is
its ``cooked`` HTML reduced to text the way profile selectors do.

Identity and revisits are the forum spider's: a topic is ``BASE/t/ID``, a post
``BASE/t/ID#post-N``; a topic whose ``posts_count`` is unchanged since it was last read
whole is skipped, otherwise only posts newer than the newest processed are kept. A
category that answers 403/404 (read-restricted) is recorded as ``needs_login``.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from lxml import html as lxml_html
from scrapy.http import Response

from crawler.dates import parse_date
from crawler.errors import record
from crawler.items import DocumentItem, ThreadSeen
from crawler.selection import element_text
from crawler.spiders.base import SourceSpider

CHUNK = 20  # post ids per posts.json request (Discourse's own chunk size)


def board_json(path: str) -> str:
    """A board as a user writes it (``/c/market/5``, ``/latest``) -> its JSON listing."""
    path = path.split("#")[0]
    base, _, query = path.partition("?")
    if not base.endswith(".json"):
        if re.search(r"/c/.+", base) and "/l/" not in base:
            base = base.rstrip("/") + "/l/latest"
        base = base.rstrip("/") + ".json"
    return base + (f"?{query}" if query else "")


def cooked_text(cooked: str) -> str:
    if not cooked.strip():
        return ""
    return element_text(lxml_html.fragment_fromstring(cooked, create_parent="div"))


class DiscourseSpider(SourceSpider):
    async def start(self) -> AsyncIterator[Any]:
        self._threads_seen: set[str] = set()
        self._pending_chunks: dict[str, int] = {}
        forum = self.source.forum
        assert forum is not None
        if forum.boards == "all":
            yield self.json_request("/categories.json", self.parse_categories)
            return
        for board in forum.boards:
            yield self.json_request(board_json(board), self.parse_listing, page=1)

    def json_request(self, url: str, callback: Any, **meta: Any) -> scrapy.Request:
        return self.request(url, callback, meta={**meta, "handle_httpstatus_list": [403, 404]},
                            dont_filter=True, headers={"Accept": "application/json"})

    def data(self, response: Response) -> dict | None:
        """The JSON body; None (recorded) for a refused or broken answer."""
        if response.status in (403, 404):
            record(self.crawler.stats, "needs_login")
            return None
        try:
            out = json.loads(self.page_text(response) or "")
        except ValueError:
            record(self.crawler.stats, "broken_page")
            return None
        if not isinstance(out, dict):
            record(self.crawler.stats, "broken_page")
            return None
        self.ok()
        return out

    def topic_url(self, topic_id: int) -> str:
        return f"{self.source.base_url.rstrip('/')}/t/{topic_id}"

    # ------------------------------------------------------------ boards

    def parse_categories(self, response: Response) -> Iterator[scrapy.Request]:
        data = self.data(response)
        if data is None:
            return
        cats = (data.get("category_list") or {}).get("categories") or []
        if not cats:
            record(self.crawler.stats, "no_boards")
        for cat in cats:
            if isinstance(cat, dict) and "id" in cat:
                path = f"/c/{cat.get('slug') or cat['id']}/{cat['id']}/l/latest.json"
                yield self.json_request(path, self.parse_listing, page=1)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        data = self.data(response)
        if data is None:
            return
        topic_list = data.get("topic_list") or {}
        topics = [t for t in topic_list.get("topics") or [] if isinstance(t, dict) and "id" in t]
        if self.repeated_listing(response, [str(t["id"]) for t in topics]):
            return
        for topic in topics:
            url = self.topic_url(int(topic["id"]))
            if url in self._threads_seen:
                continue
            self._threads_seen.add(url)
            replies = topic.get("posts_count")
            known = self.state.thread(url)
            if known is not None and replies is not None and known.replies == replies:
                self.crawler.stats.inc_value("dumpwatch/threads_unchanged")
                continue
            yield self.json_request(f"/t/{int(topic['id'])}.json", self.parse_topic,
                                    thread_url=url, replies=replies)
        page = response.meta["page"]
        more = topic_list.get("more_topics_url")
        forum = self.source.forum
        assert forum is not None
        if more and page < forum.board_pages:
            yield self.json_request(board_json(more), self.parse_listing, page=page + 1)

    # ------------------------------------------------------------ topics

    def parse_topic(self, response: Response) -> Iterator[Any]:
        data = self.data(response)
        if data is None:
            return
        url = response.meta["thread_url"]
        stream = data.get("post_stream") or {}
        last_post, _, _ = self.state.last_post(url)
        title = data.get("title")
        posts = [p for p in stream.get("posts") or [] if isinstance(p, dict)]
        yield from self._items(url, title, posts, last_post)
        loaded = {p.get("id") for p in posts}
        missing = [i for i in stream.get("stream") or []
                   if isinstance(i, int) and i > last_post and i not in loaded]
        if not missing:
            yield ThreadSeen(url, response.meta.get("replies"))
            return
        chunks = [missing[i:i + CHUNK] for i in range(0, len(missing), CHUNK)]
        self._pending_chunks[url] = len(chunks)
        topic_id = url.rsplit("/", 1)[1]
        for chunk in chunks:
            query = urlencode([("post_ids[]", i) for i in chunk])
            yield self.json_request(f"/t/{topic_id}/posts.json?{query}", self.parse_posts,
                                    thread_url=url, title=title, last_post=last_post,
                                    replies=response.meta.get("replies"))

    def parse_posts(self, response: Response) -> Iterator[Any]:
        url = response.meta["thread_url"]
        data = self.data(response)
        if data is not None:
            posts = [p for p in (data.get("post_stream") or {}).get("posts") or []
                     if isinstance(p, dict)]
            yield from self._items(url, response.meta["title"], posts,
                                   response.meta["last_post"])
        self._pending_chunks[url] -= 1
        if self._pending_chunks[url] == 0 and data is not None:
            yield ThreadSeen(url, response.meta.get("replies"))

    def _items(self, url: str, title: str | None, posts: list[dict], last_post: int
               ) -> Iterator[DocumentItem]:
        for post in posts:
            pid = post.get("id")
            if not isinstance(pid, int) or pid <= last_post:
                continue
            text = cooked_text(str(post.get("cooked") or "")) or str(post.get("raw") or "")
            if not text:
                continue
            yield DocumentItem(
                source=self.source.name, url=f"{url}#post-{pid}", text=text, title=title,
                author=post.get("username"),
                posted_at=parse_date(post.get("created_at"), ["iso"], "UTC"),
                thread_url=url, post_id=f"post-{pid}",
                page=(int(post.get("post_number") or 1) - 1) // CHUNK + 1)
