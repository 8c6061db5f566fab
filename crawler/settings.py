"""Scrapy settings for one source's crawl: every default in one commented place."""

from __future__ import annotations

from typing import Any

from crawler.profiles import Source


def crawl_settings(source: Source, home: str) -> dict[str, Any]:
    """Plain values only: Scrapy copies settings. Live objects travel in ``RunContext``."""
    p = source.politeness
    proxy = source.proxy_url()
    settings: dict[str, Any] = {
        "BOT_NAME": "dumpwatch",
        "USER_AGENT": source.user_agent,
        "ROBOTSTXT_OBEY": False,  # leak sites forbid everything; politeness is below instead
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
        # Plaintext on disk: never. The HTTP cache would keep leaked pages verbatim.
        "HTTPCACHE_ENABLED": False,
        "DOWNLOAD_DELAY": p.delay,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        "CONCURRENT_REQUESTS": p.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": p.concurrency,
        "DOWNLOAD_TIMEOUT": p.timeout,
        "DOWNLOAD_MAXSIZE": p.max_page_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "CLOSESPIDER_PAGECOUNT": p.pages_per_run,
        "REDIRECT_MAX_TIMES": 5,
        "RETRY_TIMES": p.retries,
        "RETRY_HTTP_CODES": [500, 502, 504, 522, 524, 408],  # 429/503: RetryAfterMiddleware
        "COOKIES_ENABLED": True,
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.middlewares.politeness.RetryAfterMiddleware": 545,
            "crawler.middlewares.challenge.ChallengeMiddleware": 580,
            "crawler.middlewares.redirects.RedirectLoopMiddleware": 610,  # sees 3xx first
            "crawler.middlewares.proxy.SourceProxyMiddleware": 740,
        },
        "ITEM_PIPELINES": {"crawler.pipelines.matching.MatchPipeline": 300},
        "EXTENSIONS": {"crawler.extensions.run_recorder.RunRecorder": 500},
        "DUMPWATCH_HOME": home,
        "DUMPWATCH_PROXY": proxy,
        "DUMPWATCH_MAX_BACKOFF": p.max_backoff,
        "DUMPWATCH_THROTTLE_RETRIES": 3,
    }
    if proxy and proxy.startswith("socks"):
        # Scrapy's default handler has no SOCKS (scrapy#747); the httpx one sends the host
        # name to the proxy (ATYP 3), so .onion names are never resolved here.
        handler = "scrapy.core.downloader.handlers._httpx.HttpxDownloadHandler"
        settings["DOWNLOAD_HANDLERS"] = {"http": handler, "https": handler}
    return settings
