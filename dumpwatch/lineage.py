"""Repost lineage: documents grouped into dumps by containment over matched record ids.

A re-post is usually a slice or a superset of an earlier post, reformatted, so it is
compared by containment, not Jaccard: a new document joins the dump that holds at least
``containment`` of its records (a re-post or a slice) or whose records it holds at least
``containment`` of (a bigger re-post: the dump grows). The comparison is exact, in one
indexed SQL query over ``finding.record_id`` per new document; measured against
datasketch's LSH Ensemble in ``benchmarks/bench_lineage.py``: exact is as fast per
document at realistic scale, needs no index rebuilt when a dump is added (LSH Ensemble
is static) and has no false negatives. See BENCHMARKS.md.

API (stable)::

    assign_dump(s, document_id=, corpus=, record_ids=, source=, url=, seen_at=,
                containment=0.8) -> DumpPost | None     # in the pipeline's transaction
    dump_of(s, document_id, corpus) -> Dump | None
    shared_records(s, corpus, record_ids, exclude_document=None) -> {document: records}
                                                        # containment, batched; alerts use it
    list_dumps(db, corpus=None, since=None) -> list[dict]
    dump_detail(db, dump_id) -> dict                    # first seen, re-posts, trend
    sightings_of_dump(s, dump_id) -> list[Sighting]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import Session, select

from dumpwatch.errors import DumpwatchError
from dumpwatch.storage import Database, Document, Dump, DumpPost, Finding, Sighting, write_lock
from dumpwatch.storage.db import batches
from dumpwatch.storage.models import utcnow


def lock_reposts(s: Session, corpus: str) -> None:
    """Two re-posts of one dump stored at once (two workers): the second waits for the
    first's transaction and then sees its findings, so both join one dump and link to one
    first alert. Held until the transaction ends; taking it again is free."""
    write_lock(s, f"reposts:{corpus}")


def shared_records(s: Session, corpus: str, record_ids: Iterable[str],
                   exclude_document: int | None = None) -> dict[int, set[str]]:
    """Containment, the one implementation: for every document holding any of these
    records of ``corpus``, which of them it holds.

    Driven by the index on ``finding.record_id``, in batches (``storage.db.batches``: one
    IN list breaks beyond PostgreSQL's 65,535 bound parameters, SQLite's 32,766)."""
    holders: dict[int, set[str]] = defaultdict(set)
    for chunk in batches(record_ids):
        # corpus is filtered here, not in SQL: given ``corpus = ?`` SQLite's planner (no
        # ANALYZE statistics) picks the corpus index and scans every finding of the corpus
        rows = s.exec(select(Finding.document_id, Finding.record_id, Finding.corpus).where(
            Finding.record_id.in_(chunk)))  # type: ignore[attr-defined]
        for doc, rec, c in rows:
            if c == corpus and doc != exclude_document:
                holders[doc].add(rec)
    return dict(holders)


def _shared_per_dump(s: Session, corpus: str, holders: dict[int, set[str]]) -> dict[int, int]:
    """How many of these records each existing dump holds (a join from ``dumppost``
    would let SQLite scan every finding of every dump; documents are mapped after)."""
    per_dump: dict[int, set[str]] = defaultdict(set)
    for chunk in batches(holders):
        for doc, dump_id in s.exec(select(DumpPost.document_id, DumpPost.dump_id).where(
                DumpPost.corpus == corpus,
                DumpPost.document_id.in_(chunk))):  # type: ignore[attr-defined]
            per_dump[dump_id] |= holders[doc]
    return {d: len(r) for d, r in per_dump.items()}


def assign_dump(s: Session, *, document_id: int, corpus: str, record_ids: Sequence[str],
                source: str, url: str, seen_at: datetime | None = None,
                containment: float = 0.8,
                holders: dict[int, set[str]] | None = None) -> DumpPost | None:
    """File a matched document under its dump (a new one when none contains it).

    Call after the document's findings are flushed, in the same transaction. ``holders``:
    :func:`shared_records` of these records, when the caller has it already (the pipeline
    reads it once for the dump and the alert; taken under :func:`lock_reposts`)."""
    records = set(record_ids)
    if not records:
        return None
    existing = s.exec(select(DumpPost).where(DumpPost.document_id == document_id,
                                             DumpPost.corpus == corpus)).first()
    if existing is not None:
        return existing
    lock_reposts(s, corpus)
    seen_at = seen_at or utcnow()
    best: tuple[float, Dump, int] | None = None
    if holders is None:
        holders = shared_records(s, corpus, sorted(records), exclude_document=document_id)
    for dump_id, shared in _shared_per_dump(s, corpus, holders).items():
        dump = s.get(Dump, dump_id)
        if dump is None:
            continue
        score = max(shared / len(records), shared / max(dump.records, 1))
        if score >= containment and (best is None or score > best[0]):
            best = (score, dump, shared)
    if best is None:
        dump = Dump(corpus=corpus, first_document_id=document_id, first_source=source,
                    first_url=url, first_seen_at=seen_at, last_seen_at=seen_at,
                    records=len(records), posts=1, trend="new")
        s.add(dump)
        s.flush()
        shared = 0
    else:
        _, dump, shared = best
        first = s.exec(select(DumpPost).where(DumpPost.dump_id == dump.id)
                       .order_by(DumpPost.joined_at, DumpPost.id)).first()  # type: ignore
        dump.records += len(records) - shared
        dump.posts += 1
        dump.last_seen_at = max(_aware(dump.last_seen_at), _aware(seen_at))
        base = first.records if first else dump.records
        dump.trend = ("growing" if len(records) > base else "shrinking" if len(records) < base
                      else "stable")
        s.add(dump)
    post = DumpPost(dump_id=dump.id, document_id=document_id, corpus=corpus,  # type: ignore
                    records=len(records), shared=shared, joined_at=seen_at)
    s.add(post)
    s.flush()
    return post


def _aware(t: datetime) -> datetime:
    from datetime import UTC

    return t if t.tzinfo else t.replace(tzinfo=UTC)


def dump_of(s: Session, document_id: int, corpus: str) -> Dump | None:
    post = s.exec(select(DumpPost).where(DumpPost.document_id == document_id,
                                         DumpPost.corpus == corpus)).first()
    return s.get(Dump, post.dump_id) if post else None


def sightings_of_dump(s: Session, dump_id: int) -> list[Sighting]:
    """Every place any post of the dump was seen, oldest first."""
    return list(s.exec(select(Sighting)
                       .join(DumpPost, DumpPost.document_id == Sighting.document_id)
                       .where(DumpPost.dump_id == dump_id)
                       .order_by(Sighting.fetched_at, Sighting.id)))  # type: ignore[arg-type]


def list_dumps(db: Database, *, corpus: str | None = None, since: datetime | None = None
               ) -> list[dict]:
    with db.session() as s:
        q = select(Dump)
        if corpus:
            q = q.where(Dump.corpus == corpus)
        if since:
            q = q.where(Dump.last_seen_at >= since)
        dumps = list(s.exec(q.order_by(Dump.first_seen_at.desc())))  # type: ignore[union-attr]
        out = []
        for d in dumps:
            places = sightings_of_dump(s, d.id)  # type: ignore[arg-type]
            out.append({**_summary(d), "sightings": len(places),
                        "sources": sorted({p.source for p in places}),
                        "last_seen_at": max((p.fetched_at for p in places),
                                            default=d.last_seen_at)})
    return out


def _summary(d: Dump) -> dict:
    return {"id": d.id, "corpus": d.corpus, "records": d.records, "posts": d.posts,
            "trend": d.trend, "first_seen_at": d.first_seen_at, "first_source": d.first_source,
            "first_url": d.first_url}


def dump_detail(db: Database, dump_id: int) -> dict:
    """"First seen at A on D1, re-posted at B, C; 12,400 records; growing"."""
    with db.session() as s:
        d = s.get(Dump, dump_id)
        if d is None:
            raise DumpwatchError(f"no dump {dump_id}: see 'dumpwatch dumps'")
        posts = {p.document_id: p for p in s.exec(
            select(DumpPost).where(DumpPost.dump_id == dump_id))}
        verdicts = {doc: v for chunk in batches(posts) for doc, v in s.exec(
            select(Document.id, Document.verdict).where(
                Document.id.in_(chunk))).all()}  # type: ignore[union-attr]
        places = sightings_of_dump(s, dump_id)
    seen = [{"sighting_id": p.id, "document_id": p.document_id, "source": p.source,
             "url": p.url, "fetched_at": p.fetched_at, "posted_at": p.posted_at,
             "author": p.author, "records": posts[p.document_id].records,
             "shared": posts[p.document_id].shared,
             "verdict": verdicts.get(p.document_id)} for p in places]
    first = next((x for x in seen if x["document_id"] == d.first_document_id), None)
    return {**_summary(d), "first": first,
            "reposts": [x for x in seen if x is not first]}
