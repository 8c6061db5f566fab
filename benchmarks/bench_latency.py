"""Detection latency: from a post appearing on the local paste site to its alert.

    python benchmarks/bench_latency.py --posts 20 --interval 30

Target (issue 4): p95 <= 60 s with a 30 s polling interval. Runs the real monitor
(``dumpwatch run``) in a subprocess and a real webhook receiver; posts arrive at random
moments, so latency covers the wait for the next poll plus crawl, match and delivery.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import OUT, env, machine
from benchmarks.bench_scan import index_home
from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from dumpwatch.testsites.webhook import WebhookReceiver


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--interval", type=float, default=30)
    ap.add_argument("--index", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    base = index_home(args.index)
    home = OUT / "latency-home"
    shutil.rmtree(home, ignore_errors=True)
    (home / "corpora").mkdir(parents=True)
    os.symlink(base / "corpora" / "bench", home / "corpora" / "bench")
    rng = random.Random(9)
    arrived: dict[str, float] = {}
    posted: dict[str, float] = {}
    with LocalSites() as sites, WebhookReceiver() as hook:
        hook.on_alert = lambda a: arrived.setdefault(a["url"].rsplit("/", 1)[1], time.time())
        config = OUT / "latency-config"
        shutil.rmtree(config, ignore_errors=True)
        write_profiles(config, sites)
        for p in (config / "sources").iterdir():
            if p.stem != "local-paste":
                p.unlink()
        monitor = subprocess.Popen(
            [sys.executable, "-m", "dumpwatch", "--home", str(home), "--config", str(config),
             "-q", "run", "--webhook", hook.url, "--every", str(args.interval)],
            env=env(), stderr=subprocess.DEVNULL)
        try:
            time.sleep(5)
            for i in range(args.posts):
                time.sleep(rng.uniform(0.2, 1.0) * args.interval / 2)
                rows = people(1000 * i, 5)
                p = sites.paste.add(f"post {i}", "\n".join(f"{x.name} {x.phone} {x.email}"
                                                           for x in rows))
                posted[p.id] = time.time()
            deadline = time.time() + 3 * args.interval + 30
            while len(arrived) < args.posts and time.time() < deadline:
                time.sleep(0.5)
        finally:
            monitor.send_signal(signal.SIGTERM)
            monitor.wait(timeout=60)
    lat = sorted(arrived[k] - posted[k] for k in posted if k in arrived)
    missed = args.posts - len(lat)
    p95 = lat[max(0, math.ceil(0.95 * len(lat)) - 1)] if lat else float("nan")  # nearest rank
    print(f"posts {args.posts}, alerts {len(lat)} (missed {missed}), polling every "
          f"{args.interval:g} s")
    if lat:
        print(f"latency: median {statistics.median(lat):.1f} s, p95 {p95:.1f} s, "
              f"max {lat[-1]:.1f} s (target p95 <= 60 s)")


if __name__ == "__main__":
    main()
