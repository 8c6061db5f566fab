"""Ingest throughput, peak memory and index size: ``python benchmarks/bench_ingest.py 1000000``.

Targets (issue 13): 33.7M records in <= 5 min, <= 6 GB peak RSS, <= 128 bytes/record.
Prints one line per size, with the time of a bare pyarrow.csv read of the same file in the
same run (the floor any reader pays) and how the values were normalised (column kernels,
once per distinct value, value by value). The corpus CSV is generated once under
benchmarks/out/. ``--line-reader`` measures the per-line path for comparison.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import (
    LAST_CPU,
    LAST_MAIN_CPU,
    OUT,
    corpus_file,
    dir_bytes,
    dumpwatch,
    machine,
    run_measured,
)

# Every column as a string, streamed in batches: what reading the CSV costs at C speed.
_BARE_READ = """
import sys, pyarrow as pa, pyarrow.csv as pv
rd = pv.open_csv(sys.argv[1], convert_options=pv.ConvertOptions(
    column_types={c: pa.string() for c in pv.open_csv(sys.argv[1]).schema.names}))
print(sum(b.num_rows for b in rd))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("records", type=int, nargs="+", help="corpus sizes, e.g. 1000000 10000000")
    ap.add_argument("--keep", action="store_true", help="keep the index for bench_scan.py")
    ap.add_argument("--line-reader", action="store_true",
                    help="force the line-by-line ingest (DUMPWATCH_INGEST=lines)")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    for n in args.records:
        src = corpus_file(n)
        home = OUT / f"home-{n}"
        shutil.rmtree(home, ignore_errors=True)
        bare, _, _ = run_measured([sys.executable, "-c", _BARE_READ, str(src)])
        bare_cpu = LAST_CPU[0]
        extra = {"DUMPWATCH_INGEST": "lines"} if args.line_reader else {}
        wall, rss, err = run_measured(dumpwatch("--home", str(home), "-q", "corpus", "add",
                                                "bench", str(src)), extra_env=extra)
        size = dir_bytes(home / "corpora")
        parts: dict[str, int] = {}
        for f in (home / "corpora").rglob("seg-*/*"):
            part = f.name.split(".")[0].rstrip("0123456789") or f.name
            parts[part] = parts.get(part, 0) + f.stat().st_size
        print(f"ingest {n:>11,} records: {wall:7.1f} s  {n / wall:9,.0f} records/s  "
              f"peak memory {rss / 2**30:5.2f} GiB  index {size / n:6.1f} bytes/record  "
              f"(source {src.stat().st_size / n:.0f} bytes/record)", flush=True)
        cpu = LAST_CPU[0]
        print(f"  CPU {cpu:.1f} s in all processes (= {cpu / os.cpu_count():.1f} s of wall on "
              f"{os.cpu_count()} idle cores; main process {LAST_MAIN_CPU[0]:.1f} s); "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        print(f"  bare pyarrow.csv read of the same file: {bare:.1f} s wall, {bare_cpu:.1f} s "
              f"CPU; ingest / bare read = {wall / bare:.1f}x wall, {cpu / bare_cpu:.1f}x CPU",
              flush=True)
        print("  index bytes/record by part: " + ", ".join(
            f"{k} {v / n:.1f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])),
            flush=True)
        for line in err.splitlines():
            if "values normalised" in line:
                print(" ", line.strip(), flush=True)
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
