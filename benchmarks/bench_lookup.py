"""Index lookup speed: ``python benchmarks/bench_lookup.py 1000000``.

Looks up the blocking keys of 2,000 corpus rows in the index that
``bench_ingest.py N --keep`` left under benchmarks/out/home-N, by kind of key, and prints
the CPU time of one ``Segment.lookup`` call (best of several) per query and per record
found. Format 5 stores keys that fit many records as ordinal lists: this is the figure
that shows whether lookups kept their speed (compare across commits, same machine).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import KEY, OUT, corpus_file, machine
from matcher import ingest
from matcher.corpus_reader import detect_layout
from matcher.fields import BLOCKING_KEYS
from matcher.index import Corpus
from matcher.keys import SecretKey

KINDS = {
    "identifying (E, P, N+Q3, N+PM)": [("E",), ("P",), ("N", "Q3"), ("N", "PM")],
    "phone blocks (PL, PM)": [("PL",), ("PM",)],
    "every kind": list(BLOCKING_KEYS),
}


def _best(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("records", type=int, help="size of the index built by bench_ingest --keep")
    ap.add_argument("--rows", type=int, default=2000)
    args = ap.parse_args()
    home = OUT / f"home-{args.records}"
    key = SecretKey(bytes.fromhex(KEY))
    corpus = Corpus(home, "bench", key)
    src = corpus_file(args.records)
    layout = detect_layout(src, None, None)
    ingest._init_worker(key.raw, layout, False, None, src)
    first = next(iter(ingest._chunks(src, layout, lambda _: None, size=1 << 22)))
    keys = ingest._process_chunk(first).keys[:args.rows]
    seg = corpus.segments[0]
    print(f"machine: {machine()}; index of {corpus.records:,} records, format "
          f"{corpus.manifest.version}")
    for label, kinds in KINDS.items():
        cols = [BLOCKING_KEYS.index(k) for k in kinds]
        q = keys[:, cols].ravel()
        q = q[q != 0]
        found = seg.lookup(q)[0].size
        for limit in (None, 20_000):
            if limit is not None and label != "every kind":
                continue
            cpu = _best(lambda q=q, limit=limit: seg.lookup(q, max_records=limit),
                        5 if found > 1_000_000 else 30)
            kept = seg.lookup(q, max_records=limit)[0].size
            extra = f", max_records={limit:,}" if limit else ""
            print(f"  {label + extra:44s} {q.size:6,} queries -> {kept:10,} records: "
                  f"{cpu * 1e3:8.2f} ms CPU = {cpu / q.size * 1e6:6.2f} us/query, "
                  f"{cpu / max(kept, 1) * 1e9:5.1f} ns/record")


if __name__ == "__main__":
    main()
