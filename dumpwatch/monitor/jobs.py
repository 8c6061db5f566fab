"""Scheduled jobs, referenced by text ("dumpwatch.monitor.jobs:crawl_source") so the
persistent job store never pickles code, only these arguments."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

log = logging.getLogger("dumpwatch.monitor")

_running: dict[str, subprocess.Popen] = {}  # source -> crawl process, for clean shutdown
_busy: set[str] = set()  # sources whose crawl job is running (process + alert delivery)
_stopped: set[int] = set()  # pids of crawls killed by stop_all: stopped, not failed


def busy(source: str) -> bool:
    """A crawl job of ``source`` is running: a "run now" waits rather than being skipped."""
    return source in _busy


def crawl_source(home: str, config: str, source: str, timeout: float) -> dict:
    """One crawl in its own process: a hung or crashing crawl cannot take the monitor down.

    With DUMPWATCH_REDIS_URL set, a source the workers can share is enqueued for them
    instead (``dumpwatch worker``); alerts are still delivered from here.
    """
    _busy.add(source)
    try:
        return _crawl_source(home, config, source, timeout)
    finally:
        _busy.discard(source)


def _crawl_source(home: str, config: str, source: str, timeout: float) -> dict:
    redis_url = os.environ.get("DUMPWATCH_REDIS_URL")
    if redis_url:
        summary = _enqueue(redis_url, config, source)
        if summary is not None:
            log.info(json.dumps({"event": "crawl_enqueued", **summary}))
            deliver(home, config)  # what the workers stored since the last run
            return summary
    cmd = [sys.executable, "-m", "dumpwatch", "--home", home, "--config", config, "-q",
           "crawl", source, "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    _running[source] = proc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        log.error(json.dumps({"event": "crawl_timeout", "source": source,
                              "timeout_s": timeout}))
        return {"source": source, "status": "timeout"}
    finally:
        _running.pop(source, None)
    if proc.pid in _stopped:  # the monitor is shutting down: not the crawl's failure
        _stopped.discard(proc.pid)
        log.info(json.dumps({"event": "crawl_stopped", "source": source}))
        return {"source": source, "status": "stopped"}
    if proc.returncode != 0:
        log.error(json.dumps({"event": "crawl_failed", "source": source,
                              "exit": proc.returncode, "error": err.strip()[-300:]}))
        return {"source": source, "status": "crashed"}
    summary = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    log.info(json.dumps({"event": "crawl_done", **summary}, ensure_ascii=False))
    deliver(home, config)
    return summary


def _enqueue(redis_url: str, config: str, source: str) -> dict | None:
    from crawler.frontier import enqueue_run
    from crawler.profiles import load_sources
    from crawler.worker import distributable

    profile = load_sources(Path(config), strict=False).get(source)
    if profile is None or not distributable(profile):
        return None  # crawled here, in a subprocess
    return enqueue_run(redis_url, source)


def deliver(home: str, config: str) -> int:
    from dumpwatch.alerts import deliver_pending
    from dumpwatch.monitor.config import effective_config
    from dumpwatch.storage import open_database

    cfg = effective_config(Path(home), Path(config))
    db = open_database(Path(home))
    try:
        sent = deliver_pending(db, cfg, Path(home) / "alerts.log")
    finally:
        db.dispose()
    if sent:
        log.info(json.dumps({"event": "alerts_delivered", "count": sent}))
    return sent


def housekeeping(home: str, config: str) -> None:
    """Retry undelivered alerts and purge retained page text past its window."""
    from crawler.pipelines.matching import purge_expired_text
    from dumpwatch.storage import open_database

    deliver(home, config)
    db = open_database(Path(home))
    try:
        purged = purge_expired_text(db)
    finally:
        db.dispose()
    if purged:
        log.info(json.dumps({"event": "retention_purge", "documents": purged}))


def recheck_cases(home: str, config: str) -> dict:
    """Re-fetch every open takedown case's URL; re-open cases of re-posted dumps."""
    from dumpwatch.cases.recheck import recheck_home
    from dumpwatch.errors import DumpwatchError

    try:
        results = recheck_home(Path(home), Path(config))
    except DumpwatchError as exc:  # a bad takedown.yaml must not take the monitor down
        log.error(json.dumps({"event": "recheck_failed", "error": str(exc)}))
        return {"failed": 1}
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    if results:
        log.info(json.dumps({"event": "cases_rechecked", **counts}))
    return counts


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def stop_all() -> None:
    for proc in list(_running.values()):
        _stopped.add(proc.pid)
        _kill(proc)
