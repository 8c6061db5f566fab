"""The profile spiders on a shared Redis frontier (scrapy-redis 0.9.1), for ``dumpwatch worker``.

Every worker process, on any machine, runs the same source spiders; per source they share
one request queue and one dupefilter in Redis (``dumpwatch:SOURCE:requests`` /
``:dupefilter``), so a page is fetched by one worker once per run, and a worker that dies
leaves the queue to the others. The monitor starts a run by pushing the source's entry to
``dumpwatch:SOURCE:start_urls`` (:func:`crawler.frontier.enqueue_run`).

scrapy-redis 0.9.1 only defines ``start_requests()``, which Scrapy 2.16+ never calls; these
spiders get an ``async def start()`` that pulls the first batch at once (rmax/scrapy-redis#317)
instead of waiting for the first idle signal. Requests are pickled into Redis: Redis must be
reachable by dumpwatch processes only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy_redis.spiders import RedisMixin

from crawler.spiders.forum import ForumSpider
from crawler.spiders.paste import PasteSpider
from crawler.spiders.telegram import TelegramPreviewSpider

KEY_PREFIX = "dumpwatch"


class RedisSourceMixin(RedisMixin):
    """Pulls run entries from Redis; everything after is the profile spider's own logic."""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Any:
        spider = super().from_crawler(crawler, *args, **kwargs)  # type: ignore[misc]
        spider.setup_redis(crawler)
        crawler.signals.connect(spider._busy, signal=signals.request_left_downloader)
        return spider

    def _busy(self, *args: Any, **kwargs: Any) -> None:
        # scrapy-redis counts idle time from the spider's start (or the last run entry):
        # count it from the last download instead, so --idle-exit means "without work".
        self.spider_idle_start_time = int(time.time())

    async def start(self) -> AsyncIterator[Any]:
        self.spider_idle_start_time = int(time.time())  # the class default is import time
        for req in await asyncio.to_thread(lambda: list(self.next_requests())):
            yield req

    def make_request_from_data(self, data: bytes) -> list[scrapy.Request]:
        """A run entry ``{"run": ...}`` pushed by the monitor becomes the source's entry
        requests (listing pages, boards), built by the profile spider itself."""
        try:
            entry = json.loads(data)
        except ValueError:
            self.logger.error("ignored a malformed run entry in Redis")
            return []
        if not isinstance(entry, dict) or "run" not in entry:
            return []
        self._new_run()
        return list(self.entry_requests())  # type: ignore[attr-defined]

    def _new_run(self) -> None:
        """Per-run memory of this process starts afresh with each run entry."""


class RedisPasteSpider(RedisSourceMixin, PasteSpider):
    def unseen(self, ids: list[str]) -> set[str]:
        # Other workers store pastes too: ask the database, not this process's memory.
        # Within a run, the shared dupefilter keeps a raw page from being fetched twice.
        return self.state.unseen_in_db(ids)

    def _new_run(self) -> None:
        self._scheduled.clear()
        self._listing_hashes.clear()


class RedisForumSpider(RedisSourceMixin, ForumSpider):
    """Forums without a login only: a session lives in one process's cookie jar, while
    requests from the shared queue land on any worker."""

    def _new_run(self) -> None:
        self._listing_hashes.clear()
        self._boards_seen.clear()
        self._threads_seen.clear()
        self.state.reload_threads()

    def entry_requests(self) -> Iterator[scrapy.Request]:
        yield from self._start_boards()


class RedisTelegramSpider(RedisSourceMixin, TelegramPreviewSpider):
    def _new_run(self) -> None:
        self.state.reload_threads()  # each channel's high-water mark, as any worker left it


def distributed_spider(kind: str) -> type[scrapy.Spider]:
    return {"paste": RedisPasteSpider, "forum": RedisForumSpider,
            "telegram_preview": RedisTelegramSpider}[kind]
