"""Record redirect loops instead of letting the dupefilter drop them silently.

A 3xx whose target is already in its own redirect chain can never succeed; Scrapy's
RedirectMiddleware would follow it and the dupefilter would quietly discard the
repeat, so the loop would leave no trace in the crawl run.
"""

from __future__ import annotations

from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawler.errors import record


class RedirectLoop(IgnoreRequest):
    kind = "redirect_loop"


class RedirectLoopMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location:
            target = urljoin(request.url, location.decode("latin-1"))
            chain = [*request.meta.get("redirect_urls", []), request.url]
            if target in chain:
                record(self.crawler.stats, "redirect_loop")
                raise RedirectLoop(f"redirect loop at {request.url}")
        return response
