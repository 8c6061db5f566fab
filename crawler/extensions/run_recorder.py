"""Writes the crawl run (pages, documents, errors by kind, duration) and source health."""

from __future__ import annotations

import json
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from crawler.errors import STAT_PREFIX
from crawler.profiles import Source
from dumpwatch.storage import CrawlRun, Database, SourceState
from dumpwatch.storage.models import utcnow


class RunRecorder:
    def __init__(self, crawler: Crawler, db: Database, source: Source) -> None:
        self.crawler = crawler
        self.db = db
        self.source = source
        self.run_id: int | None = None
        self.started = time.monotonic()
        self.summary: dict = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        ctx = crawler.dumpwatch  # type: ignore[attr-defined]
        ext = cls(crawler, ctx.state.db, ctx.source)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        crawler.dumpwatch_recorder = ext  # type: ignore[attr-defined]
        return ext

    def opened(self, spider: Spider) -> None:
        with self.db.session() as s:
            run = CrawlRun(source=self.source.name)
            s.add(run)
            s.commit()
            self.run_id = run.id

    def closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        errors = {k[len(STAT_PREFIX):]: v for k, v in stats.items() if k.startswith(STAT_PREFIX)}
        pages = int(stats.get("response_received_count", 0))
        documents = int(stats.get("dumpwatch/documents", 0))
        blocked = int(stats.get("dumpwatch/blocked", 0))
        failed = reason not in ("finished", "closespider_pagecount") or (
            pages == 0 and sum(errors.values()) > 0)
        status = "unhealthy" if reason == "unhealthy" else ("failed" if failed else (
            "partial" if errors else "ok"))
        self.summary = {
            "source": self.source.name, "status": status, "reason": reason, "pages": pages,
            "documents": documents, "new_documents": int(stats.get("dumpwatch/new_documents", 0)),
            "new_findings": int(stats.get("dumpwatch/new_findings", 0)), "blocked": blocked,
            "errors": errors, "duration": round(time.monotonic() - self.started, 2)}
        with self.db.session() as s:
            run = s.get(CrawlRun, self.run_id)
            if run is not None:
                run.finished_at = utcnow()
                run.status = status
                run.pages = pages
                run.documents = documents
                run.new_documents = self.summary["new_documents"]
                run.new_findings = self.summary["new_findings"]
                run.blocked = blocked
                run.errors = json.dumps(errors, sort_keys=True)
                run.duration = self.summary["duration"]
                s.add(run)
            st = s.get(SourceState, self.source.name) or SourceState(name=self.source.name)
            st.last_run_at = utcnow()
            st.blocked_total += blocked
            if status in ("failed", "unhealthy"):
                st.consecutive_failures += 1
                st.last_error = f"{status}: {reason}; errors {errors}"
                if st.consecutive_failures >= self.source.politeness.unhealthy_after or \
                        status == "unhealthy":
                    st.healthy = False
            else:
                st.consecutive_failures = 0
                st.healthy = True
                st.last_ok_at = utcnow()
            s.add(st)
            s.commit()
