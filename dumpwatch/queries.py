"""Read-side queries over the database, shared by the CLI and the monitor."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlmodel import select

from dumpwatch.storage import Database, Document, Finding, Sighting, Verdict, open_database
from dumpwatch.storage.db import batches


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
        listings = {x.sighting_id: listing_dict(x)  # batched: `--limit 0` lists everything
                    for chunk in batches(sg.id for _, sg, _ in rows)
                    for x in s.exec(select(Listing).where(
                        Listing.sighting_id.in_(chunk)))}  # type: ignore[union-attr]
        out = [{"sighting_id": sg.id, "fetched_at": sg.fetched_at, "source": sg.source,
                "url": sg.url,
                "title": sg.title, "author": sg.author, "posted_at": sg.posted_at,
                "verdict": v.verdict, "corpus": f.corpus, "record_id": f.record_id,
                "score": f.score, "fields": f.fields.split(","), "evidence": f.evidence,
                "listing": listings.get(sg.id)}
               for f, sg, v in rows]
    db.dispose()
    return out


def source_status(home: Path, config: Path, db: Database | None = None
                  ) -> tuple[list[dict], dict]:
    """Per source: health, last/next run, counts, overrides. ``db``: the caller's (the
    web app's) database; by default the home's, opened and closed here."""
    from sqlalchemy import func

    from crawler.profiles import load_sources
    from dumpwatch.monitor.scheduler import next_runs
    from dumpwatch.storage import Alert, CrawlRun, SourceState

    profiles = load_sources(config, strict=False)
    nxt = next_runs(home)
    own = db is None
    db = db or open_database(home)
    from dumpwatch.source_controls import effective_sources, overrides, pending_requests

    overridden, effective = overrides(db), effective_sources(db, profiles)
    waiting = {r.source for r in pending_requests(db)}
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
                         "last_error": h.last_error if h else None,
                         "enabled": effective[name].enabled if name in effective else None,
                         "retention_days": (effective[name].retention_days
                                            if name in effective else None),
                         "override": name in overridden, "run_requested": name in waiting})
        totals = {"findings": s.exec(select(func.count(Finding.id))).one(),
                  "alerts": s.exec(select(func.count(Alert.id))).one(),
                  "alerts_pending": s.exec(select(func.count(Alert.id)).where(
                      Alert.delivered_at.is_(None))).one()}  # type: ignore[union-attr]
    if own:
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


# ---------------------------------------------------------------- dashboard and API


def findings_queue(db, *, source: str | None = None, verdict: str | None = None,
                   dump: int | None = None, since: datetime | None = None,
                   state: str | None = None, before_id: int | None = None,
                   limit: int = 50) -> list[dict]:
    """Posts (sightings) with findings, newest first, keyset-paginated on the sighting id
    (pass the last ``sighting_id`` as ``before_id``): one row per post, not per record."""
    from sqlalchemy import exists, func

    from dumpwatch.storage import DumpPost, Triage

    with db.session() as s:
        q = (select(Sighting, Document.verdict, Triage.state)
             .join(Document, Document.id == Sighting.document_id)
             .outerjoin(Triage, Triage.sighting_id == Sighting.id)
             .where(exists().where(Finding.document_id == Sighting.document_id)))
        if source:
            q = q.where(Sighting.source == source)
        if verdict:
            q = q.where(Document.verdict == verdict)
        if since:
            q = q.where(Sighting.fetched_at >= since)
        if state == "new":
            q = q.where(Triage.state.is_(None))  # type: ignore[union-attr]
        elif state:
            q = q.where(Triage.state == state)
        if dump is not None:
            q = q.where(Sighting.document_id.in_(  # type: ignore[union-attr]
                select(DumpPost.document_id).where(DumpPost.dump_id == dump)))
        if before_id:
            q = q.where(Sighting.id < before_id)
        q = q.order_by(Sighting.id.desc()).limit(limit)  # type: ignore[union-attr]
        rows = s.exec(q).all()
        docs = {sg.document_id for sg, _, _ in rows}
        counts = {d: (n, sc) for d, n, sc in s.exec(
            select(Finding.document_id, func.count(Finding.id), func.max(Finding.score))
            .where(Finding.document_id.in_(docs))  # type: ignore[attr-defined]
            .group_by(Finding.document_id))} if docs else {}
    return [{"sighting_id": sg.id, "document_id": sg.document_id, "source": sg.source,
             "url": sg.url, "title": sg.title, "author": sg.author,
             "fetched_at": sg.fetched_at, "verdict": v, "records": counts[sg.document_id][0],
             "score": counts[sg.document_id][1], "triage": st or "new"}
            for sg, v, st in rows]


def triage(db, sighting_id: int, state: str, actor: str) -> None:
    """Acknowledge a post or mark it a false positive (the latest decision stands)."""
    from dumpwatch.errors import ConfigError
    from dumpwatch.storage import Triage
    from dumpwatch.storage.models import utcnow

    if state not in ("acknowledged", "false_positive", "new"):
        raise ConfigError("triage state: acknowledged, false_positive or new")
    with db.session() as s:
        if s.get(Sighting, sighting_id) is None:
            raise ConfigError(f"no post {sighting_id}")
        row = s.get(Triage, sighting_id)
        if state == "new":
            if row:
                s.delete(row)
        elif row:
            row.state, row.actor, row.at = state, actor, utcnow()
            s.add(row)
        else:
            s.add(Triage(sighting_id=sighting_id, state=state, actor=actor))
        s.commit()


def post_detail(db, sighting_id: int) -> dict:
    """A post with its redacted findings, verdicts, listing facts and fields exposed."""
    from dumpwatch.errors import ConfigError
    from dumpwatch.evidence import listing_dict
    from dumpwatch.lineage import dump_of
    from dumpwatch.storage import Listing, Triage

    with db.session() as s:
        sg = s.get(Sighting, sighting_id)
        if sg is None:
            raise ConfigError(f"no post {sighting_id}")
        fs = s.exec(select(Finding).where(Finding.document_id == sg.document_id)
                    .order_by(Finding.score.desc()).limit(200)).all()  # type: ignore[union-attr]
        verdicts = s.exec(select(Verdict).where(Verdict.document_id == sg.document_id)).all()
        listing = s.exec(select(Listing).where(Listing.sighting_id == sg.id)).first()
        tr = s.get(Triage, sg.id)
        fields: dict[str, int] = {}
        for f in fs:
            for role in f.fields.split(","):
                fields[role] = fields.get(role, 0) + 1
        dumps = {}
        for v in verdicts:
            d = dump_of(s, sg.document_id, v.corpus)
            if d is not None:
                dumps[v.corpus] = d.id
        others = s.exec(select(Sighting).where(Sighting.document_id == sg.document_id)
                        .order_by(Sighting.fetched_at)).all()
    return {"sighting": sg.model_dump(), "findings": [f.model_dump() for f in fs],
            "verdicts": [v.model_dump() for v in verdicts], "listing": listing_dict(listing),
            "fields": fields, "dumps": dumps, "triage": tr.state if tr else "new",
            "sightings": [o.model_dump() for o in others]}


def overview(db, days: int = 14) -> dict:
    """Figures for the dashboard's first page."""
    from datetime import UTC, timedelta

    from sqlalchemy import func

    from dumpwatch.storage import OPEN_STATES, TakedownCase, Triage

    since = datetime.now(UTC) - timedelta(days=days)
    with db.session() as s:
        new = s.exec(select(func.count(Sighting.id))
                     .join(Document, Document.id == Sighting.document_id)
                     .outerjoin(Triage, Triage.sighting_id == Sighting.id)
                     .where(Document.verdict != "none",
                            Triage.state.is_(None))).one()  # type: ignore[union-attr]
        open_cases = s.exec(select(func.count(TakedownCase.id)).where(
            TakedownCase.status.in_(OPEN_STATES))).one()  # type: ignore[attr-defined]
        per_day: dict[str, int] = {}
        for t in s.exec(select(Sighting.fetched_at)  # type: ignore[call-overload]
                           .join(Document, Document.id == Sighting.document_id)
                           .where(Document.verdict != "none", Sighting.fetched_at >= since)):
            key = t.strftime("%Y-%m-%d")
            per_day[key] = per_day.get(key, 0) + 1
    series = []
    for i in range(days - 1, -1, -1):
        key = (datetime.now(UTC) - timedelta(days=i)).strftime("%Y-%m-%d")
        series.append((key, per_day.get(key, 0)))
    return {"new_findings": new, "open_cases": open_cases, "per_day": series}
