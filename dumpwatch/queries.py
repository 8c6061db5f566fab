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
        out = [{"fetched_at": sg.fetched_at, "source": sg.source, "url": sg.url,
                "title": sg.title, "author": sg.author, "posted_at": sg.posted_at,
                "verdict": v.verdict, "corpus": f.corpus, "record_id": f.record_id,
                "score": f.score, "fields": f.fields.split(","), "evidence": f.evidence}
               for f, sg, v in s.exec(q)]
    db.dispose()
    return out
