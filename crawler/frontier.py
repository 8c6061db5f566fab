"""The shared crawl frontier in Redis: how the monitor starts a distributed run.

Keys per source (the same names the workers' scrapy-redis settings use):
``dumpwatch:SOURCE:start_urls`` (run entries), ``:requests`` (the queue) and
``:dupefilter`` (fingerprints of requests scheduled this run).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import redis

from crawler.spiders.distributed import KEY_PREFIX

# Where every request lives; %(spider)s / %(name)s are filled in by scrapy-redis.
QUEUE_KEY = f"{KEY_PREFIX}:%(spider)s:requests"
DUPEFILTER_KEY = f"{KEY_PREFIX}:%(spider)s:dupefilter"
START_KEY = f"{KEY_PREFIX}:%(name)s:start_urls"


def keys(source: str) -> dict[str, str]:
    return {"queue": QUEUE_KEY % {"spider": source},
            "dupefilter": DUPEFILTER_KEY % {"spider": source},
            "start": START_KEY % {"name": source}}


def redis_settings(redis_url: str, idle_exit: float = 0) -> dict[str, Any]:
    """Scrapy settings that put a crawl on the shared frontier."""
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # A worker that stops must leave the shared queue and fingerprints alone.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "REDIS_START_URLS_KEY": START_KEY,
        "REDIS_URL": redis_url,
        # 0: wait for work forever; N: leave after N idle seconds (tests, batch jobs).
        "MAX_IDLE_TIME_BEFORE_CLOSE": int(idle_exit),
        # The page cap is per local run; a worker serves many runs.
        "CLOSESPIDER_PAGECOUNT": 0,
    }


def client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url)


def enqueue_run(redis_url: str, source: str) -> dict[str, Any]:
    """Start a run of ``source`` on the workers, unless one is still queued.

    A new run forgets the previous run's fingerprints, so listing pages are read again;
    pages already stored are skipped through the database (seen items, thread state).
    """
    r = client(redis_url)
    try:
        k = keys(source)
        if r.zcard(k["queue"]) or r.llen(k["start"]):
            return {"source": source, "status": "busy",
                    "reason": "the previous distributed run is still queued"}
        with r.pipeline() as pipe:
            pipe.delete(k["dupefilter"])
            pipe.rpush(k["start"], json.dumps({"run": datetime.now(UTC).isoformat()}))
            pipe.execute()
        return {"source": source, "status": "enqueued"}
    finally:
        r.close()


def frontier_size(redis_url: str, source: str) -> dict[str, int]:
    r = client(redis_url)
    try:
        k = keys(source)
        return {"queued": int(r.zcard(k["queue"])), "runs_waiting": int(r.llen(k["start"])),
                "fingerprints": int(r.scard(k["dupefilter"]))}
    finally:
        r.close()
