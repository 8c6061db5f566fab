"""Alerts: created when a document is judged redistribution, delivered by webhook.

An alert is created in the same transaction as the document's findings, so a crash
can neither lose one nor create two. The same content seen again is a sighting of the
same document and never alerts again; a *re-formatted* re-post (other bytes, same
records) is linked to the first alert (``repost_of``) and not delivered, when its
records are mostly contained in an alert from the last ``repost_window_days``.

Delivery is at-least-once with an idempotency key (``X-Dumpwatch-Alert``): an alert is
marked delivered only after every webhook accepted it, and retried with exponential
backoff. Payloads hold redacted evidence only.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import or_, update
from sqlmodel import Session, select

from dumpwatch.lineage import lock_reposts, shared_records
from dumpwatch.monitor.config import MonitorConfig, Webhook
from dumpwatch.storage import Alert, Database
from dumpwatch.storage.db import batches
from dumpwatch.storage.models import utcnow

log = logging.getLogger("dumpwatch.alerts")
_RANK = {"none": 0, "inconclusive": 1, "redistribution": 2}
_CONTACT = re.compile(
    r"(?<![\w.@])(?:telegram|텔레그램|텔레|tg|카톡|카카오톡|kakaotalk|jabber|xmpp|wickr)"
    r"(?:\s*id)?\s*[:：]?\s*(@[A-Za-z0-9_]{3,40}|[A-Za-z0-9_.\-]{3,40}@[A-Za-z0-9.\-]+\.\w+)"
    r"|t\.me/[A-Za-z0-9_]{3,40}", re.I)


def seller_contact(text: str) -> str | None:
    """A seller's contact handle in a sale post (telegram, kakao, jabber...)."""
    m = _CONTACT.search(text)
    return m.group(0).strip()[:80] if m else None


def create_alert(s: Session, *, document_id: int, corpus: str, verdict: str, source: str,
                 url: str, author: str | None, contact: str | None, records: list[str],
                 fields: set[str], samples: list[str], cfg: MonitorConfig,
                 listing: dict | None = None, dump_id: int | None = None,
                 holders: dict[int, set[str]] | None = None) -> Alert | None:
    """Called by the pipeline in the document's transaction; ``holders`` as for
    :func:`dumpwatch.lineage.assign_dump` (read once, under the re-post lock)."""
    if _RANK[verdict] < _RANK[cfg.alert_min_verdict] or not records:
        return None
    lock_reposts(s, corpus)  # two re-posts stored at once: the second sees the first
    if holders is None:
        holders = shared_records(s, corpus, records, document_id)
    first = _earlier_alert(s, corpus, set(records), holders, cfg)
    now = utcnow()
    payload = {
        "source": source, "url": url, "verdict": verdict, "corpus": corpus,
        "records": len(records), "fields": sorted(fields), "samples": samples[:5],
        "seller": author, "contact": contact, "first_seen": now.isoformat(),
    }
    if listing is not None:
        payload["listing"] = listing
    if dump_id is not None:
        payload["dump_id"] = dump_id
    alert = Alert(document_id=document_id, corpus=corpus, source=source, url=url,
                  verdict=verdict, records=len(records), created_at=now,
                  repost_of=first.id if first else None, payload=json.dumps(
                      payload, ensure_ascii=False))
    if first is not None:
        payload["repost_of"] = first.url
        payload["first_seen"] = first.created_at.isoformat()
        alert.payload = json.dumps(payload, ensure_ascii=False)
        alert.delivered_at = now  # linked, not re-sent
    s.add(alert)
    return alert


def _earlier_alert(s: Session, corpus: str, records: set[str], holders: dict[int, set[str]],
                   cfg: MonitorConfig) -> Alert | None:
    """The earliest recent first alert whose document holds most of these records, by
    lineage's containment (batched: a dump can hold more records than one IN list takes)."""
    need = cfg.repost_containment * len(records)
    docs = sorted(doc for doc, held in holders.items() if len(held) >= need)
    since = utcnow() - timedelta(days=cfg.repost_window_days)
    found: list[Alert] = []
    for chunk in batches(docs):
        found += s.exec(select(Alert).where(
            Alert.corpus == corpus, Alert.created_at >= since,
            Alert.repost_of.is_(None),  # type: ignore[union-attr]
            Alert.document_id.in_(chunk))).all()  # type: ignore[union-attr]
    return min(found, key=lambda a: (a.created_at, a.id), default=None)


def _body(alert: Alert, hook: Webhook) -> dict:
    payload = json.loads(alert.payload)
    if hook.format == "slack":
        samples = "\n".join(f"• {x}" for x in payload.get("samples", []))
        return {"text": (f":rotating_light: *{payload['verdict']}* of `{payload['corpus']}` — "
                         f"{payload['records']} records ({', '.join(payload['fields'])}) at "
                         f"{payload['url']} (source {payload['source']}, seller "
                         f"{payload.get('seller') or 'unknown'})\n{samples}")}
    return {"alert_id": alert.id, **payload}


def deliver_pending(db: Database, cfg: MonitorConfig, alert_log: Path | None = None,
                    client: httpx.Client | None = None) -> int:
    """Send every undelivered alert to every webhook; returns how many were delivered."""
    delivered = 0
    with db.session() as s:
        pending = s.exec(select(Alert).where(Alert.delivered_at.is_(None))  # type: ignore
                         .order_by(Alert.id)).all()
    if not pending:
        return 0
    own = client is None
    client = client or httpx.Client(timeout=10)
    try:
        for alert in pending:
            if not _claim(db, alert.id):
                continue  # another sender has it
            ok = all(_send(client, alert, hook, cfg) for hook in cfg.webhooks)
            with db.session() as s:
                s.exec(update(Alert).where(Alert.id == alert.id).values(  # type: ignore
                    attempts=Alert.attempts + 1, claimed_at=None,
                    delivered_at=utcnow() if ok else None))
                s.commit()
            delivered += ok
            if ok and alert_log is not None:
                with open(alert_log, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"alert_id": alert.id, **json.loads(alert.payload)},
                                        ensure_ascii=False) + "\n")
    finally:
        if own:
            client.close()
    return delivered


def _claim(db: Database, alert_id: int | None, lease: float = 120.0) -> bool:
    """Take the alert for sending with one conditional UPDATE (portable SQL): of two
    senders racing for it, exactly one sees a changed row."""
    now = utcnow()
    with db.session() as s:
        result = s.exec(update(Alert).where(  # type: ignore[call-overload]
            Alert.id == alert_id, Alert.delivered_at.is_(None),  # type: ignore[union-attr]
            or_(Alert.claimed_at.is_(None),  # type: ignore[union-attr]
                Alert.claimed_at < now - timedelta(seconds=lease))).values(claimed_at=now))
        s.commit()
        return result.rowcount == 1


def _send(client: httpx.Client, alert: Alert, hook: Webhook, cfg: MonitorConfig) -> bool:
    delay = cfg.delivery_backoff_seconds
    for attempt in range(1, cfg.delivery_attempts + 1):
        try:
            r = client.post(hook.url, json=_body(alert, hook),
                            headers={"X-Dumpwatch-Alert": str(alert.id)})
            if r.status_code < 300:
                return True
            log.warning("webhook %s answered %s (alert %s, attempt %s)", hook.url,
                        r.status_code, alert.id, attempt)
        except httpx.HTTPError as exc:
            log.warning("webhook %s failed: %s (alert %s, attempt %s)", hook.url,
                        type(exc).__name__, alert.id, attempt)
        if attempt < cfg.delivery_attempts:
            time.sleep(delay)
            delay *= 2
    return False
