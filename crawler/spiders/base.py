"""What both spiders share: the profile, run state, error accounting and decoding."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler import selection
from crawler.charset import decode_page
from crawler.errors import classify, record
from crawler.profiles import Source
from crawler.state import CrawlState
from matcher.decode import looks_binary

TEXT_TYPES = (b"text/", b"application/json", b"application/xml", b"application/xhtml")


class SourceSpider(scrapy.Spider):
    """Base of the profile-driven spiders; ``source`` and ``state`` come from the runner."""

    source: Source
    state: CrawlState

    def __init__(self, source: Source, state: CrawlState, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source = source
        self.state = state
        self.consecutive_failures = 0
        self._listing_hashes: set[str] = set()

    def url(self, path: str) -> str:
        return urljoin(self.source.base_url.rstrip("/") + "/", path.lstrip("/")) if not (
            path.startswith("http://") or path.startswith("https://")) else path

    def request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        meta = kwargs.pop("meta", {})
        meta.setdefault("cookiejar", self.source.name)
        return scrapy.Request(self.url(url), callback=callback, errback=self.on_error,
                              meta=meta, **kwargs)

    def parse_file(self, response: Response) -> Any:
        """A file linked from a post (crawler/spiders/media.py): handed over as bytes."""
        from crawler.spiders.media import file_item

        return file_item(self, response)

    # ------------------------------------------------------------ faults

    def on_error(self, failure: Failure) -> None:
        kind = classify(failure)
        if kind in ("challenge", "redirect_loop"):
            return  # recorded by the middleware that raised it
        record(self.crawler.stats, kind)
        self.consecutive_failures += 1
        limit = max(10, 3 * self.source.politeness.concurrency)
        if self.consecutive_failures >= limit:
            raise CloseSpider("unhealthy")

    def ok(self) -> None:
        self.consecutive_failures = 0

    def page_text(self, response: Response) -> str | None:
        """Decoded text of a content page; None (recorded) for binary content."""
        ctype = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        if (ctype and not ctype.startswith(TEXT_TYPES)) or looks_binary(response.body):
            record(self.crawler.stats, "binary")
            return None
        return decode_page(response.body, response.headers.get(b"Content-Type", b"").decode(
            "latin-1"), self.source.charset, html=ctype in (b"text/html", b"application/xhtml"))

    def html(self, response: Response) -> HtmlResponse:
        """The page re-decoded by :func:`decode_page` (header, BOM, meta tag, detection),
        so selectors see the right text whatever the site declared."""
        text = decode_page(response.body, response.headers.get(b"Content-Type", b"").decode(
            "latin-1"), self.source.charset, html=True)
        return response.replace(cls=HtmlResponse, body=text.encode("utf-8"), encoding="utf-8")

    def capture(self, response: Response) -> dict[str, Any]:
        """DocumentItem fields recording how a page was fetched (for evidence bundles)."""
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        return {"http_status": response.status, "headers": headers,
                "raw_sha256": hashlib.sha256(response.body).hexdigest(),
                "raw_length": len(response.body)}

    def repeated_listing(self, response: Response, items: list[str]) -> bool:
        """A listing page whose items were all on an earlier page this run: a pagination
        trap (endless "next" links over the same content), so stop following it."""
        key = hashlib.sha256("\n".join(sorted(items)).encode()).hexdigest() if items else (
            hashlib.sha256(response.body).hexdigest())
        if key in self._listing_hashes:
            record(self.crawler.stats, "pagination_trap")
            return True
        self._listing_hashes.add(key)
        return False

    def select(self, node: Any, selector: str) -> Any:
        return selection.select(node, selector)

    def first_text(self, node: Any, selector: str | None) -> str | None:
        return selection.first(node, selector)
