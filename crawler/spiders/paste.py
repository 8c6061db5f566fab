"""Paste sites: listing pages (or a JSON API) -> new paste ids -> raw text, each id once."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.items import DocumentItem
from crawler.pipelines.matching import mask_title
from crawler.spiders import media
from crawler.spiders.base import SourceSpider


class PasteSpider(SourceSpider):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scheduled: set[str] = set()

    async def start(self) -> AsyncIterator[Any]:
        for req in self.entry_requests():
            yield req

    def entry_requests(self) -> Iterator[scrapy.Request]:
        """Where a run begins: the listing pages, fetched again every run."""
        listing = self.source.listing
        assert listing is not None
        for url in listing.urls:
            yield self.request(url, self.parse_listing, meta={"page": 1}, dont_filter=True)

    def unseen(self, ids: list[str]) -> set[str]:
        """Ids never fetched before and not yet scheduled in this run."""
        return {i for i in ids if i not in self.state.seen and i not in self._scheduled}

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        self.ok()
        listing = self.source.listing
        assert listing is not None
        id_re = re.compile(listing.item_id)
        items: list[tuple[str, str | None, str | None]] = []
        if listing.json_items is not None:
            try:
                data: Any = json.loads(response.text)
            except ValueError:
                self.crawler.stats.inc_value("dumpwatch/error/malformed_listing")
                return
            for part in filter(None, listing.json_items.split(".")):
                data = data.get(part, []) if isinstance(data, dict) else []
            for obj in data if isinstance(data, list) else []:
                if isinstance(obj, dict) and obj.get(listing.json_id) is not None:
                    items.append((str(obj[listing.json_id]), mask_title(obj.get("title")),
                                  obj.get("author")))
        else:
            for el in self.select(response, listing.item_links or "a"):
                href = el.attrib.get("href") or el.get()
                m = id_re.search(href or "")
                if m:
                    title = " ".join(t.strip() for t in el.css("::text").getall()) or None
                    # masked now: with workers, request meta is stored in Redis
                    items.append((m.group("id"), mask_title(title), None))
        if self.repeated_listing(response, [i for i, _, _ in items]):
            return
        new = self.unseen([i for i, _, _ in items])
        for item_id, title, author in items:
            if item_id not in new or item_id in self._scheduled:
                continue
            self._scheduled.add(item_id)
            raw = self.source.raw_url.format(id=item_id)  # type: ignore[union-attr]
            yield self.request(raw, self.parse_raw, meta={"item_id": item_id, "title": title,
                                                         "author": author})
        page = response.meta["page"]
        if listing.next_page and page < listing.max_pages:
            nxt = self.first_href(response, listing.next_page)
            if nxt:
                yield self.request(response.urljoin(nxt), self.parse_listing,
                                   meta={"page": page + 1})

    def first_href(self, response: Response, selector: str) -> str | None:
        sel = self.select(response, selector)
        if not sel:
            return None
        return sel[0].attrib.get("href") or sel[0].get()

    def parse_raw(self, response: Response) -> Iterator[DocumentItem]:
        self.ok()
        item_id = response.meta["item_id"]
        paste = DocumentItem(source=self.source.name, url=response.url, text="",
                             title=response.meta.get("title"),
                             author=response.meta.get("author"), item_id=item_id,
                             **self.capture(response))
        if media.is_file_response(response):  # an uploaded archive, workbook or image
            yield from media.files(self, response, paste)
            return
        text = self.page_text(response)
        if text is None:
            self.state.mark_seen(item_id)  # binary stays binary: do not fetch it again
            return
        yield replace(paste, text=text)
        yield from media.files(self, response, replace(paste, item_id=None))

    def on_error(self, failure: Any) -> None:
        super().on_error(failure)
        from crawler.errors import classify

        # Permanent faults of one paste: fetching it again next run would fail the same way.
        item_id = failure.request.meta.get("item_id") if hasattr(failure, "request") else None
        if item_id and classify(failure) in ("oversized", "redirect_loop"):
            self.state.mark_seen(item_id)
