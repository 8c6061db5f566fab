"""Distributed crawling: `dumpwatch worker` processes sharing a real Redis frontier (a
redis-server on a unix socket) crawl one local site of 2,000 pastes into one database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import func, select

from crawler.frontier import enqueue_run, frontier_size
from dumpwatch.storage import Finding, SeenItem, open_database
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.bigpaste import populate, write_profile
from tests.conftest import TEST_KEY, watch

POSTS = 2000
SOURCE = "big-paste"


@pytest.fixture(scope="module")
def big_site():
    with LocalSites() as sites:
        expected = populate(sites.paste, POSTS)
        yield sites, expected


@pytest.fixture()
def setup(big_site, module_redis_url: str, tmp_path: Path, home: Path):
    redis_url = module_redis_url
    sites, expected = big_site
    sites.paste.requests.clear()
    import redis

    redis.Redis.from_url(redis_url).flushall()
    config = tmp_path / "config"
    write_profile(config, SOURCE, sites.paste_server.url, POSTS)
    return sites, expected, config, home, redis_url


def start_worker(home: Path, config: Path, redis_url: str, idle_exit: float = 4
                 ) -> subprocess.Popen:
    # a dead worker is noticed 3 s after its last heartbeat
    env = {**os.environ, "DUMPWATCH_KEY": TEST_KEY, "DUMPWATCH_WORKER_HEARTBEAT": "3"}
    return subprocess.Popen(
        [sys.executable, "-m", "dumpwatch", "--home", str(home), "--config", str(config), "-q",
         "worker", "--redis-url", redis_url, "--idle-exit", str(idle_exit)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored(home: Path) -> tuple[int, set[str], int]:
    db = open_database(home)
    try:
        with db.session() as s:
            seen = s.exec(select(func.count(SeenItem.id))).one()
            records = set(s.exec(select(Finding.record_id)))
            findings = s.exec(select(func.count(Finding.id))).one()
    finally:
        db.dispose()
    return seen, records, findings


def raw_fetches(requests: list[str]) -> Counter:
    return Counter(r for r in requests if r.startswith("/raw/"))


def test_two_workers_share_one_frontier(setup) -> None:
    sites, expected, config, home, redis_url = setup
    from dumpwatch.monitor import jobs

    workers = [start_worker(home, config, redis_url) for _ in range(2)]
    os.environ["DUMPWATCH_REDIS_URL"] = redis_url
    try:  # the monitor's crawl job enqueues instead of crawling itself
        assert jobs.crawl_source(str(home), str(config), SOURCE, 60)["status"] == "enqueued"
        assert jobs.crawl_source(str(home), str(config), SOURCE, 60)["status"] == "busy"
    finally:
        del os.environ["DUMPWATCH_REDIS_URL"]
    outs = [w.communicate(timeout=600) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [e for _, e in outs]
    summaries = [json.loads(o.strip().splitlines()[-1]) for o, _ in outs]
    assert all(s["pages"] > 100 for s in summaries), summaries  # both did real work

    fetched = raw_fetches(sites.paste.requests)
    assert len(fetched) == POSTS and max(fetched.values()) == 1  # every paste, once
    assert sites.paste.requests.count("/archive") == POSTS // 20  # each listing page once
    seen, records, findings = stored(home)
    assert seen == POSTS
    assert records == expected and findings == len(expected)  # no finding lost or doubled
    assert frontier_size(redis_url, SOURCE)["queued"] == 0


def test_kill9_one_worker_the_other_finishes_the_queue(setup) -> None:
    sites, expected, config, home, redis_url = setup
    victim, survivor = (start_worker(home, config, redis_url, idle_exit=12) for _ in range(2))
    assert enqueue_run(redis_url, SOURCE)["status"] == "enqueued"
    deadline = time.monotonic() + 300
    while len(raw_fetches(sites.paste.requests)) < POSTS // 4:
        assert time.monotonic() < deadline and survivor.poll() is None
        time.sleep(0.05)
    import redis

    r = redis.Redis.from_url(redis_url)

    def held_by_victim() -> int:
        return sum(r.hlen(k) for k in r.keys(f"dumpwatch:{SOURCE}:inflight:*:{victim.pid}:*"))

    # Kill it mid-work: at a moment when it holds requests (between two batches it may hold
    # none, and killing it then would prove nothing about reclaiming).
    while not held_by_victim():
        assert time.monotonic() < deadline and victim.poll() is None
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    held = held_by_victim()
    assert held > 0  # the victim died holding requests (its heartbeat has not expired yet)
    out, err = survivor.communicate(timeout=600)
    assert survivor.returncode == 0, err
    assert frontier_size(redis_url, SOURCE)["queued"] == 0  # the queue was finished
    assert not [k for k in r.keys(f"dumpwatch:{SOURCE}:inflight:*") if r.hlen(k)]  # reclaimed
    # The victim's in-flight requests (a listing page among them, often) and the pages it had
    # downloaded but not yet stored went back to the queue once its heartbeat expired:
    # the survivor alone completed the run, nothing lost.
    seen, records, findings = stored(home)
    # on failure: the survivor's own account (errors by kind, pages, reclaimed) and log tail
    why = (seen, out.strip().splitlines()[-1:], err[-4000:])
    assert seen == POSTS and records == expected and findings == len(expected), why
    fetched = raw_fetches(sites.paste.requests)
    assert len(fetched) == POSTS
    # Only what the victim had downloaded but not stored is fetched twice.
    assert sum(1 for n in fetched.values() if n > 1) <= 16


def test_a_listing_page_is_acknowledged_only_after_its_next_page_is_queued(
        redis_url: str, tmp_path: Path, home: Path) -> None:
    """Scrapy hands a callback's requests to the scheduler through a queue, after the
    callback has finished: a listing page acknowledged at that moment, with its worker
    killed before the queue was drained, took the rest of the archive with it. Redis' own
    MONITOR shows the order: every listing page's HDEL (ack) comes after the ZADD of the
    page it links to."""
    import re

    import redis

    posts = 200
    with LocalSites() as sites:
        populate(sites.paste, posts)
        config = tmp_path / "config"
        write_profile(config, SOURCE, sites.paste_server.url, posts)

        def crawl() -> None:
            worker = start_worker(home, config, redis_url, idle_exit=3)
            assert enqueue_run(redis_url, SOURCE)["status"] == "enqueued"
            _out, err = worker.communicate(timeout=300)
            assert worker.returncode == 0, err

        seen = watch(redis.Redis.from_url(redis_url), crawl)
        assert stored(home)[0] == posts  # the run itself was complete
    lines = [x.split(" ", 1)[1] for x in seen]  # without the client type

    def page_of(pickled: str) -> int | None:
        """The listing page a queued request is for: its url is the first one in the pickle
        (later ones are headers, such as a raw page's Referer)."""
        url = re.search(r"http://[^/\\]+(/[^\\ ]*)", pickled)
        m = url and re.fullmatch(r"/archive(?:\?page=(\d+))?", url.group(1))
        return int(m.group(1) or 1) if m else None

    token_page: dict[str, int] = {}  # in-flight token -> listing page it stands for
    queued_at: dict[int, int] = {}  # listing page -> position of its ZADD
    acked_at: dict[int, int] = {}  # listing page -> position of its HDEL
    for pos, line in enumerate(lines):
        verb, _, rest = line.partition(" ")
        verb = verb.upper()
        if verb == "HSET" and ":inflight:" in rest:
            _key, token, value = rest.split(" ", 2)
            if (page := page_of(value)) is not None:
                token_page[token] = page
        elif verb == "ZADD" and (page := page_of(rest)) is not None:
            queued_at.setdefault(page, pos)
        elif verb == "HDEL" and ":inflight:" in rest:
            token = rest.split(" ")[1]
            if token in token_page:
                acked_at[token_page[token]] = pos
    pages = posts // 20
    assert sorted(acked_at) == list(range(1, pages + 1)), sorted(acked_at)
    late = [p for p in range(1, pages) if not queued_at[p + 1] < acked_at[p]]
    assert not late, f"listing pages acknowledged before their next page was queued: {late}"
