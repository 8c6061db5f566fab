"""Honour Retry-After on 429/503 and back off exponentially per download slot.

Scrapy has no Retry-After support (scrapy#3849) and AutoThrottle never raises its
delay on errors. Here a 429 or 503 waits what the server asked (capped), doubles the
slot's delay, and retries the request a bounded number of times; each success halves
the delay back towards the configured one.
"""

from __future__ import annotations

import asyncio
import email.utils
import time

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.errors import record

THROTTLE_CODES = (429, 503)


def retry_after_seconds(value: bytes | None, cap: float) -> float | None:
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return min(float(text), cap)
    try:
        when = email.utils.parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
    return min(max(0.0, when - time.time()), cap)


class RetryAfterMiddleware:
    def __init__(self, crawler: Crawler, base_delay: float, max_backoff: float,
                 max_retries: int) -> None:
        self.crawler = crawler
        self.base_delay = base_delay
        self.max_backoff = max_backoff
        self.max_retries = max_retries

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        return cls(crawler, s.getfloat("DOWNLOAD_DELAY"), s.getfloat("DUMPWATCH_MAX_BACKOFF"),
                   s.getint("DUMPWATCH_THROTTLE_RETRIES", 3))

    def _slot(self, request: Request):
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return None
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        return downloader.slots.get(key)

    async def process_response(self, request: Request, response: Response,
                               spider: Spider | None = None) -> Request | Response:
        slot = self._slot(request)
        if response.status not in THROTTLE_CODES:
            if slot is not None and slot.delay > self.base_delay:
                slot.delay = max(self.base_delay, slot.delay / 2)
            return response
        stats = self.crawler.stats
        record(stats, f"http_{response.status}")
        retries = request.meta.get("throttle_retries", 0)
        if slot is not None:
            slot.delay = min(self.max_backoff, max(1.0, slot.delay * 2 or 1.0))
        if retries >= self.max_retries:
            return response  # HttpErrorMiddleware turns it into a recorded failure
        wait = retry_after_seconds(response.headers.get(b"Retry-After"), self.max_backoff)
        await asyncio.sleep(wait if wait is not None else (slot.delay if slot else 1.0))
        retry = request.replace(dont_filter=True)
        retry.meta["throttle_retries"] = retries + 1
        return retry
