"""A threaded HTTP server per site, and a context manager that starts them all."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol


class Site(Protocol):
    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None: ...


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"
    # headers and body go out in two writes: with Nagle on, keep-alive clients wait for a
    # delayed ACK (~40 ms) on every response, which capped a crawl at ~20 pages/s
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.site.handle(self, "GET")

    def do_POST(self) -> None:
        self.site.handle(self, "POST")

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up (timeouts, resets) are part of the tests


class SiteServer:
    def __init__(self, site: Site, port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"site": site})
        self.httpd = _QuietServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(req: BaseHTTPRequestHandler, status: int, body: bytes | str,
         content_type: str = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    req.send_response(status)
    req.send_header("Content-Type", content_type)
    req.send_header("Content-Length", str(len(data)))
    for k, v in (headers or {}).items():
        req.send_header(k, v)
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(data)


class LocalSites:
    """Paste site + forum + SOCKS5 proxy mapping two .onion names onto them."""

    PASTE_ONION = "pastebinxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
    FORUM_ONION = "darkmarketforumyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy.onion"

    def __init__(self) -> None:
        from dumpwatch.testsites.forum import ForumSite
        from dumpwatch.testsites.paste import PasteSite
        from dumpwatch.testsites.socks import Socks5Proxy

        self.paste = PasteSite()
        self.forum = ForumSite()
        self.paste_server = SiteServer(self.paste)
        self.forum_server = SiteServer(self.forum)
        self.socks = Socks5Proxy({
            self.PASTE_ONION: ("127.0.0.1", self.paste_server.port),
            self.FORUM_ONION: ("127.0.0.1", self.forum_server.port),
        })

    def __enter__(self) -> LocalSites:
        self.paste_server.start()
        self.forum_server.start()
        self.socks.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.socks.stop()
        self.forum_server.stop()
        self.paste_server.stop()
