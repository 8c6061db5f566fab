"""Ingest throughput, peak memory and index size: ``python benchmarks/bench_ingest.py 1000000``.

Targets (issue 2): 33.7M records in <= 10 min, <= 6 GB peak RSS, <= 128 bytes/record.
Prints one line per size; the corpus CSV is generated once under benchmarks/out/.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import OUT, corpus_file, dir_bytes, dumpwatch, machine, run_measured


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("records", type=int, nargs="+", help="corpus sizes, e.g. 1000000 10000000")
    ap.add_argument("--keep", action="store_true", help="keep the index for bench_scan.py")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    for n in args.records:
        src = corpus_file(n)
        home = OUT / f"home-{n}"
        shutil.rmtree(home, ignore_errors=True)
        wall, rss, _ = run_measured(dumpwatch("--home", str(home), "-q", "corpus", "add",
                                              "bench", str(src)))
        size = dir_bytes(home / "corpora")
        print(f"ingest {n:>11,} records: {wall:7.1f} s  {n / wall:9,.0f} records/s  "
              f"peak memory {rss / 2**30:5.2f} GiB  index {size / n:6.1f} bytes/record  "
              f"(source {src.stat().st_size / n:.0f} bytes/record)", flush=True)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
