"""Admin controls over sources: enable/disable, retention and "run now".

One library API for ``dumpwatch sources enable|disable|retention|run-now|reset`` and the web's
sources page: each change is stored as an override in the database (profiles on disk stay
the configuration) and written to the audit log. The monitor applies overrides within its
poll interval and claims run requests (dumpwatch/monitor/scheduler.py); one-off crawls and
workers apply them through :func:`effective_sources`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from crawler.profiles import Source
from dumpwatch.accounts import audit
from dumpwatch.errors import ConfigError
from dumpwatch.storage import (
    CrawlRequest,
    Database,
    Document,
    RetainedText,
    Sighting,
    SourceOverride,
)
from dumpwatch.storage.models import utcnow

MAX_RETENTION_DAYS = 3650


def overrides(db: Database) -> dict[str, SourceOverride]:
    with db.session() as s:
        return {o.name: o for o in s.exec(select(SourceOverride))}


def effective_sources(db: Database, profiles: dict[str, Source]) -> dict[str, Source]:
    """The profiles with the admins' overrides applied (what a crawl should obey)."""
    ov = overrides(db)
    out = {}
    for name, src in profiles.items():
        o = ov.get(name)
        changes = {} if o is None else {
            k: v for k, v in (("enabled", o.enabled), ("retention_days", o.retention_days))
            if v is not None}
        out[name] = src.model_copy(update=changes) if changes else src
    return out


def _known(profiles: dict[str, Source], name: str) -> Source:
    if name not in profiles:
        raise ConfigError(f"no source named {name!r} (known: "
                          f"{', '.join(sorted(profiles)) or 'none'})")
    return profiles[name]


def _save(db: Database, name: str, actor: str, **values) -> SourceOverride:
    with db.session() as s:
        o = s.get(SourceOverride, name) or SourceOverride(name=name)
        for k, v in values.items():
            setattr(o, k, v)
        o.updated_at, o.updated_by = utcnow(), actor
        s.add(o)
        s.commit()
        s.refresh(o)
        return o


def set_enabled(db: Database, profiles: dict[str, Source], name: str, enabled: bool,
                actor: str, remote: str = "") -> SourceOverride:
    """Switch a source on or off for the monitor and workers, whatever its profile says."""
    _known(profiles, name)
    o = _save(db, name, actor, enabled=enabled)
    audit(db, actor, "source_enable" if enabled else "source_disable", f"source:{name}",
          remote=remote)
    return o


def set_retention(db: Database, profiles: dict[str, Source], name: str, days: float,
                  actor: str, remote: str = "") -> tuple[SourceOverride, int]:
    """Keep this source's page text ``days`` days (0: not at all).

    Shortening applies to text already kept: windows are cut to first-seen + ``days``, and
    the housekeeping job purges what has ended. Returns the override and how many kept
    pages got a shorter window."""
    src = _known(profiles, name)
    if not 0 <= days <= MAX_RETENTION_DAYS:
        raise ConfigError(f"retention: 0 to {MAX_RETENTION_DAYS} days, not {days:g}")
    o = _save(db, name, actor, retention_days=float(days))
    shortened = _shorten_retained(db, name, days)
    audit(db, actor, "source_retention", f"source:{name}", remote=remote,
          detail=f"{src.retention_days:g} -> {days:g} days; {shortened} kept pages shortened")
    return o, shortened


def _shorten_retained(db: Database, name: str, days: float) -> int:
    n = 0
    with db.session() as s:
        rows = s.exec(select(RetainedText, Document.first_seen_at)
                      .join(Document, Document.id == RetainedText.document_id)
                      .where(RetainedText.document_id.in_(  # type: ignore[attr-defined]
                          select(Sighting.document_id).where(Sighting.source == name)))).all()
        for kept, first_seen in rows:
            end = first_seen + timedelta(days=days)
            if _naive(end) < _naive(kept.expires_at):
                kept.expires_at = end
                s.add(kept)
                n += 1
        s.commit()
    return n


def _naive(t):
    return t.replace(tzinfo=None) if t.tzinfo else t


def reset(db: Database, profiles: dict[str, Source], name: str, actor: str,
          remote: str = "") -> None:
    """Drop the overrides: the profile on disk applies again."""
    _known(profiles, name)
    with db.session() as s:
        o = s.get(SourceOverride, name)
        if o is not None:
            s.delete(o)
            s.commit()
    audit(db, actor, "source_reset", f"source:{name}", remote=remote)


def request_run(db: Database, profiles: dict[str, Source], name: str, actor: str,
                remote: str = "") -> CrawlRequest:
    """Ask the monitor to crawl ``name`` now (claimed within its poll interval).

    A request already waiting for the same source is returned instead of a second one."""
    src = effective_sources(db, {name: _known(profiles, name)})[name]
    if not src.enabled:
        audit(db, actor, "source_run", f"source:{name}", outcome="refused", remote=remote,
              detail="source is disabled")
        raise ConfigError(f"source {name!r} is disabled: enable it first")
    with db.session() as s:
        req = s.exec(select(CrawlRequest).where(CrawlRequest.source == name,
                                                CrawlRequest.status == "pending")).first()
        if req is None:
            req = CrawlRequest(source=name, requested_by=actor)
            s.add(req)
            s.commit()
            s.refresh(req)
    audit(db, actor, "source_run", f"source:{name}", remote=remote, detail=f"request:{req.id}")
    return req


def pending_requests(db: Database) -> list[CrawlRequest]:
    with db.session() as s:
        return list(s.exec(select(CrawlRequest).where(CrawlRequest.status == "pending")
                           .order_by(CrawlRequest.id)))  # type: ignore[arg-type]


def claim(db: Database, request_id: int, status: str, note: str = "") -> bool:
    """Mark a pending request handled; False when another monitor got there first."""
    with db.session() as s:
        res = s.exec(update(CrawlRequest)  # type: ignore[call-overload]
                     .where(CrawlRequest.id == request_id, CrawlRequest.status == "pending")
                     .values(status=status, handled_at=utcnow(), note=note))
        s.commit()
        return res.rowcount == 1


def recent_requests(db: Database, limit: int = 20) -> list[CrawlRequest]:
    with db.session() as s:
        return list(s.exec(select(CrawlRequest).order_by(
            CrawlRequest.id.desc()).limit(limit)))  # type: ignore[union-attr]
