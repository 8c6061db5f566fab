"""Dashboard load check: 1M findings in SQLite; p95 latency of the findings page and the
API page of 50 (first page, deep keyset pages, a filtered page), through the real ASGI app.

    python benchmarks/bench_web.py [--findings 1000000] [--per-post 5] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlmodel import insert

from dumpwatch.accounts import add_user, issue_token
from dumpwatch.storage import Document, Finding, Sighting, Verdict
from dumpwatch.storage.db import open_database
from dumpwatch.web import create_app


def fill(home: Path, findings: int, per_post: int) -> int:
    db = open_database(home)
    posts = findings // per_post
    t0 = datetime.now(UTC) - timedelta(days=30)
    verdicts = ["redistribution", "sample", "chance"]
    with db.session() as s:
        for lo in range(0, posts, 20_000):
            ids = range(lo + 1, min(posts, lo + 20_000) + 1)
            s.exec(insert(Document), params=[{"id": i, "content_sha256": f"{i:064x}",
                                              "verdict": verdicts[i % 3]} for i in ids])
            s.exec(insert(Sighting), params=[{
                "id": i, "document_id": i, "source": f"src-{i % 7}",
                "url": f"http://paste.test/raw/{i}", "title": f"post {i}",
                "fetched_at": t0 + timedelta(seconds=i)} for i in ids])
            s.exec(insert(Verdict), params=[{"document_id": i, "corpus": "coupang",
                                             "verdict": verdicts[i % 3], "matched": per_post}
                                            for i in ids])
            s.exec(insert(Finding), params=[{
                "document_id": i, "corpus": "coupang", "record_id": f"C{i:07d}{k}",
                "score": 0.9, "fields": "name,phone", "evidence": "김*준 · 010-****-5678"}
                for i in ids for k in range(per_post)])
            s.commit()
    db.dispose()
    return posts


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=1_000_000)
    ap.add_argument("--per-post", type=int, default=5)
    ap.add_argument("--requests", type=int, default=200)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        os.environ.pop("DUMPWATCH_DB_URL", None)
        t = time.perf_counter()
        posts = fill(home, a.findings, a.per_post)
        print(f"filled {a.findings:,} findings in {posts:,} posts: "
              f"{time.perf_counter() - t:.1f} s")
        db = open_database(home)
        add_user(db, "bench", "admin", "bench-password-1")
        token = issue_token(db, "bench")
        db.dispose()
        with TestClient(create_app(home, Path(tmp) / "config")) as c:
            page = c.get("/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            c.post("/login", data={"name": "bench", "password": "bench-password-1",
                                   "csrf": csrf})
            h = {"authorization": f"Bearer {token}"}
            rnd = random.Random(7)
            cases = {
                "page /findings (first 50)": lambda: c.get("/findings"),
                "page /findings (deep keyset)": lambda: c.get(
                    f"/findings?before={rnd.randint(51, posts)}"),
                "page /findings?verdict=sample": lambda: c.get("/findings?verdict=sample"),
                "api /api/v1/findings (first 50)": lambda: c.get("/api/v1/findings",
                                                                 headers=h),
                "api /api/v1/findings (deep keyset)": lambda: c.get(
                    f"/api/v1/findings?before={rnd.randint(51, posts)}", headers=h),
                "api /api/v1/findings?source=src-3": lambda: c.get(
                    "/api/v1/findings?source=src-3", headers=h),
            }
            for name, call in cases.items():
                call()  # warm
                times = []
                for _ in range(a.requests):
                    t = time.perf_counter()
                    r = call()
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, (name, r.status_code)
                print(f"{name:40s} p50 {statistics.median(times) * 1000:7.1f} ms   "
                      f"p95 {p95(times):7.1f} ms   (n={a.requests})")


if __name__ == "__main__":
    main()
