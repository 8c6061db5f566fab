"""``dumpwatch run``: APScheduler 3 with a persistent job store under the home.

Jobs are referenced by text and carry only strings, so the SQLAlchemy job store can
pickle them safely; ``coalesce`` folds missed runs into one, ``max_instances=1`` keeps
one run per source, and a per-source lock file holds even across a monitor restart
(a crawl orphaned by ``kill -9`` finishes before the next one starts). Existing jobs
keep their next run time on restart, so the schedule resumes instead of restarting.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from crawler.profiles import Source
from dumpwatch.monitor import jobs
from dumpwatch.monitor.config import MonitorConfig
from dumpwatch.storage.db import Database

log = logging.getLogger("dumpwatch.monitor")
CRAWL_JOB = "dumpwatch.monitor.jobs:crawl_source"
HOUSEKEEPING_JOB = "dumpwatch.monitor.jobs:housekeeping"
RECHECK_JOB = "dumpwatch.monitor.jobs:recheck_cases"


def jobstore_url(home: Path) -> str:
    return f"sqlite:///{home / 'jobs.db'}"


class _OverlapIsNotAWarning(logging.Filter):
    """A source whose crawl is still running when its next run is due is skipped
    (``max_instances=1``): the normal case for a slow source, so it is a monitor event,
    not a warning on the operator's console every interval."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "maximum number of running instances" not in str(record.msg):
            return True
        job = record.args[0] if isinstance(record.args, tuple) and record.args else None
        log.info(json.dumps({"event": "run_skipped", "job": getattr(job, "id", str(job)),
                             "reason": "previous run still going"}))
        return False


_scheduler_log = logging.getLogger("dumpwatch.monitor.apscheduler")
_scheduler_log.addFilter(_OverlapIsNotAWarning())


def build_scheduler(home: Path, workers: int) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=jobstore_url(home))},
        executors={"default": ThreadPoolExecutor(max_workers=max(2, workers))},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 24 * 3600},
        timezone=UTC,
        logger=_scheduler_log,
    )


def sync_jobs(sched: BackgroundScheduler, home: Path, config: Path,
              sources: dict[str, Source], cfg: MonitorConfig, every: float | None = None
              ) -> None:
    """Make the job store match the profiles without resetting existing schedules."""
    wanted = set()
    for name, src in sources.items():
        if not src.enabled:
            continue
        job_id = f"crawl:{name}"
        wanted.add(job_id)
        seconds = every or src.schedule_minutes * 60
        trigger = IntervalTrigger(seconds=seconds, jitter=cfg.jitter_seconds or None,
                                  timezone=UTC)
        args = [str(home), str(config), name, cfg.crawl_timeout_seconds]
        job = sched.get_job(job_id)
        if job is None:
            sched.add_job(CRAWL_JOB, trigger, id=job_id, name=name, args=args,
                          next_run_time=datetime.now(UTC))
        elif job.args != tuple(args) or job.trigger.interval.total_seconds() != seconds:
            job.modify(args=args)
            sched.reschedule_job(job_id, trigger=trigger)
    for job in sched.get_jobs():
        if job.id.startswith("crawl:") and job.id not in wanted:
            job.remove()
    if sched.get_job("housekeeping") is None:
        sched.add_job(HOUSEKEEPING_JOB, IntervalTrigger(seconds=60, timezone=UTC),
                      id="housekeeping", args=[str(home), str(config)])
    _sync_recheck(sched, home, config, every)


def _sync_recheck(sched: BackgroundScheduler, home: Path, config: Path,
                  every: float | None) -> None:
    """Takedown cases are re-fetched on their own schedule (config/takedown.yaml)."""
    from dumpwatch.cases.config import load_takedown_config

    seconds = every or load_takedown_config(config).recheck_minutes * 60
    job = sched.get_job("recheck")
    if job is None:
        sched.add_job(RECHECK_JOB, IntervalTrigger(seconds=seconds, timezone=UTC),
                      id="recheck", args=[str(home), str(config)])
    elif job.trigger.interval.total_seconds() != seconds:
        sched.reschedule_job("recheck", trigger=IntervalTrigger(seconds=seconds, timezone=UTC))


def run_monitor(home: Path, config: Path, sources: dict[str, Source], cfg: MonitorConfig,
                every: float | None = None, stop: threading.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop`` is set)."""
    from dumpwatch.storage import open_database

    db = open_database(home)  # migrate now, once, before any crawl process starts
    stop = stop or threading.Event()
    sched = build_scheduler(home, len(sources))
    sched.start(paused=True)
    apply_controls(sched, db, home, config, sources, cfg, every)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    log.info(json.dumps({"event": "monitor_started", "sources": sorted(sources)}))
    sched.resume()
    try:
        while not stop.wait(cfg.control_poll_seconds):
            try:
                apply_controls(sched, db, home, config, sources, cfg, every)
            except Exception as exc:  # a database hiccup must not stop the schedule
                log.error(json.dumps({"event": "controls_failed", "error": str(exc)[:300]}))
    finally:
        log.info(json.dumps({"event": "monitor_stopping"}))
        jobs.stop_all()
        sched.shutdown(wait=False)
        db.dispose()


def apply_controls(sched: BackgroundScheduler, db: Database, home: Path, config: Path,
                   profiles: dict[str, Source], cfg: MonitorConfig,
                   every: float | None = None) -> None:
    """Obey the admins' overrides (enable/disable, retention) and "run now" requests.

    Run now brings the source's scheduled job forward, so it shares the job's one-at-a-time
    rule and the schedule continues from that run."""
    from dumpwatch.source_controls import claim, effective_sources, pending_requests

    sync_jobs(sched, home, config, effective_sources(db, profiles), cfg, every)
    for req in pending_requests(db):
        job = sched.get_job(f"crawl:{req.source}")
        if job is None:
            claim(db, req.id, "skipped", "not scheduled here (disabled or unknown)")
            continue
        if jobs.busy(req.source):
            continue  # crawling right now: claimed after this run, not skipped by it
        if claim(db, req.id, "dispatched"):
            job.modify(next_run_time=datetime.now(UTC))
            log.info(json.dumps({"event": "run_now", "source": req.source,
                                 "requested_by": req.requested_by}))


def next_runs(home: Path) -> dict[str, datetime]:
    """Next run time per source, read from the job store without starting a scheduler."""
    import sqlalchemy

    path = home / "jobs.db"
    if not path.exists():
        return {}
    engine = sqlalchemy.create_engine(jobstore_url(home))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sqlalchemy.text(
                "SELECT id, next_run_time FROM apscheduler_jobs")).fetchall()
    except sqlalchemy.exc.OperationalError:
        return {}
    finally:
        engine.dispose()
    return {r[0].split(":", 1)[1]: datetime.fromtimestamp(r[1], UTC) for r in rows
            if r[0].startswith("crawl:") and r[1] is not None}
