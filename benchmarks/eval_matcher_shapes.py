"""Precision / recall on the issue-8 shapes (dumpwatch/evaluation_shapes.py).

    python benchmarks/eval_matcher_shapes.py --records 20000 --seeds 1

The corpus carries order dates; lot-form documents are scored against the corpus ingested
without and with a road <-> lot address table. ``chatter_010`` is scanned at an assumed
33.7M records and must give no finding.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, nargs="+", default=[20_000])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1])
    ap.add_argument("--docs", type=int, default=6)
    args = ap.parse_args()
    os.environ["DUMPWATCH_KEY"] = KEY
    from dumpwatch.evaluation import evaluate
    from dumpwatch.evaluation_shapes import SHAPES, build_shapes
    from dumpwatch.synth import people, write_address_table, write_corpus_csv
    from matcher.ingest import add_corpus
    from matcher.keys import load_key
    from matcher.scan import Scanner
    from matcher.scoring import ScoringConfig

    print(f"machine: {machine()}")
    key = load_key()
    cats = [*SHAPES, "lot_address+table", "chatter_010@33.7M"]
    results: dict[str, list[str]] = {c: [] for c in cats}
    for n in args.records:
        work = Path(tempfile.mkdtemp())
        write_corpus_csv(work / "c.csv", n, order_dates=True)
        write_address_table(work / "table.csv", people(0, n))
        add_corpus(work / "home", "eval", work / "c.csv", key)
        add_corpus(work / "home-t", "eval", work / "c.csv", key,
                   address_table=work / "table.csv")
        plain, tabled = Scanner(work / "home", key), Scanner(work / "home-t", key)
        dense = Scanner(work / "home", key, config=ScoringConfig(assume_records=33_700_000))
        for seed in args.seeds:
            docs = build_shapes(n, seed=seed, docs_per_shape=args.docs)
            scores = evaluate(plain, [d for d in docs if d.category != "chatter_010"])
            lot = evaluate(tabled, [d for d in docs if d.category == "lot_address"])
            chat = evaluate(dense, [d for d in docs if d.category == "chatter_010"])
            scores["lot_address+table"] = lot["lot_address"]
            scores["chatter_010@33.7M"] = chat["chatter_010"]
            for c in cats:
                s = scores.get(c)
                if s is None:
                    results[c].append("–")
                elif c.startswith("chatter"):
                    results[c].append(f"{s.reported} findings")
                else:
                    results[c].append(f"P {s.precision:.4f} / R {s.recall:.4f}")
        shutil.rmtree(work, ignore_errors=True)
    print("| shape | " + " | ".join(f"{n // 1000}k seed {s}" for n in args.records
                                    for s in args.seeds) + " |")
    print("|" + " --- |" * (1 + len(args.records) * len(args.seeds)))
    for c in cats:
        print(f"| {c} | " + " | ".join(results[c]) + " |")


if __name__ == "__main__":
    main()
