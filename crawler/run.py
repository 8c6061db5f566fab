"""Run one source once, in this process (Scrapy's reactor starts once per process)."""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scrapy.crawler import CrawlerProcess

from crawler.profiles import Source
from crawler.spiders.discourse import DiscourseSpider
from crawler.spiders.forum import ForumSpider
from crawler.spiders.paste import PasteSpider
from crawler.spiders.telegram import TelegramPreviewSpider
from crawler.state import CrawlState
from dumpwatch.monitor.config import MonitorConfig
from dumpwatch.storage.db import open_database


def _source_lock(home: Path, name: str) -> IO[str] | None:
    """One crawl per source at a time, across processes and monitor restarts."""
    folder = home / "locks"
    folder.mkdir(exist_ok=True)
    fh = open(folder / f"{name}.lock", "w")  # noqa: SIM115 - held for the whole crawl
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    return fh


@dataclass
class RunContext:
    """The live objects of one run, hung on the crawler for components to pick up."""

    home: Path
    source: Source
    state: CrawlState
    monitor: MonitorConfig


def run_source(home: Path, source: Source, monitor: MonitorConfig | None = None) -> dict:
    """Crawl ``source`` once; returns the run summary (also stored as a CrawlRun)."""
    from crawler.settings import crawl_settings

    if source.logs_in:
        source.credentials()  # fail before starting if they are missing
    lock = _source_lock(home, source.name)
    if lock is None:
        return {"source": source.name, "status": "busy",
                "reason": "another crawl of this source is running"}
    db = open_database(home)
    state = CrawlState(db, source.name)
    process = CrawlerProcess(crawl_settings(source, str(home)))
    if source.kind == "forum" and source.forum and source.forum.api == "discourse":
        spider_cls = DiscourseSpider
    else:
        spider_cls = {"paste": PasteSpider, "forum": ForumSpider,
                      "telegram_preview": TelegramPreviewSpider}[source.kind]
    crawler = process.create_crawler(spider_cls)
    crawler.dumpwatch = RunContext(  # type: ignore[attr-defined]
        home, source, state, monitor or MonitorConfig())
    process.crawl(crawler, source=source, state=state)
    process.start()
    recorder = getattr(crawler, "dumpwatch_recorder", None)
    db.dispose()
    lock.close()
    return recorder.summary if recorder else {"source": source.name, "status": "failed"}
