"""``dumpwatch worker``: crawl sources from the shared Redis frontier, store in the shared DB.

One process runs one spider per source; any number of such processes, on any machines,
cooperate through Redis. Results go to the database in ``DUMPWATCH_DB_URL`` (PostgreSQL for
a fleet) and matching uses HOME/corpora, which each worker needs a copy of.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess

from crawler.frontier import redis_settings
from crawler.profiles import Source
from crawler.run import RunContext
from crawler.settings import crawl_settings
from crawler.spiders.distributed import distributed_spider
from crawler.state import CrawlState
from dumpwatch.errors import ConfigError
from dumpwatch.monitor.config import MonitorConfig
from dumpwatch.storage.db import open_database


def distributable(source: Source) -> bool:
    """A logged-in forum keeps its session in one process, and the Discourse JSON spider has
    no shared-frontier variant yet: both are crawled locally."""
    discourse = source.forum is not None and source.forum.api == "discourse"
    return not source.logs_in and not discourse


def run_worker(home: Path, sources: dict[str, Source], redis_url: str,
               monitor: MonitorConfig | None = None, idle_exit: float = 0) -> list[dict]:
    """Serve ``sources`` until stopped (or idle for ``idle_exit`` seconds); run summaries."""
    chosen = [s for s in sources.values() if s.enabled]
    refused = [s.name for s in chosen if not distributable(s)]
    if refused:
        raise ConfigError(f"sources with a login (or Discourse's API) cannot be shared "
                          f"between workers: "
                          f"{', '.join(refused)} (leave them to `dumpwatch run`)")
    if not chosen:
        raise ConfigError("no enabled sources for this worker")
    db = open_database(home)  # verifies (or brings) the schema before any crawl starts
    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False})
    crawlers = []
    for i, source in enumerate(chosen):
        settings = {**crawl_settings(source, str(home)), **redis_settings(redis_url, idle_exit)}
        # each source its own settings (politeness, proxy); the first installs the reactor
        crawler = Crawler(distributed_spider(source.kind), settings, init_reactor=i == 0)
        state = CrawlState(db, source.name)
        crawler.dumpwatch = RunContext(  # type: ignore[attr-defined]
            home, source, state, monitor or MonitorConfig())
        process.crawl(crawler, source=source, state=state)
        crawlers.append((source, crawler))
    process.start()
    db.dispose()
    out = []
    for source, crawler in crawlers:
        rec = getattr(crawler, "dumpwatch_recorder", None)
        out.append(rec.summary if rec else {"source": source.name, "status": "failed"})
    return out
