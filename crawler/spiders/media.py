"""Files in posts: attachments, file-host links and (with ``ocr: true``) images.

Leaks are posted as attachments, as links to a file host, or as screenshots more often
than as text. ``files`` is called by the spiders once per post or paste; it yields
requests for the files it finds (capped at ``politeness.max_file_bytes``) whose
responses become ``DocumentItem(data=..., filename=...)`` carrying the post's title,
author and time, and the pipeline expands them through ``matcher.containers``. A
response that is itself a file (an uploaded paste) is handed over directly.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from crawler.items import DocumentItem
from matcher.containers import sniff

if TYPE_CHECKING:
    from crawler.spiders.base import SourceSpider

MAX_FILES_PER_POST = 20
FILE_EXT = (".txt", ".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".sql", ".xml", ".log",
            ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".zip", ".gz", ".tgz", ".tar", ".bz2",
            ".xz")
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
# Forum engines' own attachment URLs and file hosts' direct-download links.
ATTACHMENT_URL = re.compile(
    r"/bbs/download\.php\?(?=.*\bbo_table=)(?=.*\bwr_id=)"  # Gnuboard 5
    r"|/download/file\.php\?(?=.*\bid=\d)"                  # phpBB
    r"|/attachments/[^/?#]*\d+/?(?:$|[?#])"                 # XenForo
    r"|/attachment\.php\?(?=.*\baid=\d)"                    # MyBB
    r"|[?&;]action=dlattach\b"                              # SMF
    r"|/uploads/short-url/|/secure-uploads/"                # Discourse
    r"|\bmodule=file&act=procFileDownload"                  # XE / Rhymix
    r"|pixeldrain\.com/api/file/|//files\.catbox\.moe/|//litter\.catbox\.moe/"
    r"|//0x0\.st/|//transfer\.sh/|//bashupload\.com/"
    r"|dropbox(?:usercontent)?\.com/.*[?&]dl=1|drive\.google\.com/uc\?(?=.*export=download)",
    re.I)
# ASCII only: Korean text runs straight into a link ("…/db.zip에서 받으세요").
BARE_URL = re.compile(r"https?://[!#-&(-;=?-~]+", re.I)
FILE_KINDS = ("zip", "gzip", "bz2", "xz", "tar", "ole", "image")


def is_file_link(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(FILE_EXT) or bool(ATTACHMENT_URL.search(url))


def is_image_link(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(IMAGE_EXT)


def filename(response: Response) -> str:
    """Content-Disposition's name (RFC 6266 / 5987), else the URL's last path segment."""
    disp = response.headers.get(b"Content-Disposition", b"").decode("latin-1")
    m = re.search(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)", disp)
    if m:
        return unquote(m.group(1)).strip()
    m = re.search(r'filename\s*=\s*"?([^";]+)"?', disp)
    if m:
        raw = m.group(1).strip()
        try:  # Korean servers send UTF-8 or CP949 bytes as-is
            return raw.encode("latin-1").decode("utf-8")
        except UnicodeError:
            try:
                return raw.encode("latin-1").decode("cp949")
            except UnicodeError:
                return raw
    return unquote(urlsplit(response.url).path.rsplit("/", 1)[-1]) or "download"


def is_file_response(response: Response) -> bool:
    """An archive, workbook or image rather than a page: handed over as bytes."""
    disp = response.headers.get(b"Content-Disposition", b"").lower()
    return sniff(response.body[:8192], filename(response)) in FILE_KINDS or (
        disp.startswith(b"attachment") and bool(response.body))


def files(spider: SourceSpider, response: Response, post: DocumentItem,
          node: Any = None) -> Iterator[scrapy.Request | DocumentItem]:
    """The files of one post (``node``: its element; default the whole response)."""
    if is_file_response(response):
        yield replace(post, url=response.url, text="", data=response.body,
                      filename=filename(response))
        return
    ocr = spider.source.ocr
    links: list[str] = []
    if node is None and not _is_html(response):
        text = response.text if isinstance(response, TextResponse) else ""
        links = [u.rstrip(".,;:)]") for u in BARE_URL.findall(text)]
        images: list[str] = []
    else:
        scope = node if node is not None else response
        links = scope.css("a::attr(href)").getall()
        images = scope.css("img::attr(src)").getall() if ocr else []
    meta = {"post": {"source": post.source, "title": post.title, "author": post.author,
                     "posted_at": post.posted_at},
            "download_maxsize": spider.source.politeness.max_file_bytes}
    seen: set[str] = set()
    wanted = [u for u in links if is_file_link(u)] + [
        u for u in (links if ocr else []) if is_image_link(u)] + images
    for href in wanted:
        if href.startswith("data:image/") and ";base64," in href:
            try:
                data = base64.b64decode(href.split(",", 1)[1], validate=False)
            except ValueError:
                continue
            yield replace(post, url=f"{post.url}#image-{len(seen) + 1}", text="", data=data,
                          filename="inline-image", item_id=None)
            seen.add(href)
            continue
        url = response.urljoin(href.strip())
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        if len(seen) > MAX_FILES_PER_POST:
            break
        yield spider.request(url, spider.parse_file, meta=dict(meta))


def file_item(spider: SourceSpider, response: Response) -> Iterator[DocumentItem]:
    """A downloaded attachment: the bytes and the post it belongs to."""
    spider.ok()
    post = response.meta["post"]
    if not response.body:
        return
    yield DocumentItem(source=post["source"], url=response.url, text="", title=post["title"],
                       author=post["author"], posted_at=post["posted_at"],
                       data=response.body, filename=filename(response),
                       **spider.capture(response))


def _is_html(response: Response) -> bool:
    ctype = response.headers.get(b"Content-Type", b"").lower()
    return b"html" in ctype or response.body[:512].lstrip().lower().startswith(
        (b"<!doctype html", b"<html"))
