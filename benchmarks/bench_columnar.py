"""Worker CPU per record, columnar vs line path, on the same chunks of a corpus file.

    python benchmarks/bench_columnar.py 1000000 --chunks 8

CPU time (not wall), in one process: on a shared machine this is the figure that does not
depend on the others' load. The first chunk (tables and memos warming up) is not counted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import KEY, corpus_file, machine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("records", type=int, help="corpus size (file generated once)")
    ap.add_argument("--chunks", type=int, default=8)
    args = ap.parse_args()
    from matcher import ingest
    from matcher.corpus_reader import detect_layout

    path = corpus_file(args.records)
    layout = detect_layout(path)
    items = []
    for item in ingest._chunks(path, layout, lambda _: None):
        items.append(item)
        if len(items) > args.chunks:
            break
    print(f"machine: {machine()}")
    for name, run in (("columnar", ingest._process_chunk),
                      ("line", lambda it: ingest._process(
                          ingest._split_lines(it[1], it[0], layout)))):
        ingest._init_worker(bytes.fromhex(KEY), layout, False, None)
        run(items[0])
        cpu = records = 0.0
        for item in items[1:]:
            t = time.process_time()
            batch = run(item)
            cpu += time.process_time() - t
            records += batch.records
        print(f"{name:>8}: {cpu / records * 1e6:6.1f} µs CPU per record "
              f"({records:,.0f} records in {len(items) - 1} chunks)", flush=True)


if __name__ == "__main__":
    main()
