"""Crawl throughput with matching on, next to ``scrapy bench`` on the same machine.

    python benchmarks/bench_crawl.py --pastes 10000

Target (issue 3): >= 0.5 x scrapy bench pages/min. The local paste site gets
``--pastes`` pastes (one in ten carries leaked rows) plus their listing pages; the crawl
is the real ``dumpwatch crawl`` against an index built by bench_ingest.py.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import OUT, env, machine
from benchmarks.bench_scan import index_home
from dumpwatch.evaluation import CHATTER
from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import PASTE


def scrapy_bench() -> float:
    proc = subprocess.run([sys.executable, "-m", "scrapy", "bench"], capture_output=True,
                          text=True, timeout=300, cwd=tempfile.mkdtemp())
    rates = [int(m) for m in re.findall(r"\(at (\d+) pages/min\)", proc.stderr)]
    return float(max(rates)) if rates else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pastes", type=int, default=10_000)
    ap.add_argument("--index", type=int, default=1_000_000)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    home = index_home(args.index)
    for stale in ("dumpwatch.db", "dumpwatch.db-wal", "dumpwatch.db-shm"):
        (home / stale).unlink(missing_ok=True)
    rng = random.Random(3)
    leaks = people(0, 50_000)
    with LocalSites() as sites:
        for i in range(args.pastes):
            if i % 10 == 0:
                rows = rng.sample(leaks, 5)
                text = "\n".join(f"{p.name},{p.phone},{p.email}" for p in rows)
            else:
                text = "\n".join(rng.sample(CHATTER, 4))
            sites.paste.add(f"paste {i}", text)
        listing_pages = args.pastes // 20 + 1
        config = OUT / "bench-config"
        (config / "sources").mkdir(parents=True, exist_ok=True)
        profile = PASTE.format(name="bench-paste", base=sites.paste_server.url, every=30,
                               proxy="none", socks="127.0.0.1:9", pages=10 * args.pastes,
                               timeout=30)
        profile = profile.replace("max_pages: 3", f"max_pages: {listing_pages}").replace(
            "concurrency: 4", f"concurrency: {args.concurrency}")
        (config / "sources" / "bench-paste.yaml").write_text(profile)
        proc = subprocess.run([sys.executable, "-m", "dumpwatch", "--home", str(home),
                               "--config", str(config), "-q", "crawl", "bench-paste", "--json"],
                              capture_output=True, text=True, env=env())
        if proc.returncode != 0:
            raise SystemExit(proc.stderr)
        summary = json.loads(proc.stdout)
    rate = summary["pages"] / summary["duration"] * 60
    print(f"dumpwatch crawl: {summary['pages']:,} pages in {summary['duration']:.1f} s = "
          f"{rate:,.0f} pages/min (matching on; {summary['documents']:,} documents, "
          f"{summary['new_findings']:,} findings)", flush=True)
    bench = scrapy_bench()
    print(f"scrapy bench:    {bench:,.0f} pages/min (max over its run)")
    if bench:
        print(f"ratio:           {rate / bench:.2f} x scrapy bench (target >= 0.5)")


if __name__ == "__main__":
    main()
