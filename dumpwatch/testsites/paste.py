"""A paste site: a recent-pastes archive (HTML and JSON), paste pages, raw endpoints."""

from __future__ import annotations

import html
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, quote, unquote, urlsplit

from dumpwatch.testsites.server import send

PER_PAGE = 20
FAULTS = ("429", "503", "reset", "timeout", "redirect_loop", "oversized", "binary", "cp949",
          "malformed", "challenge")


@dataclass
class Paste:
    id: str
    title: str
    text: str
    author: str = "anonymous"
    posted: str = "2025-11-01 10:00"
    fault: str | None = None  # one of FAULTS: how the raw endpoint misbehaves
    hits: int = 0
    # Files served at /files/<id>/<name> (link them from the text), and an uploaded file
    # the raw endpoint returns instead of text (name, bytes).
    files: dict[str, bytes] = field(default_factory=dict)
    upload: tuple[str, bytes] | None = None
    removed: bool = False  # taken down: gone from the archive, its pages answer 404


@dataclass
class PasteSite:
    pastes: list[Paste] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    timeout_seconds: float = 5.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, title: str, text: str, author: str = "anonymous", fault: str | None = None,
            paste_id: str | None = None) -> Paste:
        with self._lock:
            pid = paste_id or f"p{len(self.pastes) + 1:05d}"
            p = Paste(pid, title, text, author, time.strftime("%Y-%m-%d %H:%M"), fault)
            self.pastes.append(p)
            return p

    def remove(self, paste_id: str) -> None:
        """Take a paste down, as a site does after a notice."""
        paste = self._get(paste_id)
        assert paste is not None, paste_id
        paste.removed = True

    def raw_requests(self, paste_id: str) -> int:
        return sum(1 for r in self.requests if r == f"/raw/{paste_id}")

    def _get(self, pid: str) -> Paste | None:
        with self._lock:
            return next((p for p in self.pastes if p.id == pid), None)

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(req.path)
        self.requests.append(url.path)
        q = parse_qs(url.query)
        if url.path in ("/", "/archive"):
            return self._archive(req, int(q.get("page", ["1"])[0]))
        if url.path == "/api/recent":
            with self._lock:
                items = [{"id": p.id, "title": p.title, "author": p.author, "date": p.posted}
                         for p in reversed(self.pastes) if not p.removed][:100]
            return send(req, 200, json.dumps(items), "application/json")
        f = re.fullmatch(r"/files/([\w-]+)/(.+)", url.path)
        if f and (fp := self._get(f.group(1))) and unquote(f.group(2)) in fp.files:
            return send(req, 200, fp.files[unquote(f.group(2))], "application/octet-stream")
        m = re.fullmatch(r"/(view|raw)/([\w-]+)", url.path)
        paste = self._get(m.group(2)) if m else None
        if paste is None or paste.removed:
            return send(req, 404, "<h1>Not found</h1>")
        if m.group(1) == "view":
            body = (f"<html><head><title>{html.escape(paste.title)}</title></head><body>"
                    f"<h1 class='title'>{html.escape(paste.title)}</h1><span class='author'>"
                    f"{html.escape(paste.author)}</span><span class='date'>{paste.posted}</span>"
                    f"<pre>{html.escape(paste.text)}</pre></body></html>")
            return send(req, 200, body)
        paste.hits += 1
        return self._raw(req, paste)

    def _archive(self, req: BaseHTTPRequestHandler, page: int) -> None:
        with self._lock:
            newest = [p for p in reversed(self.pastes) if not p.removed]
        chunk = newest[(page - 1) * PER_PAGE: page * PER_PAGE]
        rows = "".join(
            f"<tr><td><a class='paste' href='/view/{p.id}'>{html.escape(p.title)}</a></td>"
            f"<td class='author'>{html.escape(p.author)}</td><td class='date'>{p.posted}</td></tr>"
            for p in chunk)
        nxt = f"<a class='next' href='/archive?page={page + 1}'>next</a>" if len(
            newest) > page * PER_PAGE else ""
        send(req, 200,
             f"<html><body><h1>Recent pastes</h1><table>{rows}</table>{nxt}</body></html>")

    def _raw(self, req: BaseHTTPRequestHandler, p: Paste) -> None:
        if p.upload is not None:
            name, data = p.upload
            return send(req, 200, data, "application/octet-stream", {
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
        fault = p.fault
        if fault == "429" and p.hits == 1:
            return send(req, 429, "slow down", "text/plain", {"Retry-After": "1"})
        if fault == "503" and p.hits == 1:
            return send(req, 503, "maintenance", "text/plain", {"Retry-After": "1"})
        if fault == "reset":
            req.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00"
                                      b"\x00\x00\x00\x00")
            req.connection.close()
            req.close_connection = True
            return None
        if fault == "slow":  # a healthy page that takes a while: a crawl in progress
            time.sleep(self.timeout_seconds)
            return send(req, 200, p.text, "text/plain; charset=utf-8")
        if fault == "timeout":
            time.sleep(self.timeout_seconds)
            return send(req, 200, p.text, "text/plain; charset=utf-8")
        if fault == "redirect_loop":
            req.send_response(302)
            req.send_header("Location", f"/raw/{p.id}")
            req.send_header("Content-Length", "0")
            req.end_headers()
            return None
        if fault == "oversized":
            return send(req, 200, p.text + "\n" + "x" * (6 << 20), "text/plain; charset=utf-8")
        if fault == "binary":
            return send(req, 200, os.urandom(4096), "application/octet-stream")
        if fault == "cp949":
            return send(req, 200, p.text.encode("cp949"), "text/plain")
        if fault == "malformed":
            broken = f"<html><body><div><p>{p.text}<td></b></i><table><tr><td>"
            return send(req, 200, broken, "text/html")
        if fault == "challenge":
            return send(req, 403, "<html><title>Just a moment...</title></html>",
                        headers={"cf-mitigated": "challenge", "server": "cloudflare"})
        return send(req, 200, p.text, "text/plain; charset=utf-8")
