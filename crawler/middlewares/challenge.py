"""Anti-bot walls are recorded as blocked, never matched: Cloudflare challenges,
DDoS-Guard, onion queue pages (EndGame and similar), captcha forms.

No captcha is ever solved; the source is reported as blocked instead.
"""

from __future__ import annotations

import re

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.errors import Blocked, record

_BODY_MARKERS = re.compile(
    rb"(?i)<title>\s*(?:just a moment|attention required|ddos-guard|checking your browser)"
    rb"|g-recaptcha|h-captcha|cf-turnstile|captcha-container|name=[\"']captcha"
    rb"|you are in (?:the )?queue|queue position|please wait while we verify"
    rb"|endgame|access denied by ddos protection")


def challenge_reason(response: Response) -> str | None:
    h = response.headers
    if h.get(b"cf-mitigated", b"").lower() == b"challenge":
        return "cloudflare challenge"
    if b"ddos-guard" in h.get(b"server", b"").lower() and response.status in (403, 503):
        return "ddos-guard"
    if response.status in (200, 403, 429, 503) and _BODY_MARKERS.search(response.body[:65536]):
        return "challenge page"
    return None


class ChallengeMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        reason = challenge_reason(response)
        if reason:
            record(self.crawler.stats, "challenge")
            self.crawler.stats.inc_value("dumpwatch/blocked")
            raise Blocked(f"{reason} at {response.url}")
        return response
