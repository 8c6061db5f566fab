"""Forum crawl through an engine preset: a first crawl of a Gnuboard 5 site, then a re-run.

    python benchmarks/bench_forum.py --threads 1500

The local G5 site (dumpwatch/testsites/gnuboard.py) gets ``--threads`` threads over four
boards (one members-only, one CP949), a comment on every fifth; the profile is the short
one a user writes (engine: gnuboard5, boards: all, credentials). Matching is off (no corpus
in the home): this measures fetching, decoding, selecting and storing. The re-run shows
what an unchanged site costs: listing pages only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import env, machine
from dumpwatch.testsites.gnuboard import GnuboardSite
from dumpwatch.testsites.server import SiteServer

PROFILE = """\
name: g5-bench
engine: gnuboard5
base_url: {base}
forum:
  boards: all
login:
  username_env: G5_BENCH_USER
  password_env: G5_BENCH_PASS
politeness:
  delay: 0
  concurrency: {concurrency}
  pages_per_run: 100000
"""


def crawl(home: Path, config: Path) -> tuple[dict, float]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "dumpwatch", "--home", str(home), "--config", str(config),
         "crawl", "g5-bench", "--json"], capture_output=True, text=True, timeout=3600,
        env={**env(), "G5_BENCH_USER": "watcher", "G5_BENCH_PASS": "s3cret-pass"})
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout), time.monotonic() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1500)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    site = GnuboardSite()
    for name, kw in (("free", {}), ("market", {}), ("vip", {"members_only": True}),
                     ("old", {"charset": "cp949"})):
        site.add_board(name, name, **kw)
    boards = list(site.boards)
    for i in range(args.threads):
        board = boards[i % len(boards)]
        p = site.add_post(board, f"글 {i}", "손님", f"본문 {i}\n둘째 줄 {i}")
        if i % 5 == 0:
            site.add_comment(board, p.wr_id, "댓글러", f"댓글 {i}")
    server = SiteServer(site).start()
    try:
        work = Path(tempfile.mkdtemp(prefix="bench-forum-"))
        (work / "config" / "sources").mkdir(parents=True)
        (work / "config" / "sources" / "g5-bench.yaml").write_text(
            PROFILE.format(base=server.url, concurrency=args.concurrency))
        for label in ("first run", "re-run"):
            views = len(site.document_requests())
            summary, wall = crawl(work / "home", work / "config")
            print(f"{label}: {summary['pages']} pages, {summary['documents']} posts+comments, "
                  f"{len(site.document_requests()) - views} thread views, {wall:.1f} s wall "
                  f"(crawl {summary['duration']} s) = "
                  f"{60 * summary['pages'] / max(summary['duration'], 1e-9):,.0f} pages/min")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
