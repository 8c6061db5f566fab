"""Exports of findings for other tools: one module per format, one row model for all.

A row is one place a matched document was seen, for one corpus (a *sighting row*): the
unit a takedown, a TIP or a spreadsheet works with. Its fields (``EXPORT_FIELDS``) are the
documented, stable schema of the CSV and JSON Lines exports (README, "Exports"); new
fields are only ever appended, and ``schema`` names the version.

API (stable)::

    export_rows(db, since=None, source=None, dump=None, corpus=None) -> list[dict]
    jsonl.write(rows, fh) / csv.write(rows, fh)
    stix.bundle(rows, owner=...) -> stix2.Bundle        (STIX 2.1, TLP 2.0 AMBER)
    misp.event(rows, owner=...) -> pymisp.MISPEvent      (strict object templates)
    write_export(fmt, rows, fh, owner=...)               # dispatch used by the CLI
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from sqlmodel import select

from dumpwatch.errors import ConfigError
from dumpwatch.storage import Database, DumpPost, Sighting, Verdict

SCHEMA = "dumpwatch.export/1"
FORMATS = ("jsonl", "csv", "stix", "misp")
# (name, meaning) - the order is the CSV column order; append only.
EXPORT_FIELDS: list[tuple[str, str]] = [
    ("schema", "schema version, dumpwatch.export/1"),
    ("sighting_id", "dumpwatch sighting id (use with 'dumpwatch evidence')"),
    ("document_id", "distinct content id; equal ids are the same content"),
    ("source", "source profile name"),
    ("url", "where it was seen"),
    ("title", "post title, phones/emails/names masked"),
    ("author", "poster's handle on the site"),
    ("posted_at", "post time as the site states it, ISO 8601"),
    ("fetched_at", "UTC fetch time, ISO 8601"),
    ("http_status", "HTTP status of the fetch"),
    ("raw_sha256", "SHA-256 of the response body as fetched"),
    ("content_sha256", "SHA-256 of the normalised text (same dump, other spacing = same)"),
    ("corpus", "corpus matched"),
    ("verdict", "redistribution | inconclusive | none"),
    ("records", "matched records reported"),
    ("fields", "fields exposed, ';'-separated in CSV (name;phone;email;address;order)"),
    ("samples", "up to 5 redacted samples, ' | '-separated in CSV"),
    ("dump_id", "repost lineage: the dump this post belongs to"),
    ("price_amount", "asking price stated in the post"),
    ("price_currency", "KRW, USD, EUR, BTC, XMR, USDT, ETH, LTC"),
    ("claimed_records", "record count the post claims"),
    ("sample_size", "sample size the post offers"),
    ("contacts", "seller contacts, kind:value, ';'-separated in CSV"),
    ("breach", "breach the post names"),
]
JSONL_ONLY = [("record_ids", "owner's record ids of the matched records (JSON Lines only)")]
SAMPLES = 5


def _iso(t: datetime | None) -> str | None:
    from dumpwatch.evidence import _iso as iso

    return iso(t)


def export_rows(db: Database, *, since: datetime | None = None, source: str | None = None,
                dump: int | None = None, corpus: str | None = None) -> list[dict]:
    """Sighting rows with at least one reported record, oldest first."""
    from dumpwatch.evidence import sighting_evidence

    with db.session() as s:
        q = (select(Sighting.id).join(Verdict, Verdict.document_id == Sighting.document_id)
             .where(Verdict.reported > 0))
        if since:
            q = q.where(Sighting.fetched_at >= since)
        if source:
            q = q.where(Sighting.source == source)
        if corpus:
            q = q.where(Verdict.corpus == corpus)
        if dump is not None:
            q = q.join(DumpPost, (DumpPost.document_id == Sighting.document_id)
                       & (DumpPost.corpus == Verdict.corpus)).where(DumpPost.dump_id == dump)
        ids = sorted(set(s.exec(q.order_by(Sighting.fetched_at))))
        facts = [sighting_evidence(s, i) for i in ids]
    rows = []
    for f in facts:
        listing = f["listing"] or {}
        for m in f["matches"]:
            if not m["records"] or (corpus and m["corpus"] != corpus) or (
                    dump is not None and m["dump_id"] != dump):
                continue
            rows.append({
                "schema": SCHEMA, "sighting_id": f["sighting_id"],
                "document_id": f["document_id"], "source": f["source"], "url": f["url"],
                "title": f["title"], "author": f["author"], "posted_at": f["posted_at"],
                "fetched_at": f["fetched_at"], "http_status": f["http_status"],
                "raw_sha256": f["raw_sha256"], "content_sha256": f["content_sha256"],
                "corpus": m["corpus"], "verdict": m["verdict"], "records": m["records"],
                "fields": m["fields"], "samples": m["samples"][:SAMPLES],
                "dump_id": m["dump_id"], "price_amount": listing.get("price_amount"),
                "price_currency": listing.get("price_currency"),
                "claimed_records": listing.get("claimed_records"),
                "sample_size": listing.get("sample_size"),
                "contacts": listing.get("contacts") or [], "breach": listing.get("breach"),
                "record_ids": m["record_ids"]})
    rows.sort(key=lambda r: (r["fetched_at"] or "", r["sighting_id"], r["corpus"]))
    return rows


def write_export(fmt: str, rows: list[dict], fh: IO[str], *, owner: str | None = None) -> None:
    if fmt == "jsonl":
        from dumpwatch.exports import jsonl

        jsonl.write(rows, fh)
    elif fmt == "csv":
        from dumpwatch.exports import csv

        csv.write(rows, fh)
    elif fmt == "stix":
        from dumpwatch.exports import stix

        fh.write(stix.bundle(rows, owner=owner).serialize(pretty=True, ensure_ascii=False))
        fh.write("\n")
    elif fmt == "misp":
        from dumpwatch.exports import misp

        fh.write(misp.event(rows, owner=owner).to_json(indent=1))
        fh.write("\n")
    else:
        raise ConfigError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
