"""The shared frontier's scheduler against a real redis-server: a request's fingerprint and
its place in the queue are written by Redis in one atomic step, so a worker that dies
between the two can never leave a page marked seen and not queued."""

from __future__ import annotations

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.frontier import ReliableScheduler, keys, redis_settings
from tests.conftest import watch


def open_scheduler(url: str) -> ReliableScheduler:
    crawler = get_crawler(Spider, redis_settings(url))
    sched = ReliableScheduler.from_crawler(crawler)
    sched.open(Spider.from_crawler(crawler, name="paste"))
    return sched


@pytest.fixture()
def scheduler(redis_url):
    sched = open_scheduler(redis_url)
    yield sched, redis.Redis.from_url(redis_url)
    sched.close("finished")


def die(sched: ReliableScheduler, r: redis.Redis) -> None:
    """What kill -9 leaves: in-flight requests and a heartbeat that is no longer renewed."""
    sched._stop.set()
    r.delete(sched._alive_key)


def test_fingerprint_and_queue_are_written_in_one_atomic_script(scheduler) -> None:
    sched, r = scheduler
    k = keys("paste")
    page = Request("http://127.0.0.1:8000/raw/p00001", priority=3)
    seen = watch(r, lambda: sched.enqueue_request(page))
    writes = [x for x in seen if x.split(" ", 1)[1].startswith(("SADD", "ZADD"))]
    assert len(writes) == 2, seen
    assert all(x.startswith("lua ") for x in writes), seen  # inside the script, not the client
    assert r.zcard(k["queue"]) == 1 and r.scard(k["dupefilter"]) == 1
    assert r.zscore(k["queue"], r.zrange(k["queue"], 0, 0)[0]) == -3  # priority kept


def test_seen_requests_are_dropped_and_unfiltered_ones_always_queued(scheduler) -> None:
    sched, r = scheduler
    k = keys("paste")
    url = "http://127.0.0.1:8000/raw/p00002"
    assert sched.enqueue_request(Request(url)) is True
    assert sched.enqueue_request(Request(url)) is False  # another worker found it too
    assert sched.enqueue_request(Request(url, dont_filter=True)) is True
    assert r.zcard(k["queue"]) == 2 and r.scard(k["dupefilter"]) == 1
    first = sched.next_request()
    assert first is not None and first.url == url


def test_a_queue_write_that_fails_leaves_no_fingerprint(scheduler) -> None:
    sched, r = scheduler
    k = keys("paste")
    r.set(k["queue"], "not a sorted set")  # the push fails (WRONGTYPE)
    with pytest.raises(redis.ResponseError):
        sched.enqueue_request(Request("http://127.0.0.1:8000/raw/p00003"))
    assert r.scard(k["dupefilter"]) == 0  # so the page is queued once the queue works again
    r.delete(k["queue"])
    assert sched.enqueue_request(Request("http://127.0.0.1:8000/raw/p00003")) is True


def test_a_dead_workers_requests_go_back_once_at_their_priority(redis_url) -> None:
    r = redis.Redis.from_url(redis_url)
    k = keys("paste")
    victim = open_scheduler(redis_url)
    for n, prio in ((1, 5), (2, 0), (3, -2)):
        victim.enqueue_request(Request(f"http://127.0.0.1:8000/raw/p1000{n}", priority=prio))
    held = [victim.next_request() for _ in range(3)]
    assert r.zcard(k["queue"]) == 0 and r.hlen(victim.inflight_key) == 3
    die(victim, r)
    first, second = open_scheduler(redis_url), open_scheduler(redis_url)  # both reclaim on open
    try:
        assert r.zcard(k["queue"]) == 3  # once each, though two workers reclaimed
        assert not r.exists(victim.inflight_key)
        scores = sorted(s for _, s in r.zrange(k["queue"], 0, -1, withscores=True))
        assert scores == [-5.0, 0.0, 2.0]  # the priorities the requests were queued with
        urls = [first.next_request().url for _ in range(3)]
        assert urls == [h.url for h in held]  # highest priority first, as before the death
        assert first.next_request() is None
    finally:
        first.close("finished")
        second.close("finished")


def test_a_worker_that_comes_back_keeps_its_requests(redis_url) -> None:
    r = redis.Redis.from_url(redis_url)
    slow, other = open_scheduler(redis_url), open_scheduler(redis_url)
    slow.enqueue_request(Request("http://127.0.0.1:8000/raw/p20001"))
    assert slow.next_request() is not None
    die(slow, r)
    dead = other._dead_keys()
    assert [key for key, _ in dead] == [slow.inflight_key.encode()]
    slow._beat()  # its heartbeat returns between the scan and the move: nothing is taken
    try:
        assert other.reclaim() == 0
        assert r.hlen(slow.inflight_key) == 1
        seen = watch(r, lambda: (r.delete(slow._alive_key), other.reclaim()))
        moves = [x for x in seen if x.split(" ", 1)[1].startswith(("ZADD", "DEL", "HVALS"))
                 and "worker" not in x]
        assert moves and all(x.startswith("lua ") for x in moves), seen  # one atomic step
        assert r.zcard(keys("paste")["queue"]) == 1
    finally:
        other.close("finished")


def test_requests_held_before_the_score_was_kept_go_back_at_priority_zero(scheduler) -> None:
    sched, r = scheduler
    k = keys("paste")
    old = sched.queue._encode_request(Request("http://127.0.0.1:8000/raw/p30001", priority=7))
    r.hset(k["queue"].replace(":requests", ":inflight:old-worker"), "x", old)
    assert sched.reclaim() == 1
    assert r.zrange(k["queue"], 0, -1, withscores=True) == [(old, 0.0)]
