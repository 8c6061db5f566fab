"""Repost lineage: exact containment (SQL, as dumpwatch.lineage does it; and a Python
inverted index) vs datasketch's MinHash LSH Ensemble, on synthetic dumps.

    python benchmarks/bench_lineage.py [DUMPS] [QUERIES]     (defaults 400 200)

Dumps have log-uniform sizes of 200..50,000 matched records out of a 33.7M-id corpus
(a stored dump is what the matcher reported: a sample post holds tens, a full re-post
many thousands). Queries are new documents: slices of a dump (40-100%), bigger re-posts
(a dump + 10-30% new records) and fresh dumps. Truth is exact containment >= 0.8 in
either direction. Prints build cost, per-document latency and accuracy.
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlmodel import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dumpwatch.lineage import assign_dump
from dumpwatch.storage import Database, Document, DumpPost, Finding
from dumpwatch.storage.dumps import Dump

CORPUS = 33_700_000
T = 0.8


def make(n_dumps: int, n_queries: int, seed: int = 1):
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    dumps = []
    for _ in range(n_dumps):
        size = int(math.exp(rng.uniform(math.log(200), math.log(50_000))))
        dumps.append(np.unique(nrng.integers(0, CORPUS, size)))
    queries = []
    for q in range(n_queries):
        kind = ("slice", "superset", "fresh")[q % 3]
        base = dumps[rng.randrange(n_dumps)]
        if kind == "slice":
            k = max(1, int(len(base) * rng.uniform(0.4, 1.0)))
            ids = nrng.choice(base, k, replace=False)
        elif kind == "superset":
            extra = nrng.integers(0, CORPUS, int(len(base) * rng.uniform(0.1, 0.3)))
            ids = np.unique(np.concatenate([base, extra]))
        else:
            ids = np.unique(nrng.integers(0, CORPUS, int(math.exp(rng.uniform(
                math.log(200), math.log(50_000))))))
        queries.append((kind, ids))
    return dumps, queries


def truth(dumps, q: np.ndarray) -> set[int]:
    out = set()
    for i, d in enumerate(dumps):
        shared = np.intersect1d(d, q, assume_unique=True).size
        if shared >= T * q.size or shared >= T * d.size:
            out.add(i)
    return out


def rid(x: int) -> str:
    return f"C{x:09d}"


def bench_sql(dumps, queries, db: Database) -> dict:
    t0 = time.perf_counter()
    doc_of = {}
    with db.session() as s:
        for i, d in enumerate(dumps):
            doc = Document(content_sha256=f"{i:064x}")
            s.add(doc)
            s.flush()
            s.exec(insert(Finding), params=[  # type: ignore[call-overload]
                {"document_id": doc.id, "corpus": "c", "record_id": rid(x), "score": 1.0,
                 "fields": "name", "evidence": ""} for x in d.tolist()])
            dump = Dump(corpus="c", first_document_id=doc.id, first_source="s",
                        first_url=f"u{i}", records=int(d.size))
            s.add(dump)
            s.flush()
            s.add(DumpPost(dump_id=dump.id, document_id=doc.id, corpus="c",
                           records=int(d.size)))
            doc_of[dump.id] = i
        s.commit()
    build = time.perf_counter() - t0
    lat, found = [], []
    for n, (_, q) in enumerate(queries):
        ids = [rid(x) for x in q.tolist()]
        with db.session() as s:
            doc = Document(content_sha256=f"q{n:063x}")
            s.add(doc)
            s.flush()
            s.exec(insert(Finding), params=[  # type: ignore[call-overload]
                {"document_id": doc.id, "corpus": "c", "record_id": r, "score": 1.0,
                 "fields": "name", "evidence": ""} for r in ids])
            t = time.perf_counter()
            post = assign_dump(s, document_id=doc.id, corpus="c", record_ids=ids, source="s",
                               url="q", containment=T)
            lat.append(time.perf_counter() - t)
            found.append(doc_of.get(post.dump_id) if post else None)
            s.rollback()  # keep the stored state the same for every query
    return {"build": build, "lat": lat, "found": found}


def bench_python(dumps, queries) -> dict:
    t0 = time.perf_counter()
    index: dict[int, list[int]] = {}
    for i, d in enumerate(dumps):
        for x in d.tolist():
            index.setdefault(x, []).append(i)
    build = time.perf_counter() - t0
    lat, found = [], []
    for _, q in queries:
        t = time.perf_counter()
        shared: dict[int, int] = {}
        for x in q.tolist():
            for i in index.get(x, ()):
                shared[i] = shared.get(i, 0) + 1
        best = max(((max(c / q.size, c / dumps[i].size), i) for i, c in shared.items()),
                   default=(0.0, None))
        lat.append(time.perf_counter() - t)
        found.append(best[1] if best[0] >= T else None)
    return {"build": build, "lat": lat, "found": found}


def bench_lsh(dumps, queries, num_perm: int = 128) -> dict:
    from datasketch import MinHash, MinHashLSHEnsemble

    def mh(ids: np.ndarray) -> MinHash:
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([int(x).to_bytes(8, "little") for x in ids.tolist()])
        return m

    t0 = time.perf_counter()
    sketches = [(i, mh(d), int(d.size)) for i, d in enumerate(dumps)]
    lsh = MinHashLSHEnsemble(threshold=T, num_perm=num_perm, num_part=16)
    lsh.index(sketches)  # static: a new dump means rebuilding the whole index
    build = time.perf_counter() - t0
    lat, found = [], []
    for _, q in queries:
        t = time.perf_counter()
        cands = set(lsh.query(mh(q), int(q.size)))
        lat.append(time.perf_counter() - t)
        found.append(cands)
    return {"build": build, "lat": lat, "found": found}


def main() -> None:
    n_dumps = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    n_queries = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    dumps, queries = make(n_dumps, n_queries)
    rows = sum(d.size for d in dumps)
    print(f"{n_dumps} dumps, {rows:,} stored findings (mean {rows / n_dumps:,.0f}/dump), "
          f"{n_queries} new documents (slices, supersets, fresh)")
    t0 = time.perf_counter()
    truths = [truth(dumps, q) for _, q in queries]
    print(f"truth (numpy intersect over all dumps): {time.perf_counter() - t0:.1f} s")

    def report(name: str, r: dict, sets: bool = False) -> None:
        lat = np.array(r["lat"]) * 1000
        if sets:  # LSH returns candidates; a hit = the true dump among them
            tp = sum(1 for f, t in zip(r["found"], truths, strict=True) if f & t)
            fn = sum(1 for f, t in zip(r["found"], truths, strict=True) if t and not f & t)
            fp = sum(len(f - t) for f, t in zip(r["found"], truths, strict=True))
        else:
            tp = sum(1 for f, t in zip(r["found"], truths, strict=True) if f in t)
            fn = sum(1 for f, t in zip(r["found"], truths, strict=True) if t and f not in t)
            fp = sum(1 for f, t in zip(r["found"], truths, strict=True)
                     if f is not None and f not in t)
        by_kind = {}
        for (kind, _), f, t in zip(queries, r["found"], truths, strict=True):
            ok = (bool(f & t) if sets else f in t) if t else (not f if sets else f is None)
            by_kind.setdefault(kind, []).append(ok)
        kinds = ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in by_kind.items())
        print(f"{name:<24} build {r['build']:7.2f} s | per document median {np.median(lat):7.2f}"
              f" ms, p95 {np.percentile(lat, 95):7.2f} ms | found {tp}, missed {fn}, "
              f"wrong {fp} | correct per kind: {kinds}")

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        report("exact SQL (SQLite)", bench_sql(dumps, queries, db))
        db.dispose()
    report("exact Python dict", bench_python(dumps, queries))
    report("LSH Ensemble (128 perm)", bench_lsh(dumps, queries), sets=True)


if __name__ == "__main__":
    main()
