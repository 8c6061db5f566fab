"""Repost lineage on a real database: slices and re-posts join a dump, bigger re-posts
grow it, unrelated or barely overlapping documents start their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import insert

from dumpwatch.lineage import IN_CHUNK, assign_dump, dump_detail, list_dumps
from dumpwatch.storage import Database, Document, Finding, Sighting

T0 = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'l.db'}")


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
