"""The shared frontier's scheduler against a real redis-server: a request's fingerprint and
its place in the queue are written by Redis in one atomic step, so a worker that dies
between the two can never leave a page marked seen and not queued."""

from __future__ import annotations

import threading

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from crawler.frontier import ReliableScheduler, keys, redis_settings
from dumpwatch.testsites.services import RedisServer, ServiceUnavailable


@pytest.fixture()
def scheduler():
    server = RedisServer()
    try:
        url = server.start()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    crawler = get_crawler(Spider, redis_settings(url))
    sched = ReliableScheduler.from_crawler(crawler)
    sched.open(Spider.from_crawler(crawler, name="paste"))
    yield sched, redis.Redis.from_url(url)
    sched.close("finished")
    server.stop()


def watch(r: redis.Redis, action) -> list[str]:
    """Every command Redis executes while ``action`` runs, as MONITOR shows them."""
    lines: list[str] = []
    with r.monitor() as m:
        ready = threading.Event()

        def listen() -> None:
            ready.set()
            for cmd in m.listen():
                lines.append(f"{cmd['client_type']} {cmd['command']}")
                if "STOP-WATCHING" in cmd["command"]:
                    return

        t = threading.Thread(target=listen)
        t.start()
        ready.wait()
        action()
        r.echo("STOP-WATCHING")
        t.join(10)
    return lines


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
