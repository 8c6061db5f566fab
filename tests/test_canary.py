"""Canary: unique plaintext goes in, and no byte of it is found anywhere afterwards.

Ingest a corpus carrying canary values, scan documents that contain them in table and
JSON Lines mode, then search every byte under the home directory and everything
printed for the canaries in UTF-8 and CP949, phones as digits, dashed and E.164.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

from dumpwatch.synth import CORPUS_HEADER, write_corpus_csv
from tests.conftest import run_cli

CANARY = {
    "name": "캐나리",
    "phone": "010-9876-0123",
    "email": "zq.canary.7731@naver.com",
    "address": "서울특별시 강남구 카나리아로 77, 101동 1001호",
    "order": "카나리아 새모이 특대용량",
}


def _needles() -> list[bytes]:
    texts = [CANARY["name"], CANARY["email"], "zq.canary.7731", "카나리아로", "카나리아 새모이",
             "01098760123", "010-9876-0123", "+821098760123", "1098760123", "9876-0123"]
    out = []
    for t in texts:
        out.append(t.encode("utf-8"))
        with contextlib.suppress(UnicodeEncodeError):  # not every canary exists in CP949
            out.append(t.encode("cp949"))
    return sorted(set(out))


def test_no_canary_plaintext_anywhere(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 2_000)
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["CANARY-1"] + [CANARY[k] for k in ("name", "phone", "email",
                                                                    "address", "order")])
    assert CORPUS_HEADER[0] == "customer_id"
    home = tmp_path / "home"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dump.csv").write_text(
        "이름,연락처,이메일,주소,주문\n" + ",".join(
            [CANARY["name"], CANARY["phone"], CANARY["email"], f'"{CANARY["address"]}"',
             CANARY["order"]]) + "\n", encoding="utf-8")
    (docs / "post-cp949.txt").write_bytes(
        f"판매합니다\n{CANARY['name']} {CANARY['phone']} {CANARY['email']}\n".encode("cp949"))

    added = run_cli("--home", str(home), "corpus", "add", "shop", str(corpus))
    assert added.returncode == 0 and "2,001 records added" in added.stderr, added.stderr
    table = run_cli("--home", str(home), "scan", str(docs))
    jsonl = run_cli("--home", str(home), "scan", "--format", "jsonl", "--summary",
                    str(home / "summary.jsonl"), str(docs))
    assert table.returncode == 0 and jsonl.returncode == 0, table.stderr + jsonl.stderr
    assert "CANARY-1" in table.stdout and jsonl.stdout.count("CANARY-1") == 2

    printed = (table.stdout + table.stderr + jsonl.stdout + jsonl.stderr + added.stderr).encode()
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files, "the home directory should hold the index"
    for needle in _needles():
        assert needle not in printed, needle.decode("utf-8", "replace")
        for f in files:
            assert needle not in f.read_bytes(), (f, needle.decode("utf-8", "replace"))
    # the evidence people see is the redacted form
    assert "캐*리" in table.stdout and "010-****-0123" in table.stdout


def test_no_canary_plaintext_from_telegram_or_the_worker_frontier(tmp_path: Path) -> None:
    """A Telegram sale post and a paste crawled by a worker through Redis: the canary is in
    post text, a document title and a paste title. Nothing of it in the home, the database
    (SQLite or PostgreSQL), Redis or anything printed."""
    import pytest

    from crawler.frontier import enqueue_run
    from dumpwatch.testsites import LocalSites
    from dumpwatch.testsites.bigpaste import write_profile
    from dumpwatch.testsites.server import SiteServer
    from dumpwatch.testsites.services import RedisServer, ServiceUnavailable
    from dumpwatch.testsites.telegram import TelegramPreviewSite
    from tests.test_telegram import PROFILE

    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 500)
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["CANARY-1"] + [CANARY[k] for k in ("name", "phone", "email",
                                                                    "address", "order")])
    home, config = tmp_path / "home", tmp_path / "config"
    printed = run_cli("--home", str(home), "corpus", "add", "shop", str(corpus)).stderr
    line = f"{CANARY['name']} {CANARY['phone']} {CANARY['email']}"
    redis = RedisServer()
    try:
        redis_url = redis.start()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    tg = TelegramPreviewSite()
    tg.post("sale_channel", f"판매 샘플\n{line}", documents=[(f"{CANARY['phone']}.xlsx", "2 MB")])
    server = SiteServer(tg).start()
    try:
        with LocalSites() as sites:
            sites.paste.add(f"DB {CANARY['phone']} {CANARY['email']}", f"샘플\n{line}")
            write_profile(config, "w-paste", sites.paste_server.url, 1)
            (config / "sources" / "tg.yaml").write_text(
                PROFILE.format(base=server.url, channels="sale_channel"))
            crawl = run_cli("--home", str(home), "--config", str(config), "crawl", "tg")
            assert enqueue_run(redis_url, "w-paste")["status"] == "enqueued"
            worker = run_cli("--home", str(home), "--config", str(config), "worker",
                             "--source", "w-paste", "--redis-url", redis_url,
                             "--idle-exit", "2")
            assert crawl.returncode == 0 and worker.returncode == 0, worker.stderr
            found = run_cli("--home", str(home), "findings", "-f", "jsonl")
            assert found.stdout.count("CANARY-1") == 2  # found on both, shown redacted
            printed += crawl.stdout + crawl.stderr + worker.stdout + worker.stderr + found.stdout
            import redis as redis_client

            r = redis_client.Redis.from_url(redis_url)
            stored = b""
            for k in r.keys("*"):
                kind = r.type(k)
                if kind == b"zset":
                    stored += b"".join(r.zrange(k, 0, -1))
                elif kind == b"set":
                    stored += b"".join(r.smembers(k))
                elif kind == b"list":
                    stored += b"".join(r.lrange(k, 0, -1))
                else:
                    stored += r.dump(k) or b""
            r.close()
    finally:
        server.stop()
        redis.stop()
    from sqlalchemy import text

    from dumpwatch.storage import open_database

    db = open_database(home)
    with db.engine.connect() as conn:
        from sqlmodel import SQLModel

        rows = "".join(repr(conn.execute(text(f"SELECT * FROM {t}")).fetchall())
                       for t in SQLModel.metadata.tables)
    db.dispose()
    files = [p for p in home.rglob("*") if p.is_file()]
    for needle in _needles():
        assert needle not in printed.encode(), needle.decode("utf-8", "replace")
        assert needle not in stored, ("redis", needle.decode("utf-8", "replace"))
        assert needle not in rows.encode(), ("database", needle.decode("utf-8", "replace"))
        for f in files:
            assert needle not in f.read_bytes(), (f, needle.decode("utf-8", "replace"))
