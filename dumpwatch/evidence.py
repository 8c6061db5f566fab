"""Evidence per sighting: what was fetched, when, how, and what it exposed — redacted.

A bundle is a folder a takedown request or a court can rely on: the UTC fetch time, URL,
HTTP status and response headers (cookies withheld), SHA-256 of the raw bytes as fetched,
the matched record ids, fields exposed, redacted samples, the seller's listing, the dump
it belongs to, and ``page.redacted.txt`` — the page text with every record value replaced
by its redacted form —, ``page.redacted.html`` and, where a headless Chromium is
available, ``page.redacted.png`` (an image of that rendering), plus ``manifest.json``
with the SHA-256 of every file. No file of
a bundle ever holds corpus plaintext: the rendering was built by the pipeline while the
text was in memory, or (when only the encrypted retained text exists) is built here in
memory from it.

API (stable)::

    sighting_evidence(s, sighting_id) -> dict          # the facts, JSON-ready
    write_bundle(db, sighting_id, out_dir, key=None, browser=None) -> Path
                                                        # out_dir/sighting-<id>/
    verify_bundle(folder) -> [files whose SHA-256 no longer matches]
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from dumpwatch.errors import DumpwatchError
from dumpwatch.storage import (
    Capture,
    Database,
    Document,
    Finding,
    Listing,
    Rendering,
    RetainedText,
    Sighting,
    Verdict,
)
from dumpwatch.storage.dumps import DumpPost

SAMPLES_PER_CORPUS = 20
IMAGE_LINES = 400  # lines of the rendering captured in the image


def _iso(t: datetime | None) -> str | None:
    if t is None:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def listing_dict(row: Listing | None) -> dict | None:
    if row is None:
        return None
    return {"price_amount": row.price_amount, "price_currency": row.price_currency,
            "claimed_records": row.claimed_records, "sample_size": row.sample_size,
            "contacts": json.loads(row.contacts), "breach": row.breach}


def sighting_evidence(s: Session, sighting_id: int) -> dict:
    sg = s.get(Sighting, sighting_id)
    if sg is None:
        raise DumpwatchError(f"no sighting {sighting_id}: see 'dumpwatch findings'")
    doc = s.get(Document, sg.document_id)
    cap = s.get(Capture, sighting_id)
    matches = []
    for v in s.exec(select(Verdict).where(Verdict.document_id == sg.document_id)
                    .order_by(Verdict.corpus)):
        found = list(s.exec(select(Finding).where(Finding.document_id == sg.document_id,
                                                  Finding.corpus == v.corpus)
                            .order_by(Finding.id)))
        post = s.exec(select(DumpPost).where(DumpPost.document_id == sg.document_id,
                                             DumpPost.corpus == v.corpus)).first()
        matches.append({
            "corpus": v.corpus, "verdict": v.verdict, "records": len(found),
            "record_ids": [f.record_id for f in found],
            "fields": sorted({x for f in found for x in f.fields.split(",") if x}),
            "samples": [f.evidence for f in found[:SAMPLES_PER_CORPUS]],
            "expected_by_chance": round(v.expected, 3), "p_chance": v.p_chance,
            "dump_id": post.dump_id if post else None})
    return {
        "sighting_id": sg.id, "document_id": sg.document_id, "source": sg.source,
        "url": sg.url, "title": sg.title, "author": sg.author,
        "posted_at": _iso(sg.posted_at), "fetched_at": _iso(sg.fetched_at),
        "http_status": cap.http_status if cap else None,
        "headers": json.loads(cap.headers) if cap else {},
        "raw_sha256": cap.raw_sha256 if cap else None,
        "raw_length": cap.raw_length if cap else None,
        "content_sha256": doc.content_sha256 if doc else None,
        "verdict": doc.verdict if doc else None,
        "matches": matches,
        "listing": listing_dict(s.get(Listing, sighting_id)),
    }


def _rendering(s: Session, document_id: int, key) -> str | None:
    row = s.get(Rendering, document_id)
    if row is not None:
        return row.text
    kept = s.get(RetainedText, document_id)
    if kept is None or key is None:
        return None
    from dumpwatch.rendering import render_redacted
    from dumpwatch.storage.retention import retention_cipher

    return render_redacted(retention_cipher(key).decrypt(kept.ciphertext).decode("utf-8")).text


def write_bundle(db: Database, sighting_id: int, out_dir: Path, key=None,
                 browser: str | None = None) -> Path:
    """Write the bundle folder; returns it. ``key`` (a SecretKey) lets a document kept
    only as encrypted retained text be rendered (redacted) here. When a headless Chromium
    is found (``browser``, ``DUMPWATCH_BROWSER`` or on PATH) the redacted rendering is
    also captured as an image, ``page.redacted.png``."""
    with db.session() as s:
        facts = sighting_evidence(s, sighting_id)
        page = _rendering(s, facts["document_id"], key)
    folder = Path(out_dir) / f"sighting-{sighting_id}"
    folder.mkdir(parents=True, exist_ok=True)
    facts["bundle_created_at"] = datetime.now(UTC).isoformat()
    facts["page_rendering"] = ("page.redacted.txt: every record value replaced by its redacted"
                               " form" if page is not None else
                               "not available: the page matched nothing or was not retained")
    files = {}
    if page is not None:
        files["page.redacted.txt"] = page.encode("utf-8")
        html_page = _html(facts, page).encode("utf-8")
        files["page.redacted.html"] = html_page
        (folder / "page.redacted.html").write_bytes(html_page)
        image, note = _screenshot(folder, page, browser)
        facts["page_image"] = note
        if image is not None:
            files["page.redacted.png"] = image
    files["evidence.json"] = json.dumps(facts, ensure_ascii=False, indent=1).encode("utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = {"sighting_id": sighting_id, "created_at": facts["bundle_created_at"],
                "algorithm": "sha256",
                "files": {n: hashlib.sha256(d).hexdigest() for n, d in sorted(files.items())}}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return folder


def _html(facts: dict, page: str) -> str:
    from html import escape

    shown = "\n".join(page.split("\n")[:IMAGE_LINES])
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>sighting "
            f"{facts['sighting_id']}</title><style>body{{font:13px sans-serif;margin:12px}}"
            f"pre{{white-space:pre-wrap;font:13px monospace;border-top:1px solid #888;"
            f"padding-top:8px}}</style></head><body><b>Redacted rendering</b> — record values "
            f"replaced by their redacted forms<br>URL: {escape(facts['url'])}<br>fetched "
            f"{escape(str(facts['fetched_at']))} UTC · HTTP {facts['http_status']} · raw "
            f"SHA-256 {facts['raw_sha256']}<pre>{escape(shown)}</pre></body></html>")


def find_browser(browser: str | None = None) -> str | None:
    import os
    import shutil

    for name in (browser, os.environ.get("DUMPWATCH_BROWSER"), "chromium-headless-shell",
                 "chromium", "chromium-browser", "google-chrome"):
        if name and (path := shutil.which(name)):
            return path
    return None


def _screenshot(folder: Path, page: str, browser: str | None) -> tuple[bytes | None, str]:
    """The HTML rendering as a PNG via headless Chromium's --screenshot; never fatal."""
    import subprocess
    import tempfile

    exe = find_browser(browser)
    if exe is None:
        return None, "not available: no headless Chromium found (set DUMPWATCH_BROWSER)"
    lines = min(len(page.split("\n")), IMAGE_LINES)
    height = min(16 * lines + 120, 8000)
    target = folder / "page.redacted.png"
    with tempfile.TemporaryDirectory(prefix="dumpwatch-browser-") as profile:
        try:
            subprocess.run(
                [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--hide-scrollbars", f"--user-data-dir={profile}", f"--screenshot={target}",
                 f"--window-size=1200,{height}",
                 (folder / "page.redacted.html").resolve().as_uri()],
                capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"not available: browser failed ({type(exc).__name__})"
    if not target.exists():
        return None, "not available: the browser wrote no image"
    return target.read_bytes(), (f"page.redacted.png: the first {lines} lines of the "
                                 f"rendering, captured with {Path(exe).name}")


def verify_bundle(folder: Path) -> list[str]:
    """Files whose SHA-256 no longer matches the manifest (empty: intact)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [n for n, h in manifest["files"].items()
            if hashlib.sha256((folder / n).read_bytes()).hexdigest() != h]
