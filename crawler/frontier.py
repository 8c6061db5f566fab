"""The shared crawl frontier in Redis: how the monitor starts a distributed run, and how
requests held by a worker that died go back to the queue.

Keys per source (the same names the workers' scrapy-redis settings use):
``dumpwatch:SOURCE:start_urls`` (run entries), ``:requests`` (the queue), ``:dupefilter``
(fingerprints of requests scheduled this run) and ``:inflight:WORKER`` (requests a worker
has taken and not yet downloaded). A worker refreshes ``dumpwatch:worker:WORKER`` every few
seconds; when that key expires (``kill -9``, a lost machine) another worker moves the dead
one's in-flight requests back to the queue, so a listing page it held does not take the rest
of the archive with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.spiders.distributed import KEY_PREFIX

HEARTBEAT_SECONDS = float(os.environ.get("DUMPWATCH_WORKER_HEARTBEAT", "10"))
# Take the next request and record it as this worker's, in one step: a worker killed in
# between cannot lose it. The in-flight entry keeps the request's queue score in front
# ("score|request") so a reclaim puts it back at the same priority without decoding it.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('HSET', KEYS[2], redis.sha1hex(r[1]), r[2] .. '|' .. r[1])
return r[1]
"""
# Give a dead worker's in-flight requests back to the queue, in one step and only if it is
# still dead: two workers reclaiming at once cannot both re-queue a request (fetched twice),
# and one killed half-way cannot strand the rest. Entries written before the score was kept
# (a rolling upgrade) go back at priority 0.
_RECLAIM = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local held = redis.call('HVALS', KEYS[1])
for _, v in ipairs(held) do
  local bar = string.find(v, '|', 1, true)
  local score = bar and tonumber(string.sub(v, 1, bar - 1))
  if score then
    redis.call('ZADD', KEYS[3], score, string.sub(v, bar + 1))
  else
    redis.call('ZADD', KEYS[3], 0, v)
  end
end
redis.call('DEL', KEYS[1])
return #held
"""
# Record a request's fingerprint and queue it, in one step: upstream's scheduler does SADD
# then ZADD from the client, so a worker killed (or cut off) between the two leaves the
# fingerprint without the request and no worker ever schedules that page this run. Checked
# first and recorded last: a queue write that fails leaves no fingerprint behind either.
_ENQUEUE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[1], ARGV[1])
return 1
"""

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
        "SCHEDULER": "crawler.frontier.ReliableScheduler",
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
        "SPIDER_MIDDLEWARES": {"crawler.frontier.InflightAck": 10},
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


class ReliableScheduler(Scheduler):
    """scrapy-redis' scheduler plus in-flight bookkeeping and reclaiming (see module doc)."""

    @classmethod
    def from_crawler(cls, crawler):  # type: ignore[override]
        sched = super().from_crawler(crawler)
        sched.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        sched.crawler = crawler
        crawler.dumpwatch_ack = sched.ack  # type: ignore[attr-defined] - InflightAck calls it
        return sched

    def open(self, spider) -> None:
        super().open(spider)
        base = f"{KEY_PREFIX}:{spider.name}:inflight:"
        self._inflight_prefix = base
        self.inflight_key = base + self.worker_id
        self._alive_key = f"{KEY_PREFIX}:worker:{self.worker_id}"
        if not isinstance(self.queue, PriorityQueue):  # _POP and _ENQUEUE use its sorted set
            raise NotConfigured("the shared frontier needs scrapy-redis' PriorityQueue")
        self._pop = self.server.register_script(_POP)
        self._enqueue = self.server.register_script(_ENQUEUE)
        self._reclaim = self.server.register_script(_RECLAIM)
        self._stop = threading.Event()
        self._beat()
        threading.Thread(target=self._heartbeat, daemon=True).start()
        self._last_reclaim = 0.0
        self.reclaim()

    def close(self, reason: str) -> None:
        self._stop.set()
        # What is left was tried and failed (errbacks are not acknowledged): not a loss.
        self.server.delete(self.inflight_key, self._alive_key)
        super().close(reason)

    def _beat(self) -> None:
        self.server.set(self._alive_key, "1", px=int(HEARTBEAT_SECONDS * 1000))

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS / 3):
            try:
                self._beat()
            except redis.RedisError:
                continue  # Redis away for a moment: the next beat will tell

    def enqueue_request(self, request) -> bool:  # type: ignore[override]
        """Fingerprint and queue atomically (see _ENQUEUE); False when already seen."""
        if request.dont_filter:
            self.queue.push(request)  # no fingerprint to record: one write
        elif not self._enqueue(keys=[self.df.key, self.queue.key],
                               args=[self.df.request_fingerprint(request), -request.priority,
                                     self.queue._encode_request(request)]):
            self._in_redis(request)  # queued by another worker: as safe as queued here
            self.df.log(request, self.spider)
            return False
        self._in_redis(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):  # type: ignore[override]
        if time.monotonic() - self._last_reclaim > HEARTBEAT_SECONDS / 2:
            self.reclaim()
        data = self._pop(keys=[self.queue.key, self.inflight_key])
        if not data:
            return None
        request = self.queue._decode_request(data)
        request.meta["dw_inflight"] = hashlib.sha1(data).hexdigest()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _in_redis(self, request) -> None:
        hook = getattr(self.crawler, "dumpwatch_in_redis", None)  # InflightAck's
        if hook is not None:
            hook(request)

    def ack(self, request) -> None:
        token = request.meta.get("dw_inflight")
        if token:
            self.server.hdel(self.inflight_key, token)

    def _dead_keys(self) -> list[tuple[bytes, str]]:
        """(in-flight key, heartbeat key) of workers that look dead; _RECLAIM checks again."""
        dead = []
        for key in self.server.scan_iter(match=self._inflight_prefix + "*"):
            worker = key.decode().rsplit(":inflight:", 1)[1]
            alive = f"{KEY_PREFIX}:worker:{worker}"
            if worker != self.worker_id and not self.server.exists(alive):
                dead.append((key, alive))
        return dead

    def reclaim(self) -> int:
        """Move dead workers' in-flight requests back to the queue; returns how many."""
        self._last_reclaim = time.monotonic()
        moved = 0
        for key, alive in self._dead_keys():
            moved += int(self._reclaim(keys=[key, alive, self.queue.key]))
        if moved and self.stats:
            self.stats.inc_value("dumpwatch/reclaimed", moved)
        return moved


class InflightAck:
    """Spider middleware: a request leaves the worker's in-flight set only once its response
    has been processed to the end — every follow-up request written to Redis and every item
    through the pipelines (stored) — so a worker killed between download and storage loses
    nothing: the page is fetched again by another worker.

    Both are counted, not assumed: Scrapy hands a callback's output to the engine through
    a queue, so the callback (and this middleware) can finish before its requests reach the
    scheduler; a listing page acknowledged in that gap took the next page with it.
    A request that never reaches the scheduler (a ``request_scheduled`` handler ignored it)
    keeps its parent in flight until the worker stops: fetched again at worst, never lost.
    """

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self._waiting: dict[int, dict] = {}  # id(item) -> its response's counter
        # id(request) -> (request, its response's counter); the request is kept so its id
        # cannot be reused while it waits
        self._scheduling: dict[int, tuple[Any, dict]] = {}
        for sig in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_done, signal=sig)
        crawler.dumpwatch_in_redis = self._request_done  # ReliableScheduler calls it

    @classmethod
    def from_crawler(cls, crawler) -> InflightAck:
        return cls(crawler)

    def _hold(self, response) -> dict:
        return {"request": response.request, "pending": 1}  # 1: the callback itself

    def _see(self, holder: dict, out: Any) -> None:
        holder["pending"] += 1
        if isinstance(out, Request):
            self._scheduling[id(out)] = (out, holder)
        else:
            self._waiting[id(out)] = holder

    def _release(self, holder: dict) -> None:
        holder["pending"] -= 1
        ack = getattr(self.crawler, "dumpwatch_ack", None)
        if holder["pending"] == 0 and ack is not None and holder["request"] is not None:
            ack(holder["request"])

    def _item_done(self, item: Any, **_: Any) -> None:
        holder = self._waiting.pop(id(item), None)
        if holder is not None:
            self._release(holder)

    def _request_done(self, request: Any) -> None:
        entry = self._scheduling.pop(id(request), None)
        if entry is not None and entry[0] is request:
            self._release(entry[1])

    async def process_spider_output_async(self, response, result, spider=None):
        holder = self._hold(response)
        async for out in result:
            self._see(holder, out)
            yield out
        self._release(holder)

    def process_spider_output(self, response, result, spider=None):
        holder = self._hold(response)
        for out in result:
            self._see(holder, out)
            yield out
        self._release(holder)

    def process_spider_exception(self, response, exception, spider=None):
        self._release(self._hold(response))  # a callback that raised would raise again
        return None
