"""Repost lineage on a real database (SQLite and PostgreSQL): slices and re-posts join a
dump, bigger re-posts grow it, unrelated or barely overlapping documents start their own,
and a re-post's alert links to the first alert by the same batched containment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import insert, select

from dumpwatch.alerts import create_alert
from dumpwatch.lineage import assign_dump, dump_detail, list_dumps
from dumpwatch.monitor.config import MonitorConfig
from dumpwatch.storage import Alert, Database, Document, Finding, Sighting, Verdict
from dumpwatch.storage.db import IN_CHUNK

T0 = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    url = (f"sqlite:///{tmp_path / 'l.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    database = Database(url)
    yield database
    database.dispose()


def post(db: Database, n: int, records: range | list[int], site: str = "paste") -> int:
    """Store document n with findings for these record numbers and file it."""
    ids = [f"C{r:08d}" for r in records]
    when = T0 + timedelta(hours=n)
    with db.session() as s:
        doc = Document(content_sha256=f"{n:064x}", first_seen_at=when, verdict="redistribution")
        s.add(doc)
        s.flush()
        s.add(Sighting(document_id=doc.id, source=site, url=f"http://{site}/{n}",
                       fetched_at=when))
        s.exec(insert(Finding), params=[  # type: ignore[call-overload]
            {"document_id": doc.id, "corpus": "coupang", "record_id": r, "score": 1.0,
             "fields": "name,phone", "evidence": "line 1: 김*준 · 010-****-5678"} for r in ids])
        s.flush()
        dp = assign_dump(s, document_id=doc.id, corpus="coupang", record_ids=ids, source=site,
                         url=f"http://{site}/{n}", seen_at=when)
        s.commit()
        assert dp is not None
        return dp.dump_id


def test_slices_and_reposts_join_and_growth_is_seen(db: Database) -> None:
    first = post(db, 1, range(0, 1000))
    assert post(db, 2, range(100, 600), "forum") == first  # a slice: 100% contained
    assert post(db, 3, range(0, 1200), "onion") == first  # holds the whole dump: grows it
    other = post(db, 4, range(50_000, 50_400))
    assert other != first
    assert post(db, 5, range(0, 500)) == first
    assert post(db, 6, list(range(900, 1300)) + list(range(60_000, 60_600))) not in (
        first, other)  # 40% overlap is not a re-post
    d = dump_detail(db, first)
    assert d["records"] == 1200 and d["posts"] == 4 and d["trend"] == "shrinking"
    assert d["first"]["url"] == "http://paste/1"
    assert [r["url"] for r in d["reposts"]] == ["http://forum/2", "http://onion/3",
                                                "http://paste/5"]
    assert [r["shared"] for r in d["reposts"]] == [500, 1000, 500]
    listed = {x["id"]: x for x in list_dumps(db)}
    assert listed[first]["sources"] == ["forum", "onion", "paste"]
    assert listed[other]["trend"] == "new"


def test_growing_trend_and_large_record_sets(db: Database) -> None:
    """More records than one IN list takes (SQLite caps bound parameters)."""
    big = 2 * IN_CHUNK + 1234
    first = post(db, 1, range(0, big))
    assert post(db, 2, range(0, big + 3000)) == first
    d = dump_detail(db, first)
    assert d["records"] == big + 3000 and d["trend"] == "growing"


def alert_for(db: Database, n: int, records: range) -> Alert:
    """Store document n with findings for these records, and its alert (as the pipeline
    does, in the document's transaction)."""
    ids = [f"C{r:08d}" for r in records]
    post(db, n, records)
    with db.session() as s:
        doc_id = s.exec(select(Document.id).where(Document.content_sha256 == f"{n:064x}")).one()
        alert = create_alert(s, document_id=doc_id, corpus="coupang", verdict="redistribution",
                             source="paste", url=f"http://paste/{n}", author=None, contact=None,
                             records=ids, fields={"name", "phone"}, samples=[],
                             cfg=MonitorConfig())
        s.commit()
        assert alert is not None
        return alert


def test_repost_alert_containment_is_batched(db: Database, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """With a batch of 50, no statement linking a 400-record re-post binds more than a
    batch (plus its few other parameters): an IN list of all 400 would."""
    import dumpwatch.storage.db

    first = alert_for(db, 1, range(0, 400))
    monkeypatch.setattr(dumpwatch.storage.db, "IN_CHUNK", 50)
    bound: list[int] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        if not executemany:
            bound.append(len(params or ()))

    event.listen(db.engine, "before_cursor_execute", count)
    repost = alert_for(db, 2, range(10, 410))
    event.remove(db.engine, "before_cursor_execute", count)
    assert repost.repost_of == first.id
    assert 50 <= max(bound) < 60, max(bound)


def test_repost_alert_links_beyond_postgresql_bound_parameter_limit(pg_url: str) -> None:
    """65,600 records: one IN list of them exceeds PostgreSQL's 65,535 bound parameters
    (a real server's limit, so this runs there on every run)."""
    db = Database(pg_url)
    try:
        first = alert_for(db, 1, range(0, 65_600))
        repost = alert_for(db, 2, range(0, 65_600))  # the same records, other bytes
        assert first.repost_of is None
        assert repost.repost_of == first.id and repost.delivered_at is not None  # linked
    finally:
        db.dispose()


def test_listing_and_report_read_in_batches(db: Database, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`findings --limit 0` and the regulator's report read every sighting's listing and
    findings: with a batch of 3, the answers are unchanged and no statement binds more."""
    import dumpwatch.storage.db
    from dumpwatch.queries import stored_findings
    from dumpwatch.regulator import build_report

    for n in range(1, 9):
        post(db, n, range(1000 * n, 1000 * n + 2), site=f"site{n}")
    with db.session() as s:
        for doc_id in s.exec(select(Document.id)).all():
            s.add(Verdict(document_id=doc_id, corpus="coupang", verdict="redistribution",
                          matched=2, reported=2, expected=0.0, p_chance=0.0))
        s.commit()
    monkeypatch.setenv("DUMPWATCH_DB_URL", db.url)
    window = (T0 - timedelta(days=1), T0 + timedelta(days=1))
    whole = (stored_findings(tmp_path, limit=0), build_report(db, *window).total.__dict__)
    monkeypatch.setattr(dumpwatch.storage.db, "IN_CHUNK", 3)
    bound: list[int] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        if not executemany and " IN " in statement and "pg_catalog" not in statement:
            bound.append(len(params or ()))  # not the schema check's catalogue query

    event.listen(Engine, "before_cursor_execute", count)
    try:
        batched = (stored_findings(tmp_path, limit=0), build_report(db, *window).total.__dict__)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert len(whole[0]) == 16 and batched == whole
    assert bound and max(bound) <= 5, bound  # 3 ids (+ a filter or two), never all 8 or 16


def test_the_dump_and_the_alert_of_a_document_share_one_containment_read(db: Database) -> None:
    """As the pipeline does it: who else holds the records is read once, under the lock,
    and both the dump filing and the alert's re-post link use that answer."""
    from dumpwatch.lineage import lock_reposts, shared_records

    first = alert_for(db, 1, range(0, 300))
    ids = [f"C{r:08d}" for r in range(20, 320)]
    reads: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:
        if "finding.record_id IN" in statement.replace('"', ""):
            reads.append(statement)

    with db.session() as s:
        doc = Document(content_sha256=f"{2:064x}", first_seen_at=T0, verdict="redistribution")
        s.add(doc)
        s.flush()
        s.exec(insert(Finding), params=[  # type: ignore[call-overload]
            {"document_id": doc.id, "corpus": "coupang", "record_id": r, "score": 1.0,
             "fields": "name,phone", "evidence": "line 1: 김*준 · 010-****-5678"} for r in ids])
        s.flush()
        event.listen(db.engine, "before_cursor_execute", count)
        lock_reposts(s, "coupang")
        holders = shared_records(s, "coupang", ids, exclude_document=doc.id)
        dp = assign_dump(s, document_id=doc.id, corpus="coupang", record_ids=ids,
                         source="forum", url="http://forum/2", seen_at=T0, holders=holders)
        alert = create_alert(s, document_id=doc.id, corpus="coupang", verdict="redistribution",
                             source="forum", url="http://forum/2", author=None, contact=None,
                             records=ids, fields={"name", "phone"}, samples=[],
                             cfg=MonitorConfig(), holders=holders)
        event.remove(db.engine, "before_cursor_execute", count)
        s.commit()
    assert len(reads) == 1, reads
    assert dp is not None and dp.shared == 280
    assert alert is not None and alert.repost_of == first.id
