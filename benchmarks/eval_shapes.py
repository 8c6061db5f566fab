"""Leaks as they really arrive (issue 8), scored through the real CLI — another person's eye.

    pip install -e '.[eval]'
    python benchmarks/eval_shapes.py --records 100000 [--seed N] [--out DIR] [--keep]
    python benchmarks/eval_shapes.py --records 5000          # quick: about a minute

Everything here is written independently of dumpwatch/synth.py and dumpwatch/evaluation.py
(own name pools, road/lot addresses, headings, masks): benchmarks/shapes/. The corpus is
ingested and every category scanned with the ``dumpwatch`` command, as a user would. The
ground-truth rule (what a monitor must report, what it may leave alone) is in
benchmarks/shapes/docs.py. Prints one line per category with P, R (over rows; R/doc is the
mean recall of its documents, so a 2,000-row file does not hide nine small ones), "weak"
(rows unique in the corpus that also fit a stranger: not counted) and the acceptance floors
(P ≥ 0.99; R ≥ 0.95, OCR and lot-only addresses R ≥ 0.8) and exits 0: it is a measurement.

Optional CLI features are detected from ``--help``: ``corpus add --address-table`` (lot
categories are then scored with and without the table) and ``scan --ocr`` (screenshots are
skipped with a note when absent). The data is synthetic; the temporary folder is removed
unless --keep or --out is given.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.shapes.docs import CATEGORIES, Doc, World
from benchmarks.shapes.people import (
    CORPUS_MAP,
    ORDER_COLUMNS,
    CustomerFactory,
    Person,
    write_address_table,
    write_corpus,
)
from benchmarks.shapes.truth import Fitter, consistent

P_FLOOR = 0.99


def dumpwatch_cmd() -> list[str]:
    """The installed CLI next to this interpreter; DUMPWATCH_EVAL_CMD overrides it (e.g. to
    measure another checkout: "python -c 'from dumpwatch.cli import main; main()'")."""
    if os.environ.get("DUMPWATCH_EVAL_CMD"):
        return shlex.split(os.environ["DUMPWATCH_EVAL_CMD"])
    exe = Path(sys.executable).with_name("dumpwatch")
    return [str(exe)] if exe.exists() else [shutil.which("dumpwatch") or "dumpwatch"]


def cli_help(env: dict, *args: str) -> str:
    r = subprocess.run([*dumpwatch_cmd(), *args, "--help"], env=env, capture_output=True,
                       text=True)
    return r.stdout + r.stderr


def generate(records: int, seed: int, root: Path) -> tuple[World, dict[str, list[Doc]]]:
    factory = CustomerFactory(seed)
    people = factory.customers(records)
    write_corpus(root / "corpus.csv", people, seed)
    strangers = factory.customers(records)
    world = World(people, factory, Fitter(people), Fitter(strangers), factory.rng)
    docs = {}
    for name, make, _floor, _opt in CATEGORIES:
        d = root / "docs" / name
        d.mkdir(parents=True, exist_ok=True)
        docs[name] = make(world, d)
    # the national table lists every building, strangers' and decoys' too
    write_address_table(root / "address_table.csv", factory.buildings)
    return world, docs


def ingest(home: Path, corpus: Path, env: dict, table: Path | None) -> float:
    cmd = [*dumpwatch_cmd(), "--home", str(home), "-q", "corpus", "add", "shapes", str(corpus),
           "--id-column", CORPUS_MAP["id"]]
    for role, col in CORPUS_MAP.items():
        if role != "id":
            cmd += ["--map", f"{role}={col}"]
    for col in ORDER_COLUMNS:
        cmd += ["--map", f"order={col}"]
    if table is not None:
        cmd += ["--address-table", str(table)]
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"corpus add failed: {r.stderr.strip()[-400:]}")
    return time.perf_counter() - t


def scan(home: Path, folder: Path, env: dict, extra: list[str]) -> tuple[list[dict], str, float]:
    cmd = [*dumpwatch_cmd(), "--home", str(home), "scan", "--corpus", "shapes", "--format",
           "jsonl", *extra, str(folder)]
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t
    rows = []
    for line in r.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    err = r.stderr.strip().splitlines()[-1] if r.returncode and r.stderr.strip() else ""
    return rows, err, took


def owner(doc_path: str, folder: Path, names: set[str]) -> str | None:
    """The generated file a reported document belongs to (archive members included)."""
    rel = doc_path
    for prefix in (str(folder) + os.sep, folder.name + os.sep):
        if rel.startswith(prefix):
            rel = rel[len(prefix):]
    parts = rel.replace("\\", "/").split("/")
    for i in range(1, len(parts) + 1):
        cand = "/".join(parts[:i])
        if cand in names:
            return cand
    base = Path(doc_path).name
    return base if base in names else None


def score(docs: list[Doc], reports: list[dict], folder: Path, table: bool,
          people: dict[str, Person]) -> dict:
    by_name = {d.name: d for d in docs}
    got: dict[str, set[str]] = defaultdict(set)
    stray = 0
    for r in reports:
        o = owner(str(r.get("document", "")), folder, set(by_name))
        if o is None:
            stray += 1
            continue
        got[o].add(str(r.get("record_id")))
    must = tp = fp = reported = 0
    weak = sum(d.weak for d in docs)
    for d in docs:
        m = d.must_table if table else d.must
        g = got.get(d.name, set())
        reported += len(g)
        must += len(m)
        tp += len(g & m)
        fp += sum(1 for rid in g - m if rid not in people or not any(
            consistent(c, people[rid], table) for c in d.clues))
    fp += stray
    per_doc = [(d.name, d.rows, len(d.must_table if table else d.must),
                len(got.get(d.name, set()) & (d.must_table if table else d.must)))
               for d in docs]
    per = [found / must for _, _, must, found in per_doc if must]
    return {"per_doc": per_doc, "Rdoc": sum(per) / len(per) if per else 1.0,
            "docs": len(docs), "weak": weak, "must": must,
            "reported": reported, "tp": tp, "fp": fp,
            "P": tp / (tp + fp) if tp + fp else 1.0, "R": tp / must if must else 1.0}


def line(label: str, s: dict, secs: float, err: str, floor: float | None) -> str:
    """One row of the table; ``floor`` None = a negative category (zero findings expected)."""
    if floor is None:
        ok = s["reported"] == 0
        nums = (f"{s['docs']:>5}{'-':>6}{'-':>7}{s['reported']:>7}{'-':>7}{s['fp']:>5}"
                f"{'':>23}  0 findings    ")
    else:
        ok = s["P"] >= P_FLOOR and s["R"] >= floor
        nums = (f"{s['docs']:>5}{s['weak']:>6}{s['must']:>7}{s['reported']:>7}{s['tp']:>7}"
                f"{s['fp']:>5}{s['P']:>8.3f}{s['R']:>8.3f}{s['Rdoc']:>7.2f}"
                f"  P≥{P_FLOOR} R≥{floor:<4}")
    return f"{label:<22}{nums}  {'PASS' if ok else 'FAIL':<7} {secs:.0f}s {err}".rstrip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--out", type=Path, help="write everything here (kept)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--only", help="comma-separated categories to scan")
    ap.add_argument("--detail", action="store_true",
                    help="also print rows / must-report / found per document")
    args = ap.parse_args()

    root = args.out or Path(tempfile.mkdtemp(prefix="eval_shapes_"))
    root.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DUMPWATCH_KEY": secrets.token_hex(32)}
    env.pop("DUMPWATCH_HOME", None)
    env.pop("DUMPWATCH_DB_URL", None)
    try:
        t = time.perf_counter()
        world, docs = generate(args.records, args.seed, root)
        print(f"generated {args.records:,} customers and "
              f"{sum(len(v) for v in docs.values())} documents in "
              f"{time.perf_counter() - t:.0f}s  ({root})")
        people = {p.rid: p for p in world.people}
        has_table = "--address-table" in cli_help(env, "corpus", "add")
        has_ocr = "--ocr" in cli_help(env, "scan")
        homes = {False: root / "home"}
        took = ingest(homes[False], root / "corpus.csv", env, None)
        print(f"ingested in {took:.1f}s")
        if has_table:
            homes[True] = root / "home-table"
            ingest(homes[True], root / "corpus.csv", env, root / "address_table.csv")
        else:
            print("note: `corpus add --address-table` not in this CLI: lot categories scored "
                  "without the table only")
        only = set(args.only.split(",")) if args.only else None
        head = (f"{'category':<22}{'docs':>5}{'weak':>6}{'must':>7}{'rep':>7}{'TP':>7}{'FP':>5}"
                f"{'P':>8}{'R':>8}{'R/doc':>7}  floors          verdict scan")
        print(head)
        print("-" * len(head))
        for name, _make, floor, opt in CATEGORIES:
            if only and name not in only:
                continue
            folder = root / "docs" / name
            extra: list[str] = []
            if opt == "ocr":
                if not has_ocr:
                    print(f"{name:<22}skipped: `scan --ocr` not in this CLI "
                          f"({len(docs[name])} screenshots written)")
                    continue
                extra = ["--ocr"]
            if opt == "chat":
                extra = ["--assume-records", "33700000"]
            variants = [False, True] if opt == "lot" and has_table else [False]
            for table in variants:
                reports, err, secs = scan(homes[table], folder, env, extra)
                s = score(docs[name], reports, folder, table, people)
                label = name + (" +table" if table else " (no table)" if has_table and
                                opt == "lot" else "")
                print(line(label, s, secs, err, None if opt in ("chat", "negative")
                                                  else floor))
                if args.detail:
                    for doc, rows, must, found in s["per_doc"]:
                        print(f"    {doc:<30} rows {rows:>5}  must {must:>5}  found {found:>5}")
    finally:
        if not (args.keep or args.out):
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept: {root}")


if __name__ == "__main__":
    main()
