"""A Telegram public-channel web preview (``t.me/s/CHANNEL``) with the real markup.

Posts are ``div.tgme_widget_message[data-post="channel/ID"]`` with text in
``div.tgme_widget_message_text`` (lines split by ``<br/>``), the time in
``a.tgme_widget_message_date time[datetime]`` and attached documents as
``.tgme_widget_message_document_title`` / ``_extra`` (title and size only). A page shows the
newest ``PER_PAGE`` posts older than ``?before=ID``, oldest first, like the real preview.
A channel without a preview redirects to ``/CHANNEL``. ``loop=True`` makes a channel ignore
``before`` (every page is the newest one), as a broken or hostile mirror would.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from dumpwatch.testsites.server import send

PER_PAGE = 20


@dataclass
class Post:
    id: int
    text: str
    date: str = "2026-11-30T09:15:00+00:00"
    documents: list[tuple[str, str]] = field(default_factory=list)  # (title, "1.2 MB")


@dataclass
class Channel:
    name: str
    title: str
    posts: list[Post] = field(default_factory=list)
    preview: bool = True
    loop: bool = False


@dataclass
class TelegramPreviewSite:
    channels: dict[str, Channel] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # path?query, in order
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def channel(self, name: str, title: str | None = None, **kw: bool) -> Channel:
        with self._lock:
            return self.channels.setdefault(name, Channel(name, title or name, **kw))

    def post(self, channel: str, text: str, documents: list[tuple[str, str]] | None = None
             ) -> Post:
        ch = self.channel(channel)
        with self._lock:
            p = Post(len(ch.posts) + 1, text, documents=documents or [])
            ch.posts.append(p)
            return p

    def page_requests(self, channel: str) -> list[str]:
        return [r for r in self.requests if urlsplit(r).path == f"/s/{channel}"]

    def handle(self, req: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(req.path)
        self.requests.append(req.path)
        parts = url.path.strip("/").split("/")
        ch = self.channels.get(parts[-1]) if parts else None
        if len(parts) != 2 or parts[0] != "s":
            return send(req, 200, "<html><body><div class='tgme_page'>channel</div></body></html>")
        if ch is None or not ch.preview:
            req.send_response(302)
            req.send_header("Location", f"/{parts[1]}")
            req.send_header("Content-Length", "0")
            req.end_headers()
            return None
        before = parse_qs(url.query).get("before", [None])[0]
        with self._lock:
            posts = list(ch.posts)
        if before is not None and before.isdigit() and not ch.loop:
            posts = [p for p in posts if p.id < int(before)]
        page = posts[-PER_PAGE:]
        return send(req, 200, self._render(ch, page))

    def _render(self, ch: Channel, page: list[Post]) -> str:
        items = []
        for p in page:
            text = "<br/>".join(html.escape(line) for line in p.text.split("\n"))
            docs = "".join(
                f"<a class='tgme_widget_message_document_wrap' href='https://t.me/{ch.name}/"
                f"{p.id}'><div class='tgme_widget_message_document'><div class="
                f"'tgme_widget_message_document_title accent_color' dir='auto'>"
                f"{html.escape(title)}</div><div class='tgme_widget_message_document_extra' "
                f"dir='auto'>{html.escape(size)}</div></div></a>" for title, size in p.documents)
            body = (f"<div class='tgme_widget_message_text js-message_text' dir='auto'>{text}"
                    "</div>" if p.text else "")
            items.append(
                f"<div class='tgme_widget_message_wrap js-widget_message_wrap'>"
                f"<div class='tgme_widget_message text_not_supported_wrap js-widget_message' "
                f"data-post='{ch.name}/{p.id}' data-view='x'><div class='"
                f"tgme_widget_message_bubble'><div class='tgme_widget_message_author'>"
                f"<a class='tgme_widget_message_owner_name' href='https://t.me/{ch.name}'>"
                f"<span dir='auto'>{html.escape(ch.title)}</span></a></div>{docs}{body}"
                f"<div class='tgme_widget_message_footer'><div class='tgme_widget_message_info'>"
                f"<a class='tgme_widget_message_date' href='https://t.me/{ch.name}/{p.id}'>"
                f"<time datetime='{p.date}' class='time'>09:15</time></a></div></div>"
                f"</div></div></div>")
        more = (f"<a class='tme_messages_more js-messages_more' data-before='{page[0].id}' "
                f"href='/s/{ch.name}?before={page[0].id}'></a>") if page and page[0].id > 1 else ""
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                f"{html.escape(ch.title)} – Telegram</title></head><body><main><section "
                f"class='tgme_channel_history js-message_history'>{more}{''.join(items)}"
                "</section></main></body></html>")
