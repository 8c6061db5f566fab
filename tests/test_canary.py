"""Canary: unique plaintext goes in, and no byte of it is found anywhere afterwards.

Ingest a corpus carrying canary values, scan documents that contain them in table and
JSON Lines mode, then search every byte under the home directory, every value in the
database (on PostgreSQL it lives elsewhere) and everything printed for the canaries in
UTF-8 and CP949, phones as digits, dashed and E.164.
"""

from __future__ import annotations

import contextlib
import csv
from pathlib import Path

from dumpwatch.synth import CORPUS_HEADER, write_corpus_csv
from tests.conftest import database_contents, run_cli

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
    stored = database_contents(home)  # on PostgreSQL it is not under the home
    for needle in _needles():
        assert needle not in printed, needle.decode("utf-8", "replace")
        assert needle not in stored, ("database", needle.decode("utf-8", "replace"))
        for f in files:
            assert needle not in f.read_bytes(), (f, needle.decode("utf-8", "replace"))
    # the evidence people see is the redacted form
    assert "캐*리" in table.stdout and "010-****-0123" in table.stdout


def test_no_canary_plaintext_in_evidence_dumps_or_exports(tmp_path: Path) -> None:
    """The crawl path: a sale post carrying the canary (also as a fake 'contact' e-mail
    and in the title) is crawled; findings, evidence bundles, dumps and every export
    format are written; no byte of the canary is anywhere."""
    from dumpwatch.synth import people
    from dumpwatch.testsites import LocalSites
    from dumpwatch.testsites.profiles import write_profiles

    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 2_000)
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["CANARY-1"] + [CANARY[k] for k in ("name", "phone", "email",
                                                                    "address", "order")])
    home, config, out = tmp_path / "home", tmp_path / "config", tmp_path / "out"
    added = run_cli("--home", str(home), "corpus", "add", "shop", str(corpus))
    assert added.returncode == 0, added.stderr
    canary_row = ",".join([CANARY["name"], CANARY["phone"], CANARY["email"],
                           f'"{CANARY["address"]}"', CANARY["order"]])
    sample = "\n".join(f"{p.name},{p.phone},{p.email},\"{p.address}\",{p.order}"
                       for p in people(0, 20))
    printed = []
    with LocalSites() as sites:
        write_profiles(config, sites)
        sites.paste.add(f"샵 DB 판매 {CANARY['email']} {CANARY['name']}",
                        f"가격 500만원, 2,001건, 샘플 21개. 문의 메일 {CANARY['email']} "
                        f"텔레 @shop_seller\n이름,연락처,이메일,주소,주문\n{canary_row}\n"
                        f"{sample}\n")
        commands = [
            ("crawl", "local-paste", "--json"),
            ("findings",), ("findings", "-f", "jsonl", "--evidence", str(out / "ev-all")),
            ("evidence", "1", "--out", str(out / "ev")), ("dumps",), ("dumps", "-f", "jsonl"),
            ("dumps", "show", "1"), ("dumps", "show", "1", "-f", "json"),
            *[("export", "--format", f, "--out", str(out / f"export.{f}"))
              for f in ("jsonl", "csv", "stix", "misp")],
            ("export", "--format", "stix"),
        ]
        for args in commands:
            proc = run_cli("--home", str(home), "--config", str(config), *args)
            assert proc.returncode == 0, (args, proc.stderr)
            printed.append(proc.stdout + proc.stderr)
    text = "\n".join(printed)
    assert "CANARY-1" in text and "캐*리" in text  # found, and shown redacted
    assert "@shop_seller" in text and "500" in text
    bundle = (out / "ev" / "sighting-1" / "page.redacted.txt").read_text()
    assert "010-****-0123" in bundle
    files = [p for d in (home, out) for p in d.rglob("*") if p.is_file()]
    assert len([f for f in files if f.parent == out]) == 4
    stored = database_contents(home)  # on PostgreSQL it is not under the home
    for needle in _needles():
        assert needle not in text.encode(), needle.decode("utf-8", "replace")
        assert needle not in stored, ("database", needle.decode("utf-8", "replace"))
        for f in files:
            assert needle not in f.read_bytes(), (f, needle.decode("utf-8", "replace"))


def test_no_canary_plaintext_after_archives_and_crawled_files(tmp_path: Path) -> None:
    """The same search after scanning and crawling a zip of an .xlsx, a CP949 tar.gz and
    a bomb: expansion happens in memory, nothing of a member reaches the home."""
    from dumpwatch.testsites import LocalSites, files
    from dumpwatch.testsites.profiles import write_profiles

    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 2_000)
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["CANARY-1"] + [CANARY[k] for k in ("name", "phone", "email",
                                                                    "address", "order")])
    home = tmp_path / "home"
    header = ["이름", "연락처", "이메일", "주소", "주문"]
    row = [CANARY[k] for k in ("name", "phone", "email", "address", "order")]
    book = files.xlsx({"고객": [header, row]})
    tgz = files.tar_gz_of({"db/users.csv": (",".join(header[:3]) + "\n" + ",".join(row[:3])
                                            + "\n").encode("cp949")})
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "dump.zip").write_bytes(files.zip_of({"고객.xlsx": book}))
    (docs / "old.tar.gz").write_bytes(tgz)
    (docs / "bomb.zip").write_bytes(files.zip_bomb(1 << 30))

    added = run_cli("--home", str(home), "corpus", "add", "shop", str(corpus))
    assert added.returncode == 0, added.stderr
    scanned = run_cli("--home", str(home), "scan", "--format", "jsonl", "--summary",
                      str(home / "summary.jsonl"), str(docs))
    assert scanned.returncode == 0 and scanned.stdout.count("CANARY-1") == 2, scanned.stderr
    with LocalSites() as sites:
        config = tmp_path / "config"
        write_profiles(config, sites)
        p = sites.paste.add("판매", f"{sites.paste_server.url}/files/p00001/dump.zip")
        p.files["dump.zip"] = files.zip_of({"고객.xlsx": book, "old.tar.gz": tgz})
        crawled = run_cli("--home", str(home), "--config", str(config), "crawl",
                          "local-paste", "--json")
        assert crawled.returncode == 0, crawled.stderr
    found = run_cli("--home", str(home), "findings", "-f", "jsonl", "--limit", "0")
    assert found.stdout.count("CANARY-1") == 2, found.stdout

    printed = (scanned.stdout + scanned.stderr + crawled.stdout + crawled.stderr
               + found.stdout).encode()
    home_files = [f for f in home.rglob("*") if f.is_file()]
    stored = database_contents(home)  # on PostgreSQL it is not under the home
    for needle in _needles():
        assert needle not in printed, needle.decode("utf-8", "replace")
        assert needle not in stored, ("database", needle.decode("utf-8", "replace"))
        for f in home_files:
            assert needle not in f.read_bytes(), (f, needle.decode("utf-8", "replace"))


def test_no_canary_plaintext_in_takedown_notices_exports_or_report(tmp_path: Path) -> None:
    """The whole takedown path over a sale post that carries the canary: the notice as
    the SMTP server received it, the exports, the report and the home hold none of it."""
    from dumpwatch.synth import people
    from dumpwatch.testsites import LocalSites
    from dumpwatch.testsites.profiles import write_profiles
    from dumpwatch.testsites.smtp import SmtpSink
    from dumpwatch.testsites.takedown import registry, write_takedown_config

    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 2_000)
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["CANARY-1"] + [CANARY[k] for k in ("name", "phone", "email",
                                                                    "address", "order")])
    home, config = tmp_path / "home", tmp_path / "config"
    assert run_cli("--home", str(home), "corpus", "add", "shop", str(corpus)).returncode == 0
    others = "\n".join(f"{p.name},{p.phone},{p.email}" for p in people(100, 7))
    post = (f"샵 고객 DB 판매 300만원 텔레그램 @canary_seller\n이름,연락처,이메일\n"
            f"{CANARY['name']},{CANARY['phone']},{CANARY['email']}\n{others}\n")
    printed = []

    def cli(*args: str):
        proc = run_cli("--home", str(home), "--config", str(config), *args)
        printed.append((proc.stdout + proc.stderr).encode())
        assert proc.returncode == 0, (args, proc.stderr)
        return proc

    with LocalSites() as sites, registry() as rdap, SmtpSink() as smtp:
        write_profiles(config, sites)
        write_takedown_config(config, rdap, smtp.port)
        paste = sites.paste.add("shop db", post)
        cli("crawl", "local-paste")
        cli("takedown", "open", "--all")
        cli("takedown", "show", "1", "--notice")
        cli("takedown", "send", "1")
        sites.paste.remove(paste.id)
        rechecked = cli("takedown", "recheck")
        cli("takedown", "show", "1")
        cli("takedown", "list", "--json")
    outputs = [tmp_path / "report.html", tmp_path / "report.pdf"]
    cli("report", "--html", str(outputs[0]), "--pdf", str(outputs[1]), "--json")
    for fmt in ("jsonl", "csv", "stix", "misp"):
        outputs.append(tmp_path / f"export.{fmt}")
        cli("export", "--format", fmt, "--out", str(outputs[-1]))
    assert len(smtp.received) == 1 and "case 1: removed" in rechecked.stdout
    assert "캐*리" in smtp.received[0].message().get_body(("plain",)).get_content()
    blobs = [("smtp", smtp.received[0].raw), ("printed", b"".join(printed)),
             *((str(p), p.read_bytes()) for p in outputs),
             *((str(p), p.read_bytes()) for p in home.rglob("*") if p.is_file()),
             ("database", database_contents(home))]  # on PostgreSQL not under the home
    for needle in _needles():
        for where, blob in blobs:
            assert needle not in blob, (where, needle.decode("utf-8", "replace"))


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


def test_no_canary_plaintext_from_the_columnar_scan(tmp_path: Path) -> None:
    """A dump long enough to be read column by column (matcher.scan_columns): evidence
    rendered by string kernels and JSON lines written by the workers carry no canary."""
    import json

    from matcher.scan_columns import MIN_TABLE_ROWS, read_table

    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 2_000)
    canary_row = ["CANARY-1", *(CANARY[k] for k in ("name", "phone", "email", "address",
                                                     "order"))]
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(canary_row)
    rows = corpus.read_text(encoding="utf-8").splitlines()
    dump = tmp_path / "dump.csv"
    quoted = f'"{CANARY["address"]}"'
    body = [*rows[1:200], ",".join([*canary_row[:4], quoted, CANARY["order"]])]
    dump.write_text("\n".join([rows[0], *body]) + "\n", encoding="utf-8")
    assert len(body) > MIN_TABLE_ROWS and read_table(dump.read_text()) is not None
    home = tmp_path / "home"
    assert run_cli("--home", str(home), "corpus", "add", "shop", str(corpus)).returncode == 0
    scanned = run_cli("--home", str(home), "scan", "--format", "jsonl", str(dump))
    assert scanned.returncode == 0, scanned.stderr
    found = [json.loads(line) for line in scanned.stdout.splitlines()]
    canary = [f for f in found if f["record_id"] == "CANARY-1"]
    assert len(found) == 200 and len(canary) == 1
    assert canary[0]["evidence"].startswith("line 201: 캐*리 · 010-****-0123 · zq***@naver.com")
    printed = (scanned.stdout + scanned.stderr).encode()
    for needle in _needles():
        assert needle not in printed, needle.decode("utf-8", "replace")
