"""Document -> matcher -> database, exactly once per distinct content.

Identical content seen on several sources (or twice on one) is matched once and each
place it appeared is recorded as a sighting. Page text is never written unless the
source has a retention window, and then only encrypted with a key derived from the
dumpwatch key, which the database never holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from scrapy.crawler import Crawler
from sqlmodel import select

from crawler.errors import record
from crawler.items import DocumentItem, ThreadSeen
from crawler.profiles import Source
from crawler.state import CrawlState, insert_ignore_stmt
from dumpwatch.alerts import create_alert, seller_contact
from dumpwatch.errors import ArchiveError, ArchiveLimitError
from dumpwatch.lineage import assign_dump, lock_reposts, shared_records
from dumpwatch.listing import breach_aliases, extract_listing
from dumpwatch.monitor.config import MonitorConfig
from dumpwatch.rendering import redact_known, redacted_values, render_redacted
from dumpwatch.storage import (
    Capture,
    Database,
    Document,
    Finding,
    Listing,
    PostAttachment,
    Rendering,
    RetainedText,
    Sighting,
    Verdict,
    write_lock,
)
from dumpwatch.storage.models import utcnow
from dumpwatch.storage.retention import retention_cipher
from matcher.containers import Limits
from matcher.extract import extract
from matcher.keys import SecretKey, load_key
from matcher.scan import Scanner, decide

# A downloaded file is capped by politeness.max_file_bytes (tens of MB); what it expands
# to is matched in memory, so the crawler's bound is tighter than ``dumpwatch scan``'s.
CRAWL_LIMITS = Limits(max_total_bytes=512 << 20, max_members=2_000)
_SAFE = "/:@!$&'()*+,;=-._~"  # member paths stay readable in the fragment; spaces are quoted
log = logging.getLogger("dumpwatch.crawler")
_RANK = {"none": 0, "inconclusive": 1, "redistribution": 2}
_HANGUL_WORD = re.compile(r"[가-힣]{2,4}")
_WITHHELD_HEADERS = {"set-cookie", "cookie", "authorization", "proxy-authorization"}
_EVIDENCE_LINE = re.compile(r"^line (\d+):")
_MASK_TITLE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:\+?82|0)1[016789][\s.\-]*\d{3,4}"
                         r"[\s.\-]*\d{4}")


def content_hash(text: str) -> str:
    """The same dump re-posted with other line endings or spacing is the same content."""
    norm = "\n".join(line.strip() for line in text.replace("\r\n", "\n").split("\n"))
    return hashlib.sha256(norm.strip().encode("utf-8")).hexdigest()


def mask_title(title: str | None) -> str | None:
    """Titles of leak posts often carry a sample: phones, emails and names are masked."""
    if not title:
        return title
    from matcher.extract.spans import plausible_name

    masked = _MASK_TITLE.sub("***", title)
    masked = _HANGUL_WORD.sub(
        lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1) if plausible_name(m.group(0))
        else m.group(0), masked)
    return masked[:300]


class MatchPipeline:
    def __init__(self, home: Path, source: Source, db: Database, state: CrawlState,
                 scanner: Scanner | None, key: SecretKey,
                 monitor: MonitorConfig | None = None) -> None:
        self.home = home
        self.source = source
        self.db = db
        self.state = state
        self.scanner = scanner
        self.key = key
        self.monitor = monitor or MonitorConfig()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MatchPipeline:
        ctx = crawler.dumpwatch  # type: ignore[attr-defined]
        key = load_key()
        from matcher.index import list_corpora

        scanner = Scanner(ctx.home, key) if list_corpora(ctx.home) else None
        pipe = cls(ctx.home, ctx.source, ctx.state.db, ctx.state, scanner, key, ctx.monitor)
        pipe.stats = crawler.stats
        return pipe

    def close_spider(self, spider: object = None) -> None:
        self.state.flush()  # progress of threads left unfinished (page cap, faults)

    def process_item(self, item: DocumentItem | ThreadSeen, spider: object = None
                     ) -> DocumentItem | ThreadSeen:
        if isinstance(item, ThreadSeen):
            self.state.finish_thread(item.thread_url, item.replies)
            return item
        if item.data is None:
            self._store(item)
            return item
        for doc in self._expand(item):
            self._store(doc)
        if item.item_id and self.source.kind == "paste":  # even when nothing was readable
            with self.db.session() as s:
                s.exec(self.state.seen_stmt(item.item_id))  # type: ignore[call-overload]
                s.commit()
        return item

    def _expand(self, item: DocumentItem) -> Iterator[DocumentItem]:
        """A downloaded file -> one text document per member, through the same code as
        ``dumpwatch scan``. Each sighting URL names its member: ``<file url>#<member>``."""
        from matcher.containers import expand_bytes
        from matcher.decode import decode_bytes

        assert item.data is not None
        top = (item.filename or item.url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
               or "download").replace("/", "_")
        stats = self.stats
        stats.inc_value("dumpwatch/files")
        try:
            for m in expand_bytes(item.data, top, CRAWL_LIMITS, ocr=self.source.ocr):
                if m.skipped:
                    stats.inc_value("dumpwatch/skipped_files")
                    continue
                try:
                    text = decode_bytes(m.read())
                except ArchiveLimitError:
                    raise
                except ArchiveError:
                    record(stats, "archive_corrupt")
                    continue
                member = m.name[len(top) + 1:] if m.name != top else ""
                url = f"{item.url}#{quote(member, safe=_SAFE)}" if member else item.url
                yield replace(item, url=url, text=text, data=None, item_id=None)
        except ArchiveLimitError as exc:
            record(stats, "archive_bomb")
            log.error("%s: %s", item.url, exc)  # sizes and names only, never content
        finally:
            item.data = None  # the bytes are not needed past this point

    def _store(self, item: DocumentItem) -> None:
        stats = self.stats
        stats.inc_value("dumpwatch/documents")
        digest = content_hash(item.text)
        # Match before taking the write lock, so workers match in parallel and hold the lock
        # only to store; content stored meanwhile by another worker just wastes one scan.
        with self.db.session() as s:
            known = s.exec(select(Document.id).where(Document.content_sha256 == digest)).first()
        result = None
        if known is None and self.scanner is not None:
            result = self.scanner.scan_text(item.text, item.url)
        with self.db.session() as s:
            write_lock(s, f"document:{digest}")  # two workers, one content: stored once
            doc = s.exec(select(Document).where(Document.content_sha256 == digest)).first()
            new_doc = doc is None
            listing, values = None, None
            if new_doc:
                doc, listing, values = self._match_and_store(s, item, digest, result)
                stats.inc_value("dumpwatch/new_documents")
            elif s.exec(select(Finding.id).where(Finding.document_id == doc.id)).first():
                cands = extract(item.text)
                listing = self._listing(item, self._evidence_emails(s, doc.id, cands))
                values = redacted_values(item.text, cands) if item.title else None
            title = item.title
            if title and values:  # a sale post's title often quotes its sample
                title = redact_known(title, values)
            s.exec(insert_ignore_stmt(self.db, Sighting, [{  # type: ignore[call-overload]
                "document_id": doc.id, "source": item.source, "url": item.url,
                "post_id": item.post_id, "title": mask_title(title),
                "author": item.author, "posted_at": item.posted_at,
                "fetched_at": item.fetched_at}],
                ["source", "url", "document_id"]))
            sighting_id = s.exec(select(Sighting.id).where(
                Sighting.source == item.source, Sighting.url == item.url,
                Sighting.document_id == doc.id)).one()
            self._store_capture(s, sighting_id, item, listing)
            if item.attachments:
                s.exec(insert_ignore_stmt(self.db, PostAttachment, [  # type: ignore
                    {"source": item.source, "url": item.url, "title": mask_title(name) or "",
                     "size_bytes": size, "seen_at": utcnow()}
                    for name, size in item.attachments], ["source", "url", "title"]))
            if item.item_id and self.source.kind in ("paste", "telegram_preview"):
                s.exec(self.state.seen_stmt(item.item_id))  # type: ignore[call-overload]
            s.commit()
        if item.thread_url and item.post_id:
            kind, _, number = item.post_id.partition("-")
            if number.isdigit():
                self.state.advance_thread(item.thread_url, int(number), item.page,
                                          comment=kind == "comment")

    def _store_capture(self, s, sighting_id: int, item: DocumentItem, listing) -> None:
        """How the page was fetched (evidence) and what it offers (listing), per sighting."""
        headers = {k: ("[withheld]" if k.lower() in _WITHHELD_HEADERS else v)
                   for k, v in (item.headers or {}).items()}
        s.exec(insert_ignore_stmt(self.db, Capture, [{  # type: ignore[call-overload]
            "sighting_id": sighting_id, "http_status": item.http_status,
            "headers": json.dumps(headers, ensure_ascii=False), "raw_sha256": item.raw_sha256,
            "raw_length": item.raw_length}], ["sighting_id"]))
        if listing is not None:
            row = {k: v for k, v in listing.as_dict().items() if k != "contacts"}
            s.exec(insert_ignore_stmt(self.db, Listing, [{  # type: ignore[call-overload]
                "sighting_id": sighting_id, **row,
                "contacts": json.dumps(listing.contacts, ensure_ascii=False)}],
                ["sighting_id"]))

    def _listing(self, item: DocumentItem, exclude_emails: set[str]):
        corpora = [c.name for c in self.scanner.corpora] if self.scanner else []
        return extract_listing(item.text, item.title,
                               breaches=breach_aliases(corpora, self.monitor.breaches),
                               exclude_emails=exclude_emails)

    def _evidence_emails(self, s, document_id: int, candidates: list) -> set[str]:
        """E-mails on the lines of a stored document's findings (its evidence says which)."""
        lines = {int(m.group(1)) for ev in s.exec(
            select(Finding.evidence).where(Finding.document_id == document_id))
            if (m := _EVIDENCE_LINE.match(ev))}
        return _row_emails(candidates, lines)

    def _match_and_store(self, s, item: DocumentItem, digest: str, result=None):
        """Match a new content; returns the document and, when it matched, its listing and
        the redacted forms of its record values."""
        doc = Document(content_sha256=digest, length=len(item.text))
        s.add(doc)
        s.flush()
        listing, values = None, None
        if self.scanner is not None:
            if result is None:
                result = self.scanner.scan_text(item.text, item.url)
            doc.candidates = result.candidates
            best = "none"
            decided = {}
            for name, res in result.results.items():
                decided[name] = decide(res, self.scanner.config)
            matched_lines = {m.line for _, _, rep in decided.values() for m in rep}
            if matched_lines:
                cands = extract(item.text)  # once, for contacts and the rendering
                listing = self._listing(item, _row_emails(cands, matched_lines))
                values = redacted_values(item.text, cands)
                shown = render_redacted(item.text, values)
                s.add(Rendering(document_id=doc.id, text=shown.text, replaced=shown.replaced,
                                withheld_lines=shown.withheld_lines))
            for name, res in result.results.items():
                label, p, reported = decided[name]
                s.add(Verdict(document_id=doc.id, corpus=name, verdict=label, matched=res.matched,
                              reported=len(reported), expected=res.expected, p_chance=p))
                for m in reported:
                    s.add(Finding(document_id=doc.id, corpus=name, record_id=m.record_id,
                                  score=round(m.score, 4), fields=",".join(m.fields),
                                  evidence=m.evidence))
                self.stats.inc_value("dumpwatch/new_findings", len(reported))
                s.flush()
                records = [m.record_id for m in reported]
                # who else holds these records: read once, under the lock, for dump and alert
                lock_reposts(s, name)
                holders = shared_records(s, name, records, exclude_document=doc.id)
                post = assign_dump(s, document_id=doc.id, corpus=name, record_ids=records,
                                   source=item.source, url=item.url, seen_at=item.fetched_at,
                                   containment=self.monitor.repost_containment,
                                   holders=holders)
                alert = create_alert(
                    s, document_id=doc.id, corpus=name, verdict=label, source=item.source,
                    url=item.url, author=item.author, contact=seller_contact(item.text),
                    records=records,
                    fields={f for m in reported for f in m.fields},
                    samples=[m.evidence for m in reported], cfg=self.monitor,
                    listing=listing.as_dict() if listing is not None else None,
                    dump_id=post.dump_id if post is not None else None, holders=holders)
                if alert is not None:
                    self.stats.inc_value("dumpwatch/alerts")
                if _RANK[label] > _RANK[best]:
                    best = label
            doc.verdict = best
        if self.source.retention_days > 0:
            s.add(RetainedText(
                document_id=doc.id,
                ciphertext=retention_cipher(self.key).encrypt(item.text.encode("utf-8")),
                expires_at=utcnow() + timedelta(days=self.source.retention_days)))
        return doc, listing, values


def _row_emails(candidates: list, lines: set[int]) -> set[str]:
    """E-mail values of the records extracted on these lines: never a seller's contact."""
    return {c.values["email"].strip().lower() for c in candidates
            if c.line in lines and c.values.get("email")}


def purge_expired_text(db: Database) -> int:
    """Delete retained page text whose window has ended; returns how many."""
    with db.session() as s:
        rows = s.exec(select(RetainedText).where(RetainedText.expires_at <= utcnow())).all()
        for r in rows:
            s.delete(r)
        s.commit()
        return len(rows)
