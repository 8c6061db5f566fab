"""Generalisation check: the matcher against a corpus from another generator (Faker ko_KR).

    pip install -e '.[eval]' && python benchmarks/eval_faker.py

Our own evaluation shares its generator with the synthetic corpus; Faker draws names
from a small pool, reuses email local parts and writes landlines and road names
differently, so it shows what a held-out evaluation with other data would see.
"""

from __future__ import annotations

import csv
import json
import os
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import KEY, machine

SHAPES = [("name", "phone"), ("name", "phone", "email"), ("phone", "email", "address"),
          ("name", "email"), ("name", "address")]


def render(layout: str, shape: tuple[str, ...], rows: list[dict]) -> str:
    if layout == "csv":
        return ",".join(shape) + "\n" + "\n".join(
            ",".join('"' + p[f] + '"' for f in shape) for p in rows)
    if layout == "pipe":
        return "\n".join("|".join(p[f] for f in shape) for p in rows)
    if layout == "post":
        return "판매합니다\n" + "\n".join(" / ".join(p[f] for f in shape) for p in rows)
    return "\n".join(json.dumps({f: p[f] for f in shape}, ensure_ascii=False) for p in rows)


def main() -> None:
    try:
        from faker import Faker
    except ImportError:
        raise SystemExit("this check needs Faker: pip install faker") from None
    os.environ["DUMPWATCH_KEY"] = KEY
    from matcher.ingest import add_corpus
    from matcher.keys import load_key
    from matcher.scan import Scanner, decide

    print(f"machine: {machine()}")
    fk = Faker("ko_KR")
    Faker.seed(4)
    rng = random.Random(4)

    def person(i: int) -> dict:
        return {"id": f"F{i:06d}", "name": fk.name(), "phone": fk.phone_number(),
                "email": fk.free_email(), "address": fk.address()}

    corpus = [person(i) for i in range(5000)]
    decoys = [person(100_000 + i) for i in range(500)]
    work = Path(tempfile.mkdtemp())
    with open(work / "c.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "성명", "연락처", "이메일", "주소"])
        for p in corpus:
            w.writerow([p["id"], p["name"], p["phone"], p["email"], p["address"]])
    key = load_key()
    add_corpus(work / "home", "faker", work / "c.csv", key)
    scanner = Scanner(work / "home", key)
    tp = fp = fn = 0
    for layout in ("csv", "pipe", "post", "jsonl"):
        for _ in range(10):
            picks, ds = rng.sample(corpus, 8), rng.sample(decoys, 3)
            rows = picks + ds
            rng.shuffle(rows)
            res = scanner.scan_text(render(layout, rng.choice(SHAPES), rows), "doc")
            found = {m.record_id for m in decide(res.results["faker"], scanner.config)[2]}
            truth = {p["id"] for p in picks}
            tp, fp, fn = tp + len(found & truth), fp + len(found - truth), fn + len(truth - found)
    print(f"Faker ko_KR corpus of 5,000, 40 documents, 4 layouts, decoys mixed in: "
          f"precision {tp / max(tp + fp, 1):.4f}, recall {tp / max(tp + fn, 1):.4f} "
          f"(tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
