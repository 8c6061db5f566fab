"""Read-side queries over the database, shared by the CLI and the monitor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import select

from dumpwatch.storage import Document, Finding, Sighting, Verdict, open_database


def stored_findings(home: Path, *, source: str | None = None, corpus: str | None = None,
                    since: datetime | None = None, verdict: str | None = None,
                    limit: int = 200) -> list[dict]:
    db = open_database(home)
    with db.session() as s:
        q = (select(Finding, Sighting, Verdict)
             .join(Document, Document.id == Finding.document_id)
             .join(Sighting, Sighting.document_id == Document.id)
             .join(Verdict, (Verdict.document_id == Document.id)
                   & (Verdict.corpus == Finding.corpus)))
        if source:
            q = q.where(Sighting.source == source)
        if corpus:
            q = q.where(Finding.corpus == corpus)
        if since:
            q = q.where(Sighting.fetched_at >= since)
        if verdict:
            q = q.where(Verdict.verdict == verdict)
        q = q.order_by(Sighting.fetched_at.desc(), Finding.id)  # type: ignore[union-attr]
        if limit:
            q = q.limit(limit)
        from dumpwatch.evidence import listing_dict
        from dumpwatch.storage import Listing

        rows = list(s.exec(q))
        listings = {x.sighting_id: listing_dict(x) for x in s.exec(select(Listing).where(
            Listing.sighting_id.in_({sg.id for _, sg, _ in rows})))}  # type: ignore[union-attr]
        out = [{"sighting_id": sg.id, "fetched_at": sg.fetched_at, "source": sg.source,
                "url": sg.url,
                "title": sg.title, "author": sg.author, "posted_at": sg.posted_at,
                "verdict": v.verdict, "corpus": f.corpus, "record_id": f.record_id,
                "score": f.score, "fields": f.fields.split(","), "evidence": f.evidence,
                "listing": listings.get(sg.id)}
               for f, sg, v in rows]
    db.dispose()
    return out


def source_status(home: Path, config: Path) -> tuple[list[dict], dict]:
    from sqlalchemy import func

    from crawler.profiles import load_sources
    from dumpwatch.monitor.scheduler import next_runs
    from dumpwatch.storage import Alert, CrawlRun, SourceState

    profiles = load_sources(config, strict=False)
    nxt = next_runs(home)
    db = open_database(home)
    rows = []
    with db.session() as s:
        health = {h.name: h for h in s.exec(select(SourceState))}
        names = sorted(set(profiles) | set(health))
        for name in names:
            last = s.exec(select(CrawlRun).where(CrawlRun.source == name)
                          .order_by(CrawlRun.id.desc())).first()  # type: ignore[union-attr]
            docs = s.exec(select(func.count(func.distinct(Sighting.document_id)))
                          .where(Sighting.source == name)).one()
            found = s.exec(select(func.count(Finding.id))
                           .join(Sighting, Sighting.document_id == Finding.document_id)
                           .where(Sighting.source == name)).one()
            h = health.get(name)
            rows.append({"name": name, "configured": name in profiles,
                         "healthy": h.healthy if h else True,
                         "last_run": last.started_at if last else None,
                         "last_status": last.status if last else None,
                         "next_run": nxt.get(name), "blocked": h.blocked_total if h else 0,
                         "documents": docs, "findings": found,
                         "last_error": h.last_error if h else None})
        totals = {"findings": s.exec(select(func.count(Finding.id))).one(),
                  "alerts": s.exec(select(func.count(Alert.id))).one(),
                  "alerts_pending": s.exec(select(func.count(Alert.id)).where(
                      Alert.delivered_at.is_(None))).one()}  # type: ignore[union-attr]
    db.dispose()
    return rows, totals


def demo_summary(home: Path) -> dict:
    """Documents scanned, redistributions and records exposed, overall and per source."""
    from sqlalchemy import func

    db = open_database(home)
    with db.session() as s:
        per_source = {}
        for name, docs in s.exec(select(Sighting.source, func.count(
                func.distinct(Sighting.document_id))).group_by(Sighting.source)):
            redis = s.exec(select(func.count(func.distinct(Document.id)))
                           .join(Sighting, Sighting.document_id == Document.id)
                           .where(Sighting.source == name,
                                  Document.verdict == "redistribution")).one()
            exposed = s.exec(select(func.count(func.distinct(Finding.record_id)))
                             .join(Sighting, Sighting.document_id == Finding.document_id)
                             .where(Sighting.source == name)).one()
            per_source[name] = {"documents": docs, "redistributions": redis,
                                "records_exposed": exposed}
        total = {
            "documents": s.exec(select(func.count(Document.id))).one(),
            "redistributions": s.exec(select(func.count(Document.id)).where(
                Document.verdict == "redistribution")).one(),
            "records_exposed": s.exec(select(func.count(func.distinct(Finding.record_id)))).one(),
        }
    db.dispose()
    return {**total, "per_source": per_source}
