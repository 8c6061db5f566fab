"""Scan throughput.

    python benchmarks/bench_scan.py --index 1000000 --dense 1000000 --sparse-mb 200


Targets (issue 2): dense dumps >= 50,000 rows/s (a 33.7M-row dump in <= 12 min); sparse
chatter >= 50 MB/s. Both run the real CLI (``scan --format jsonl``, default workers)
against an index built by bench_ingest.py --keep (built here if missing).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import (
    LAST_CPU,
    LAST_MAIN_CPU,
    OUT,
    corpus_file,
    dumpwatch,
    machine,
    run_measured,
)
from dumpwatch.evaluation import CHATTER
from dumpwatch.synth import people


def index_home(records: int) -> Path:
    home = OUT / f"home-{records}"
    if not (home / "corpora" / "bench").exists():
        shutil.rmtree(home, ignore_errors=True)
        run_measured(dumpwatch("--home", str(home), "-q", "corpus", "add", "bench",
                               str(corpus_file(records))))
    return home


def dense_dump(records: int, rows: int) -> Path:
    """The first ``rows`` rows of the corpus, re-posted as one dump (every row a leak).
    The whole corpus is scanned as it is: a 4.8 GB copy of it would prove nothing more."""
    if rows >= records:
        return corpus_file(records)
    path = OUT / f"dense-{rows}.csv"
    if not path.exists():
        with open(corpus_file(records)) as src, open(path, "w") as dst:
            dst.writelines(itertools.islice(src, rows + 1))
    return path


def sparse_text(megabytes: int, corpus_records: int) -> Path:
    """Forum chatter with a leaked record every ~50 KB: what most crawled pages look like."""
    path = OUT / f"sparse-{megabytes}mb.txt"
    if not path.exists():
        rng = random.Random(5)
        words = " ".join(CHATTER).split()
        leaks = people(0, min(corpus_records, 100_000))
        size, target = 0, megabytes * 1_000_000
        with open(path, "w") as fh:
            while size < target:
                if rng.random() < 0.0012:  # one leaked line per ~50 KB
                    p = rng.choice(leaks)
                    line = f"{p.name} {p.phone} 팝니다\n"
                else:
                    line = " ".join(rng.choices(words, k=rng.randint(4, 18))) + "\n"
                fh.write(line)
                size += len(line.encode())
    return path


def _count_lines(path: Path) -> int:
    with open(path) as fh:
        return sum(1 for _ in fh)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=int, default=1_000_000, help="corpus size of the index")
    ap.add_argument("--dense", type=int, default=1_000_000, help="rows in the dense dump")
    ap.add_argument("--sparse-mb", type=int, default=200, help="size of the chatter file")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    home = index_home(args.index)
    if args.dense:
        dump = dense_dump(args.index, min(args.dense, args.index))
        rows = min(args.dense, args.index)
        with open(OUT / "dense.jsonl", "w") as out:
            wall, rss, _ = run_measured(dumpwatch("--home", str(home), "-q", "scan", "-f",
                                                  "jsonl", str(dump)), stdout=out)
        found = _count_lines(OUT / "dense.jsonl")
        print(f"dense  {rows:>11,} rows vs {args.index:,}-record index: {wall:7.1f} s "
              f"{rows / wall:9,.0f} rows/s  peak memory {rss / 2**30:.2f} GiB  "
              f"re-identified {found / rows:.4f}  CPU {LAST_CPU[0]:.1f} s (main process "
              f"{LAST_MAIN_CPU[0]:.1f} s, workers {LAST_CPU[0] - LAST_MAIN_CPU[0]:.1f} s)  "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    if args.sparse_mb:
        text = sparse_text(args.sparse_mb, args.index)
        mb = text.stat().st_size / 1e6
        with open(OUT / "sparse.jsonl", "w") as out:
            wall, rss, _ = run_measured(dumpwatch("--home", str(home), "-q", "scan", "-f",
                                                  "jsonl", str(text)), stdout=out)
        found = _count_lines(OUT / "sparse.jsonl")
        print(f"sparse {mb:9.0f} MB chatter: {wall:7.1f} s {mb / wall:7.1f} MB/s  "
              f"peak memory {rss / 2**30:.2f} GiB  ({found:,} leaked lines found)  "
              f"CPU {LAST_CPU[0]:.1f} s (main process {LAST_MAIN_CPU[0]:.1f} s, workers "
              f"{LAST_CPU[0] - LAST_MAIN_CPU[0]:.1f} s)  "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
