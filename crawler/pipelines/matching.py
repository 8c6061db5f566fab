"""Document -> matcher -> database, exactly once per distinct content.

Identical content seen on several sources (or twice on one) is matched once and each
place it appeared is recorded as a sighting. Page text is never written unless the
source has a retention window, and then only encrypted with a key derived from the
dumpwatch key, which the database never holds.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

from scrapy.crawler import Crawler
from sqlmodel import select

from crawler.items import DocumentItem
from crawler.profiles import Source
from crawler.state import CrawlState, insert_ignore_stmt
from dumpwatch.alerts import create_alert, seller_contact
from dumpwatch.monitor.config import MonitorConfig
from dumpwatch.storage import (
    Database,
    Document,
    Finding,
    PostAttachment,
    RetainedText,
    Sighting,
    Verdict,
    write_lock,
)
from dumpwatch.storage.models import utcnow
from matcher.keys import SecretKey, load_key
from matcher.scan import Scanner, decide

_RANK = {"none": 0, "inconclusive": 1, "redistribution": 2}
_HANGUL_WORD = re.compile(r"[가-힣]{2,4}")
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


def retention_cipher(key: SecretKey):
    import base64

    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(key.subkey("retained-text")))


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

    def process_item(self, item: DocumentItem, spider: object = None) -> DocumentItem:
        stats = self.stats
        stats.inc_value("dumpwatch/documents")
        if item.data is not None and not item.text:
            from matcher.decode import decode_bytes  # archives and workbooks: not yet expanded

            item.text = decode_bytes(item.data)
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
            if new_doc:
                doc = self._match_and_store(s, item, digest, result)
                stats.inc_value("dumpwatch/new_documents")
            s.exec(insert_ignore_stmt(self.db, Sighting, [{  # type: ignore[call-overload]
                "document_id": doc.id, "source": item.source, "url": item.url,
                "title": mask_title(item.title), "author": item.author,
                "posted_at": item.posted_at, "fetched_at": item.fetched_at}],
                ["source", "url"]))
            if item.attachments:
                s.exec(insert_ignore_stmt(self.db, PostAttachment, [  # type: ignore
                    {"source": item.source, "url": item.url, "title": mask_title(title) or "",
                     "size_bytes": size, "seen_at": utcnow()}
                    for title, size in item.attachments], ["source", "url", "title"]))
            if item.item_id and self.source.kind in ("paste", "telegram_preview"):
                s.exec(self.state.seen_stmt(item.item_id))  # type: ignore[call-overload]
            s.commit()
        if item.item_id and self.source.kind == "forum":
            tid, post_id, page = item.item_id.split(":")
            self.state.advance_thread(tid, int(post_id), int(page))
        return item

    def _match_and_store(self, s, item: DocumentItem, digest: str, result=None) -> Document:
        doc = Document(content_sha256=digest, length=len(item.text))
        s.add(doc)
        s.flush()
        if self.scanner is not None:
            if result is None:
                result = self.scanner.scan_text(item.text, item.url)
            doc.candidates = result.candidates
            best = "none"
            for name, res in result.results.items():
                label, p, reported = decide(res, self.scanner.config)
                s.add(Verdict(document_id=doc.id, corpus=name, verdict=label, matched=res.matched,
                              reported=len(reported), expected=res.expected, p_chance=p))
                for m in reported:
                    s.add(Finding(document_id=doc.id, corpus=name, record_id=m.record_id,
                                  score=round(m.score, 4), fields=",".join(m.fields),
                                  evidence=m.evidence))
                self.stats.inc_value("dumpwatch/new_findings", len(reported))
                s.flush()
                alert = create_alert(
                    s, document_id=doc.id, corpus=name, verdict=label, source=item.source,
                    url=item.url, author=item.author, contact=seller_contact(item.text),
                    records=[m.record_id for m in reported],
                    fields={f for m in reported for f in m.fields},
                    samples=[m.evidence for m in reported], cfg=self.monitor)
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
        return doc

def purge_expired_text(db: Database) -> int:
    """Delete retained page text whose window has ended; returns how many."""
    with db.session() as s:
        rows = s.exec(select(RetainedText).where(RetainedText.expires_at <= utcnow())).all()
        for r in rows:
            s.delete(r)
        s.commit()
        return len(rows)
