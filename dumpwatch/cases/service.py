"""The case API the CLI, the monitor job and the demo share.

Every step is a :class:`CaseEvent` (time, actor, action, outcome). A step that fails —
RDAP or SMTP unreachable, a malformed template — is recorded as a failed event and
raised as one :class:`TakedownError` line; the case keeps its state, so the same
command can simply be run again.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from crawler.profiles import Source, Takedown, load_sources
from dumpwatch.cases.config import TakedownConfig, load_takedown_config
from dumpwatch.cases.notices import notice_context, render_notice
from dumpwatch.cases.rdap import Contact, find_contact
from dumpwatch.cases.sending import build_email, send_email, send_webhook
from dumpwatch.errors import ConfigError, TakedownError
from dumpwatch.storage import (
    Alert,
    Capture,
    CaseEvent,
    Database,
    Document,
    Finding,
    Listing,
    Notice,
    Sighting,
    TakedownCase,
)
from dumpwatch.storage.cases import OPEN_STATES
from dumpwatch.storage.models import utcnow

_XARF_DOMAIN = re.compile(r"^([a-z0-9]+(-[a-z0-9]+)*\.)+[a-z]{2,}$")


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "dumpwatch"


class Cases:
    """Cases of one home and config folder."""

    def __init__(self, db: Database, config_dir: Path, cfg: TakedownConfig | None = None
                 ) -> None:
        self.db = db
        self.config_dir = config_dir
        self.cfg = cfg or load_takedown_config(config_dir)
        self._sources: dict[str, Source] | None = None

    # ------------------------------------------------------------------ helpers

    def sources(self) -> dict[str, Source]:
        if self._sources is None:
            self._sources = load_sources(self.config_dir, strict=False) if (
                self.config_dir / "sources").is_dir() else {}
        return self._sources

    def profile(self, source: str) -> Takedown:
        src = self.sources().get(source)
        return src.takedown if src else Takedown()

    def event(self, s: Session, case: TakedownCase, actor: str, action: str, outcome: str,
              detail: str = "", data: dict | None = None) -> CaseEvent:
        ev = CaseEvent(case_id=case.id, actor=actor, action=action, outcome=outcome,
                       detail=detail[:500], data=json.dumps(data or {}, ensure_ascii=False))
        s.add(ev)
        return ev

    def get(self, s: Session, case_id: int) -> TakedownCase:
        case = s.get(TakedownCase, case_id)
        if case is None:
            raise TakedownError(f"no takedown case {case_id}")
        return case

    # ------------------------------------------------------------------ open

    def open(self, *, url: str | None = None, sighting_id: int | None = None,
             all_new: bool = False, actor: str | None = None) -> tuple[list[TakedownCase],
                                                                      list[str]]:
        """Open a case per post (sighting) of a redistribution document; returns the new
        cases and one warning line per contact that could not be found (the case is open
        all the same; ``send`` looks again)."""
        actor = actor or default_actor()
        with self.db.session() as s:
            q = (select(Sighting, Document).join(Document, Document.id == Sighting.document_id)
                 .where(Document.verdict == "redistribution"))
            if url:
                q = q.where(Sighting.url == url)
            elif sighting_id is not None:
                q = q.where(Sighting.id == sighting_id)
            elif not all_new:
                raise ConfigError("name a URL, a --sighting id or --all")
            rows = s.exec(q.order_by(Sighting.id)).all()
            if not rows and (url or sighting_id is not None):
                raise TakedownError(f"no redistribution post at {url or sighting_id}")
            taken = set(s.exec(select(TakedownCase.sighting_id)).all())
            for data in s.exec(select(CaseEvent.data).where(CaseEvent.action == "reopen")):
                taken.add(json.loads(data).get("previous_sighting_id"))  # moved on, not new
            new = []
            for sighting, doc in rows:
                if sighting.id in taken:
                    if not all_new:
                        raise TakedownError(f"{sighting.url} already has a case")
                    continue
                corpus, records = self._records_of(s, doc.id)
                case = TakedownCase(sighting_id=sighting.id, document_id=doc.id,
                                    corpus=corpus, source=sighting.source, url=sighting.url,
                                    records=records, detected_at=_utc(sighting.fetched_at))
                s.add(case)
                s.flush()
                self.event(s, case, actor, "open", "ok",
                           f"{records} records of {corpus} at {sighting.url}")
                new.append(case)
            try:
                s.commit()
            except IntegrityError:  # another process opened them first: theirs stand
                s.rollback()
                if not all_new:
                    raise TakedownError(f"{url or sighting_id} already has a case") from None
                return [], []
        warnings = []
        for case in new:
            try:
                self.lookup_contact(case.id, actor)  # type: ignore[arg-type]
            except TakedownError as exc:
                warnings.append(f"case {case.id}: {exc}")
        with self.db.session() as s:
            return [self.get(s, c.id) for c in new], warnings  # type: ignore[arg-type]

    def _records_of(self, s: Session, document_id: int) -> tuple[str, int]:
        row = s.exec(select(Finding.corpus, func.count(Finding.id))
                     .where(Finding.document_id == document_id).group_by(Finding.corpus)
                     .order_by(func.count(Finding.id).desc())).first()
        return (row[0], row[1]) if row else ("", 0)

    # ------------------------------------------------------------------ contact

    def lookup_contact(self, case_id: int, actor: str) -> Contact:
        with self.db.session() as s:
            case = self.get(s, case_id)
            url, source = case.url, case.source
        try:
            contact = find_contact(url, self.profile(source), self.cfg.rdap,
                                   self.cfg.law_enforcement)
        except TakedownError as exc:
            with self.db.session() as s:
                self.event(s, self.get(s, case_id), actor, "contact", "failed", str(exc))
                s.commit()
            raise
        with self.db.session() as s:
            case = self.get(s, case_id)
            case.domain, case.hosting_ip = contact.domain, contact.hosting_ip
            case.country = contact.country
            case.contact_email, case.contact_form = contact.email, contact.form
            case.contact_origin = contact.origin
            s.add(case)
            found = contact.email or contact.form or "none"
            self.event(s, case, actor, "contact", "ok" if contact.email or contact.form
                       else "none", f"{found} (from {contact.origin or 'nowhere'}); country "
                       f"{contact.country or 'unknown'}", asdict(contact))
            s.commit()
        return contact

    # ------------------------------------------------------------------ notices

    def render(self, case_id: int, recipient: str | None = None):
        with self.db.session() as s:
            case = self.get(s, case_id)
            doc = s.get(Document, case.document_id)
            findings = s.exec(select(Finding).where(
                Finding.document_id == case.document_id, Finding.corpus == case.corpus)
                .order_by(Finding.score.desc(), Finding.id)).all()  # type: ignore[union-attr]
            alert = s.exec(select(Alert).where(Alert.document_id == case.document_id)).first()
            listing = s.get(Listing, case.sighting_id)
            capture = s.get(Capture, case.sighting_id)
        fields = sorted({f for row in findings for f in row.fields.split(",") if f})
        samples = [re.sub(r"^line \d+:\s*", "", f.evidence) for f in findings[:5]]
        sale = _listing_view(listing)
        if not sale["handles"] and alert is not None and (
                contact := json.loads(alert.payload).get("contact")):
            sale["handles"].append(contact)
        digest = capture.raw_sha256 if capture and capture.raw_sha256 else (
            doc.content_sha256 if doc else "")
        src = self.sources().get(case.source)
        ctx = notice_context(
            self._case_view(case), records=case.records, fields=fields, samples=samples,
            evidence_sha256=digest, notifier=self.cfg.notifier
            .model_dump(), affected_organization=self.cfg.affected_organization,
            automated=self.cfg.automated, now=utcnow().strftime("%Y-%m-%d %H:%M UTC"),
            recipient=recipient or case.contact_email, listing=sale,
            kind=src.kind if src else "paste")
        return render_notice(ctx, self.config_dir / "notices")

    @staticmethod
    def _case_view(case: TakedownCase) -> dict:
        from urllib.parse import urlsplit

        host = urlsplit(case.url).hostname or ""
        domain = case.domain or host
        return {"id": case.id, "ref": f"DW-{case.id:05d}", "url": case.url, "urls": [case.url],
                "domain": case.domain, "host": host, "hosting_ip": case.hosting_ip,
                "country": case.country,
                "country_code": case.country if case.country and len(case.country) == 2
                else None, "registrar": None,
                "xarf_domain": domain if _XARF_DOMAIN.match(domain) else None,
                "detected_at": _utc(case.detected_at).strftime("%Y-%m-%d %H:%M"),
                "detected_at_iso": _utc(case.detected_at).isoformat()}

    def send(self, case_id: int, *, to: str | None = None, via: str | None = None,
             actor: str | None = None) -> Notice:
        """Render and deliver the notice; on any failure the case is unchanged."""
        actor = actor or default_actor()
        with self.db.session() as s:
            case = self.get(s, case_id)
            if case.status in ("removed", "closed"):
                raise TakedownError(f"case {case_id} is {case.status}; nothing to send")
        if not to and not case.contact_email and not self.profile(case.source).webhook:
            self.lookup_contact(case_id, actor)  # raises one line when RDAP is unreachable
            with self.db.session() as s:
                case = self.get(s, case_id)
        webhook = self.profile(case.source).webhook
        channel = via or ("webhook" if webhook and not (to or case.contact_email) else "smtp")
        recipient = to or (webhook if channel == "webhook" else case.contact_email)
        if not recipient:
            raise TakedownError(f"case {case_id}: no e-mail contact (web form: "
                                f"{case.contact_form or 'none'}); use --to")
        try:
            notice = self.render(case_id, recipient)
        except TakedownError as exc:
            self._failed(case_id, actor, "render", str(exc))
            raise
        ref = f"DW-{case_id:05d}"
        if channel == "smtp":
            msg = build_email(notice, self.cfg.notifier, recipient, ref)
            raw = msg.as_bytes()
        else:
            payload = {"case": ref, "url": case.url, "subject": notice.subject,
                       "notice": notice.body, "xarf": notice.xarf}
            raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        row = Notice(case_id=case_id, channel=channel, recipient=recipient,
                     subject=notice.subject, body=notice.body,
                     xarf=json.dumps(notice.xarf, ensure_ascii=False),
                     sha256=hashlib.sha256(raw).hexdigest())
        try:
            if channel == "smtp":
                send_email(msg, self.cfg.smtp)
            else:
                send_webhook(recipient, payload)
        except TakedownError as exc:
            row.status, row.error = "failed", str(exc)
            with self.db.session() as s:
                s.add(row)
                s.commit()
            self._failed(case_id, actor, "send", str(exc))
            raise
        now = utcnow()
        with self.db.session() as s:
            row.status, row.sent_at = "sent", now
            s.add(row)
            case = self.get(s, case_id)
            if case.status == "open":
                case.status = "notified"
            case.first_notice_at = case.first_notice_at or now
            s.add(case)
            s.flush()
            self.event(s, case, actor, "send", "ok",
                       f"notice {row.id} by {channel} to {recipient} "
                       f"(XARF {notice.xarf['report_id']})")
            s.commit()
        return row

    def _failed(self, case_id: int, actor: str, action: str, detail: str) -> None:
        with self.db.session() as s:
            self.event(s, self.get(s, case_id), actor, action, "failed", detail)
            s.commit()

    # ------------------------------------------------------------------ close, read

    def close(self, case_id: int, reason: str = "", actor: str | None = None) -> TakedownCase:
        with self.db.session() as s:
            case = self.get(s, case_id)
            case.status, case.closed_at = "closed", utcnow()
            s.add(case)
            self.event(s, case, actor or default_actor(), "close", "ok", reason)
            s.commit()
            return case

    def list(self, status: str | None = None) -> list[TakedownCase]:
        with self.db.session() as s:
            q = select(TakedownCase)
            if status == "online":
                q = q.where(TakedownCase.status.in_(OPEN_STATES))  # type: ignore[attr-defined]
            elif status:
                q = q.where(TakedownCase.status == status)
            return list(s.exec(q.order_by(TakedownCase.id)))

    def show(self, case_id: int) -> dict:
        with self.db.session() as s:
            case = self.get(s, case_id)
            events = s.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)
                            .order_by(CaseEvent.at, CaseEvent.id)).all()
            notices = s.exec(select(Notice).where(Notice.case_id == case_id)
                             .order_by(Notice.id)).all()
        return {"case": case.model_dump(), "events": [e.model_dump() for e in events],
                "notices": [n.model_dump(exclude={"body", "xarf"}) for n in notices]}


def _listing_view(listing: Listing | None) -> dict:
    """What the sale post says of itself (price, claimed count, seller handles)."""
    if listing is None:
        return {"price": None, "count": None, "handles": []}
    price = None
    if listing.price_amount is not None:
        price = f"{listing.price_amount:,.8g} {listing.price_currency or ''}".strip()
    handles = [c["value"] for c in json.loads(listing.contacts or "[]") if c.get("value")]
    return {"price": price, "count": listing.claimed_records, "handles": handles[:5]}


def _utc(dt: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were written in UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt
