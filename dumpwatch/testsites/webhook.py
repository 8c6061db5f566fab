"""A webhook receiver on 127.0.0.1 that records what it was sent (and can fail first)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler

from dumpwatch.testsites.server import SiteServer, send


class WebhookReceiver:
    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[dict] = []  # accepted deliveries
        self.attempts = 0
        self.on_alert = None  # optional callback(dict)
        self._lock = threading.Lock()
        self.server = SiteServer(self)
        self.url = self.server.url + "/hook"

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        if method != "POST":
            return send(req, 405, "POST only", "text/plain")
        body = req.rfile.read(int(req.headers.get("Content-Length", "0")))
        with self._lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return send(req, 500, "try later", "text/plain")
            data = json.loads(body)
            data["_alert_header"] = req.headers.get("X-Dumpwatch-Alert")
            self.received.append(data)
        if self.on_alert:
            self.on_alert(data)
        return send(req, 200, "{}", "application/json")

    def __enter__(self) -> WebhookReceiver:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
