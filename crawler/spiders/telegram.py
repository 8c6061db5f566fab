"""Telegram public channels through the web preview ``t.me/s/CHANNEL`` (no account, no key).

Incremental: each channel remembers the highest post id stored (its ThreadState), a run
reads the newest page and walks back with ``?before=ID`` only until it reaches that id, so
a channel with 33 new posts costs two page requests. A page that is not older than the one
before (deleted posts, a mirror that ignores ``before``) ends the walk as a pagination trap.
Attached documents are recorded by title and size; the files are not on the preview page.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from w3lib.html import remove_tags, replace_entities

from crawler.errors import record
from crawler.items import DocumentItem
from crawler.spiders.base import SourceSpider

_BR = re.compile(r"<br\s*/?>", re.I)
_SIZE = re.compile(r"([\d.,]+)\s*([KMGT]?B)\b", re.I)
_UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}


def parse_size(text: str | None) -> int | None:
    """'1.2 MB' -> 1258291 (Telegram shows binary units)."""
    m = _SIZE.search(text or "")
    if not m:
        return None
    try:
        return int(float(m.group(1).replace(",", ".")) * _UNITS[m.group(2).upper()])
    except ValueError:
        return None


def message_text(post: Any) -> str:
    """The message text with its line breaks (records are one per line in a sale post)."""
    inner = post.css(".tgme_widget_message_text").get()
    if not inner:
        return ""
    return replace_entities(remove_tags(_BR.sub("\n", inner))).strip()


class TelegramPreviewSpider(SourceSpider):
    async def start(self) -> AsyncIterator[Any]:
        for req in self.entry_requests():
            yield req

    def entry_requests(self) -> Iterator[scrapy.Request]:
        for channel in self.source.channels or []:
            yield self.request(f"/s/{channel}", self.parse_page, dont_filter=True,
                               meta={"channel": channel, "page": 1})

    def last_seen(self, channel: str) -> int:
        return self.state.last_post(channel)[0]

    def parse_page(self, response: Response) -> Iterator[Any]:
        channel, page = response.meta["channel"], response.meta["page"]
        if not urlsplit(response.url).path.startswith("/s/"):
            record(self.crawler.stats, "no_preview")  # the channel has no public preview
            return
        self.ok()
        last_seen = self.last_seen(channel)
        posts = []
        for post in response.css(".tgme_widget_message[data-post]"):
            ref = post.attrib["data-post"].rsplit("/", 1)[-1]
            if ref.isdigit():
                posts.append((int(ref), post))
        oldest = min((i for i, _ in posts), default=None)
        prev_oldest = response.meta.get("oldest")
        trapped = oldest is not None and prev_oldest is not None and oldest >= prev_oldest
        if trapped:
            record(self.crawler.stats, "pagination_trap")  # not older than the last page
            oldest = None
        newest = max([response.meta.get("newest", 0), *(i for i, _ in posts)])
        for post_id, post in [] if trapped else posts:
            if post_id > last_seen:
                item = self._item(channel, post_id, post)
                if item is not None:
                    yield item
        if (oldest is not None and oldest > last_seen + 1 and oldest > 1
                and page < self.source.channel_pages):
            yield self.request(f"/s/{channel}?before={oldest}", self.parse_page,
                               meta={"channel": channel, "page": page + 1, "oldest": oldest,
                                     "newest": newest})
            return
        if newest > last_seen:  # the walk is over: remember where this run got to
            self.state.advance_thread(channel, newest, 1)
            self.state.flush([channel])

    def _item(self, channel: str, post_id: int, post: Any) -> DocumentItem | None:
        text = message_text(post)
        docs = []
        for doc in post.css(".tgme_widget_message_document"):
            title = " ".join(doc.css(".tgme_widget_message_document_title ::text").getall())
            size = " ".join(doc.css(".tgme_widget_message_document_extra ::text").getall())
            if title.strip():
                docs.append((title.strip(), parse_size(size)))
        if not text and not docs:
            return None  # a photo or sticker: nothing to match
        body = "\n".join([text, *(f"[file] {t}" for t, _ in docs)]).strip()
        when = post.css("a.tgme_widget_message_date time::attr(datetime)").get()
        try:
            posted = datetime.fromisoformat(when) if when else None
        except ValueError:
            posted = None
        author = " ".join(post.css(".tgme_widget_message_owner_name ::text").getall()).strip()
        first_line = text.split("\n", 1)[0][:120] if text else (docs[0][0] if docs else None)
        base = self.source.base_url.rstrip("/")
        return DocumentItem(source=self.source.name, url=f"{base}/{channel}/{post_id}",
                            text=body, title=first_line, author=author or channel,
                            posted_at=posted, item_id=f"{channel}/{post_id}", attachments=docs)
