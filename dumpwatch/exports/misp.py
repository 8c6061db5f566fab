"""MISP event (``pymisp``): per sighting row a ``paste`` object (where and by whom), a
``leaked-document`` object (what leaked, redacted) and a ``url`` object, all built with
``strict=True`` against pymisp's bundled object templates; the raw page's SHA-256 as an
attribute. Tagged ``tlp:amber`` and, for paste sites, ``infoleak:source="pastie-website"``.
Never the leaked data: counts, fields and redacted samples only.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from pymisp import MISPEvent, MISPObject

from dumpwatch.exports.stix import _note_text

TLP_TAG = "tlp:amber"
PASTE_TAG = 'infoleak:source="pastie-website"'


def _looks_paste(row: dict) -> bool:
    return "paste" in row["source"].lower() or "/raw/" in row["url"]


def objects_for(row: dict) -> list[MISPObject]:
    seen = datetime.fromisoformat(row["fetched_at"]) if row["fetched_at"] else None
    evidence = _note_text(row)
    paste = MISPObject("paste", strict=True, standalone=False)
    paste.add_attribute("origin", value=row["source"])
    paste.add_attribute("paste", value=evidence, comment="redacted evidence, not the paste")
    paste.add_attribute("url", value=row["url"])
    if row.get("title"):
        paste.add_attribute("title", value=row["title"])
    if row.get("author"):
        paste.add_attribute("username", value=row["author"])
    if seen:
        paste.add_attribute("first-seen", value=seen)
    doc = MISPObject("leaked-document", strict=True, standalone=False)
    doc.add_attribute("document-name", value=f"{row['corpus']}: {row['records']} records "
                      f"({', '.join(row['fields'])})")
    doc.add_attribute("document-text", value=evidence)
    doc.add_attribute("url", value=row["url"])
    doc.add_attribute("origin", value=row["source"])
    if seen:
        doc.add_attribute("first-seen", value=seen)
    url = MISPObject("url", strict=True, standalone=False)
    url.add_attribute("url", value=row["url"])
    parts = urlsplit(row["url"])
    if parts.hostname:
        url.add_attribute("host", value=parts.hostname)
    if parts.scheme:
        url.add_attribute("scheme", value=parts.scheme)
    if seen:
        url.add_attribute("first-seen", value=seen)
    paste.add_reference(url.uuid, "located-at")
    doc.add_reference(paste.uuid, "published-in")
    return [paste, doc, url]


def event(rows: list[dict], *, owner: str | None = None) -> MISPEvent:
    ev = MISPEvent()
    corpora = sorted({r["corpus"] for r in rows})
    ev.info = (f"dumpwatch: {owner or ', '.join(corpora) or 'breach corpus'} records "
               f"redistributed ({len(rows)} sighting(s))")
    ev.distribution = 0  # this organisation only
    ev.threat_level_id = 2
    ev.analysis = 2
    ev.add_tag(TLP_TAG)
    if any(_looks_paste(r) for r in rows):
        ev.add_tag(PASTE_TAG)
    for r in rows:
        for obj in objects_for(r):
            ev.add_object(obj)
        if r.get("raw_sha256"):
            ev.add_attribute("sha256", r["raw_sha256"], to_ids=False,
                             comment=f"raw page as fetched: {r['url']}")
    return ev
