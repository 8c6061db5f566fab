"""Run one source once, in this process (Scrapy's reactor starts once per process)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrapy.crawler import CrawlerProcess

from crawler.profiles import Source
from crawler.spiders.forum import ForumSpider
from crawler.spiders.paste import PasteSpider
from crawler.state import CrawlState
from dumpwatch.storage.db import open_database


@dataclass
class RunContext:
    """The live objects of one run, hung on the crawler for components to pick up."""

    home: Path
    source: Source
    state: CrawlState


def run_source(home: Path, source: Source) -> dict:
    """Crawl ``source`` once; returns the run summary (also stored as a CrawlRun)."""
    from crawler.settings import crawl_settings

    if source.login:
        source.credentials()  # fail before starting if they are missing
    db = open_database(home)
    state = CrawlState(db, source.name)
    process = CrawlerProcess(crawl_settings(source, str(home)))
    spider_cls = PasteSpider if source.kind == "paste" else ForumSpider
    crawler = process.create_crawler(spider_cls)
    crawler.dumpwatch = RunContext(home, source, state)  # type: ignore[attr-defined]
    process.crawl(crawler, source=source, state=state)
    process.start()
    recorder = getattr(crawler, "dumpwatch_recorder", None)
    db.dispose()
    return recorder.summary if recorder else {"source": source.name, "status": "failed"}
