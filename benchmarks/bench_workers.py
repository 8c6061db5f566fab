"""Distributed crawl throughput: pages/min with 1 and 2 `dumpwatch worker` processes.

    python benchmarks/bench_workers.py --pastes 2000 --concurrency 8

A local paste site of ``--pastes`` pastes (one in 25 a leak), a real redis-server on a unix
socket, matching on against a 100k-record index (built once by bench_scan's helper), the
database in DUMPWATCH_DB_URL or a fresh SQLite file. The clock runs from the run entry
being enqueued until every paste is stored; pages = pastes + listing pages.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import OUT, env, machine
from benchmarks.bench_scan import index_home
from crawler.frontier import enqueue_run
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.bigpaste import populate, write_profile
from dumpwatch.testsites.paste import PER_PAGE
from dumpwatch.testsites.services import RedisServer


def stored(home: Path) -> int:
    import os

    from sqlmodel import func, select

    from dumpwatch.storage import SeenItem, open_database

    os.environ.setdefault("DUMPWATCH_KEY", env()["DUMPWATCH_KEY"])
    db = open_database(home)
    try:
        with db.session() as s:
            return s.exec(select(func.count(SeenItem.id))).one()
    finally:
        db.dispose()


def one_run(workers: int, pastes: int, concurrency: int, index: Path) -> float:
    home = OUT / f"workers-home-{workers}"
    shutil.rmtree(home, ignore_errors=True)
    (home / "corpora").mkdir(parents=True)
    (home / "corpora" / "bench").symlink_to(index / "corpora" / "bench")
    config = OUT / f"workers-config-{workers}"
    with RedisServer() as redis_url, LocalSites() as sites:
        populate(sites.paste, pastes, first_person=0)
        write_profile(config, "bench-paste", sites.paste_server.url, pastes, concurrency)
        procs = [subprocess.Popen(
            [sys.executable, "-m", "dumpwatch", "--home", str(home), "--config", str(config),
             "-q", "worker", "--redis-url", redis_url, "--idle-exit", "3"], env=env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(workers)]
        time.sleep(4)  # imports and index loading are not crawl time
        t = time.perf_counter()
        enqueue_run(redis_url, "bench-paste")
        while stored(home) < pastes:
            if all(p.poll() is not None for p in procs):
                raise SystemExit(f"workers exited early: {procs[0].stderr.read()[-500:]}")
            time.sleep(0.25)
        wall = time.perf_counter() - t
        for p in procs:
            p.communicate(timeout=120)
    pages = pastes + -(-pastes // PER_PAGE)
    return pages / wall * 60


def local_run(pastes: int, concurrency: int, index: Path) -> float:
    """The same site crawled by one `dumpwatch crawl` (no Redis): the baseline."""
    home = OUT / "workers-home-local"
    shutil.rmtree(home, ignore_errors=True)
    (home / "corpora").mkdir(parents=True)
    (home / "corpora" / "bench").symlink_to(index / "corpora" / "bench")
    config = OUT / "workers-config-local"
    with LocalSites() as sites:
        populate(sites.paste, pastes, first_person=0)
        write_profile(config, "bench-paste", sites.paste_server.url, pastes, concurrency)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dumpwatch", "--home", str(home), "--config",
                        str(config), "-q", "crawl", "bench-paste"], env=env(), check=True,
                       capture_output=True)
        wall = time.perf_counter() - t  # includes start-up (~2 s), unlike the worker runs
    return (pastes + -(-pastes // PER_PAGE)) / wall * 60


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pastes", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--index", type=int, default=100_000)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    index = index_home(args.index)
    local = local_run(args.pastes, args.concurrency, index)
    print(f"local `dumpwatch crawl` (no Redis, start-up included): {local:,.0f} pages/min")
    rates = {}
    for n in (1, 2):
        rates[n] = one_run(n, args.pastes, args.concurrency, index)
        print(f"{n} worker{'s' if n > 1 else ''}: {rates[n]:,.0f} pages/min "
              f"({args.pastes} pastes, concurrency {args.concurrency} per worker)")
    print(f"speed-up with 2 workers: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
