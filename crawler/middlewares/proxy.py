"""Route a source through its proxy; .onion sources always through Tor's SOCKS port.

``socks5h`` makes the proxy resolve the name, so an .onion address is never looked up
locally; each source gets its own SOCKS username, which Tor's IsolateSOCKSAuth turns
into separate circuits.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class SourceProxyMiddleware:
    def __init__(self, proxy_url: str | None) -> None:
        if not proxy_url:
            raise NotConfigured("direct connection")
        self.proxy_url = proxy_url

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceProxyMiddleware:
        return cls(crawler.settings.get("DUMPWATCH_PROXY"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta.setdefault("proxy", self.proxy_url)
