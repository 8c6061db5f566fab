"""Is it gone yet? Re-fetch each open case's URL and record *removed* with the time.

Removed means: the URL answers 404 or 410, or the page no longer holds any of the
case's matched records (the post deleted, the thread gone, or the dump edited out —
the page is re-scanned with the matcher and compared with the case's record ids).
A timeout, a 5xx or a challenge page is *unreachable*, never removed. Time to removal
(from first detection) is stored on the case.

A removed case comes back when a later document's records are mostly contained in the
removed one's (a re-post): the case re-opens on the new URL, its removal history kept
in its events.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

import httpx
from sqlalchemy import update
from sqlmodel import func, select

from crawler.pipelines.matching import content_hash
from dumpwatch.cases.service import Cases, _utc
from dumpwatch.errors import TakedownError
from dumpwatch.storage import Document, Finding, Sighting, TakedownCase
from dumpwatch.storage.cases import OPEN_STATES
from dumpwatch.storage.models import utcnow

log = logging.getLogger("dumpwatch.cases")
REPOST_CONTAINMENT = 0.8
# a login form instead of the post: the post may well be there, for members
_LOGIN_WALL = re.compile(r"<input[^>]+type=['\"]?password", re.I)


@dataclass
class CheckResult:
    case_id: int
    outcome: str  # removed | online | unreachable
    detail: str


def fetch(url: str, proxy: str | None, timeout: float, user_agent: str
          ) -> tuple[int | None, str, str]:
    """(status, text, error) — status None when nothing answered."""
    try:
        with httpx.Client(proxy=proxy, timeout=timeout, follow_redirects=True,
                          headers={"User-Agent": user_agent}) as client:
            r = client.get(url)
            return r.status_code, r.text if r.status_code == 200 else "", ""
    except httpx.HTTPError as exc:
        return None, "", type(exc).__name__


class Rechecker:
    def __init__(self, cases: Cases, scanner=None) -> None:
        self.cases = cases
        self.db = cases.db
        self.scanner = scanner  # matcher.scan.Scanner over the home's corpora, or None

    def run(self, actor: str = "monitor") -> list[CheckResult]:
        self.reopen_reposts(actor)
        if self.cases.cfg.auto_open:
            new, warnings = self.cases.open(all_new=True, actor=actor)
            for w in warnings:
                log.warning(json.dumps({"event": "case_contact_failed", "detail": w}))
            if self.cases.cfg.auto_send:
                for case in new:
                    try:
                        self.cases.send(case.id, actor=actor)  # type: ignore[arg-type]
                    except TakedownError as exc:
                        log.warning(json.dumps({"event": "notice_failed", "case": case.id,
                                                "detail": str(exc)}))
        with self.db.session() as s:
            ids = s.exec(select(TakedownCase.id).where(
                TakedownCase.status.in_(OPEN_STATES))).all()  # type: ignore[attr-defined]
        return [self.check(i, actor) for i in ids]  # type: ignore[arg-type]

    def check(self, case_id: int, actor: str = "monitor") -> CheckResult:
        with self.db.session() as s:
            case = self.cases.get(s, case_id)
            doc = s.get(Document, case.document_id)
            wanted = set(s.exec(select(Finding.record_id).where(
                Finding.document_id == case.document_id, Finding.corpus == case.corpus)))
        src = self.cases.sources().get(case.source)
        status, text, error = fetch(case.url, src.proxy_url() if src else None,
                                    src.politeness.timeout if src else 20,
                                    src.user_agent if src else "dumpwatch/0.1")
        if status in (404, 410):
            result = CheckResult(case_id, "removed", f"HTTP {status}")
        elif status != 200:
            result = CheckResult(case_id, "unreachable", f"HTTP {status}" if status else error)
        elif _LOGIN_WALL.search(text):
            result = CheckResult(case_id, "unreachable", "login required: a members-only "
                                 "page cannot be judged from outside")
        elif doc is not None and content_hash(text) == doc.content_sha256:
            result = CheckResult(case_id, "online", "unchanged")
        elif self.scanner is None:
            result = CheckResult(case_id, "online", "changed; no corpus here to re-scan")
        else:
            res = self.scanner.scan_text(text, case.url).results.get(case.corpus)
            still = {m.record_id for m in res.matches} & wanted if res else set()
            result = CheckResult(case_id, "removed" if not still else "online",
                                 "matched content gone" if not still
                                 else f"{len(still)} of {len(wanted)} records still there")
        self._record(case_id, result, actor)
        return result

    def _record(self, case_id: int, result: CheckResult, actor: str) -> None:
        """Write the outcome. Removal is a conditional UPDATE (portable SQL): of two
        checkers racing on one case (the monitor's job and a manual recheck), exactly
        one records the removal."""
        now = utcnow()
        with self.db.session() as s:
            case = self.cases.get(s, case_id)
            data = {}
            values: dict = {"last_checked_at": now}
            if result.outcome == "removed":
                ttr = (now - _utc(case.detected_at)).total_seconds()
                ntr = (now - _utc(case.first_notice_at)).total_seconds() \
                    if case.first_notice_at else None
                values |= {"status": "removed", "removed_at": now, "time_to_removal_s": ttr,
                           "notice_to_removal_s": ntr}
                data = {"url": case.url, "source": case.source, "domain": case.domain,
                        "country": case.country, "seconds": ttr, "after_notice_seconds": ntr}
            changed = s.exec(update(TakedownCase).where(  # type: ignore[call-overload]
                TakedownCase.id == case_id,
                TakedownCase.status.in_(OPEN_STATES)).values(**values))  # type: ignore[attr-defined]
            if changed.rowcount != 1:
                s.rollback()
                return  # closed or removed meanwhile: nothing to add
            self.cases.event(s, case, actor, "recheck", result.outcome, result.detail, data)
            s.commit()

    def _repost_of(self, s, case: TakedownCase, taken: set[int]) -> tuple[int, int] | None:
        """(document id, records) of a newer post of the same dump: by lineage (the
        dump the pipeline filed it under), else by containment of its records in the
        removed post's."""
        from dumpwatch.lineage import dump_of
        from dumpwatch.storage import DumpPost

        dump = dump_of(s, case.document_id, case.corpus)
        if dump is not None:
            rows = s.exec(select(DumpPost.document_id, DumpPost.records)
                          .join(Document, Document.id == DumpPost.document_id)
                          .where(DumpPost.dump_id == dump.id,
                                 DumpPost.document_id != case.document_id,
                                 Document.first_seen_at > case.removed_at)
                          .order_by(Document.first_seen_at)).all()
            for doc_id, n in rows:
                if doc_id not in taken:
                    return doc_id, n
        ids = select(Finding.record_id).where(Finding.document_id == case.document_id,
                                              Finding.corpus == case.corpus)
        shared = func.count(Finding.id)
        rows = s.exec(
            select(Finding.document_id, shared)
            .join(Document, Document.id == Finding.document_id)
            .where(Finding.corpus == case.corpus,
                   Finding.record_id.in_(ids),  # type: ignore[attr-defined]
                   Finding.document_id != case.document_id,
                   Document.first_seen_at > case.removed_at)
            .group_by(Finding.document_id)).all()
        for doc_id, n in rows:
            total = s.exec(select(func.count(Finding.id)).where(
                Finding.document_id == doc_id, Finding.corpus == case.corpus)).one()
            if doc_id not in taken and n >= REPOST_CONTAINMENT * total:
                return doc_id, n
        return None

    def reopen_reposts(self, actor: str = "monitor") -> list[int]:
        """Re-open removed cases whose records turn up again in a newer document."""
        reopened = []
        with self.db.session() as s:
            removed = s.exec(select(TakedownCase).where(TakedownCase.status == "removed")).all()
            taken = set(s.exec(select(TakedownCase.document_id)).all())
        for case in removed:
            with self.db.session() as s:
                hit = self._repost_of(s, case, taken)
                if hit is None:
                    continue
                sighting = s.exec(select(Sighting).where(Sighting.document_id == hit[0])
                                  .order_by(Sighting.fetched_at)).first()
                if sighting is None:
                    continue
                case = self.cases.get(s, case.id)  # type: ignore[arg-type]
                old, old_sighting = case.url, case.sighting_id
                case.status, case.reopened = "open", case.reopened + 1
                case.url, case.sighting_id, case.document_id = (sighting.url, sighting.id,
                                                                hit[0])
                case.source, case.records = sighting.source, hit[1]
                case.detected_at = _utc(sighting.fetched_at)
                case.removed_at = case.time_to_removal_s = case.notice_to_removal_s = None
                case.first_notice_at = case.last_checked_at = None
                case.contact_email = case.contact_form = case.contact_origin = None
                case.domain = case.hosting_ip = case.country = None
                s.add(case)
                self.cases.event(s, case, actor, "reopen", "ok",
                                 f"re-posted ({hit[1]} records) at {sighting.url} after "
                                 f"removal from {old}", {"previous_url": old,
                                                         "previous_sighting_id": old_sighting})
                s.commit()
                taken.add(hit[0])
                reopened.append(case.id)
            try:
                self.cases.lookup_contact(case.id, actor)  # type: ignore[arg-type]
            except TakedownError as exc:
                log.warning(json.dumps({"event": "case_contact_failed", "detail": str(exc)}))
        return reopened  # type: ignore[return-value]


def recheck_home(home, config_dir, actor: str = "monitor") -> list[CheckResult]:
    """One re-check pass over a home (the monitor job and ``takedown recheck``)."""
    from dumpwatch.storage import open_database
    from matcher.index import list_corpora
    from matcher.keys import load_key
    from matcher.scan import Scanner

    db = open_database(home)
    try:
        scanner = Scanner(home, load_key()) if list_corpora(home) else None
        return Rechecker(Cases(db, config_dir), scanner).run(actor)
    finally:
        db.dispose()
