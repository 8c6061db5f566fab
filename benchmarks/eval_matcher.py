"""Precision and recall of the labelled evaluation, at several corpus sizes and seeds.

    python benchmarks/eval_matcher.py --records 20000 200000 --seeds 1 2

Floors asserted by the tests (at 20,000 records): precision >= 0.999 and recall >= 0.99
on unmasked layouts; recall >= 0.9 on masked lines unique in the corpus; no findings on
name-only, chatter and decoy documents.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import KEY, machine

CATEGORIES = ["unmasked_layouts", "csv_header", "csv_noheader", "tsv", "pipe", "semicolon",
              "spaces", "jsonl", "json_nested", "sql", "html", "post", "cp949", "typo_name",
              "typo_phone", "masked_unique", "masked", "decoys", "names_only", "chatter"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, nargs="+", default=[20_000, 200_000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    os.environ["DUMPWATCH_KEY"] = KEY
    from dumpwatch.evaluation import build_evaluation, evaluate
    from dumpwatch.synth import write_corpus_csv
    from matcher.ingest import add_corpus
    from matcher.keys import load_key
    from matcher.scan import Scanner

    print(f"machine: {machine()}")
    key = load_key()
    header = "| category | " + " | ".join(f"{n // 1000}k seed {s}" for n in args.records
                                          for s in args.seeds) + " |"
    results: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    for n in args.records:
        work = Path(tempfile.mkdtemp())
        write_corpus_csv(work / "c.csv", n)
        add_corpus(work / "home", "eval", work / "c.csv", key)
        scanner = Scanner(work / "home", key)
        for seed in args.seeds:
            scores = evaluate(scanner, build_evaluation(n, seed=seed))
            for c in CATEGORIES:
                s = scores.get(c)
                if s is None:
                    results[c].append("–")
                elif c in ("decoys", "names_only", "chatter"):
                    results[c].append(f"{s.reported} findings")
                else:
                    results[c].append(f"P {s.precision:.4f} / R {s.recall:.4f}")
        shutil.rmtree(work, ignore_errors=True)
    print(header)
    print("|" + " --- |" * (1 + len(args.records) * len(args.seeds)))
    for c in CATEGORIES:
        print(f"| {c} | " + " | ".join(results[c]) + " |")


if __name__ == "__main__":
    main()
