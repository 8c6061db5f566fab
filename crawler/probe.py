"""Try a forum profile on the live site: one listing page, one thread, one post.

What each selector found (how many, the first values — redacted), what found nothing,
and whether that stops a crawl. This is how a profile is written in minutes: run
``dumpwatch sources test NAME``, fix the selector it names, run it again.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx
from parsel import Selector

from crawler import selection
from crawler.canonical import canonical_url
from crawler.charset import decode_page
from crawler.dates import parse_date
from crawler.profiles import Source
from dumpwatch.errors import DumpwatchError

_DIGITS = re.compile(r"\d{3,}")


def preview(value: str, width: int = 60, *, digits: bool = False) -> str:
    """A value as it may be shown: phones, emails and names masked like stored titles,
    other runs of digits starred (unless ``digits``: ids, links, dates), one line."""
    from crawler.pipelines.matching import mask_title

    masked = mask_title(" ⏎ ".join(value.split("\n"))) or ""
    if not digits:
        masked = _DIGITS.sub(lambda m: "*" * len(m.group(0)), masked)
    return masked if len(masked) <= width else masked[: width - 1] + "…"


@dataclass
class Check:
    stage: str  # index | listing | thread | post | comment | login
    field: str  # profile key, e.g. forum.post_body
    selector: str
    yields: str  # attribute | text | text nodes | regex
    count: int
    first: list[str]
    required: bool

    @property
    def missing(self) -> bool:
        return self.count == 0


@dataclass
class ProbeReport:
    source: str
    pages: list[tuple[str, str]] = field(default_factory=list)  # (stage, url)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def broken(self) -> list[Check]:
        return [c for c in self.checks if c.missing and c.required]

    def as_dict(self) -> dict:
        return {"source": self.source, "pages": self.pages,
                "checks": [asdict(c) | {"missing": c.missing} for c in self.checks],
                "notes": self.notes, "ok": not self.broken}


class Probe:
    def __init__(self, source: Source, client: httpx.Client | None = None) -> None:
        if source.kind != "forum" or source.forum is None:
            raise DumpwatchError(f"source {source.name}: sources test knows forum profiles "
                                 f"(this one is {source.kind})")
        if source.forum.api:
            raise DumpwatchError(f"source {source.name}: sources test checks page selectors; "
                                 f"this profile reads the {source.forum.api} JSON API "
                                 f"(try `dumpwatch crawl {source.name}`)")
        self.source = source
        self.forum = source.forum
        self.report = ProbeReport(source.name)
        self.client = client or httpx.Client(
            headers={"User-Agent": source.user_agent}, follow_redirects=True,
            timeout=source.politeness.timeout, proxy=source.proxy_url())

    def url(self, path: str) -> str:
        return str(httpx.URL(self.source.base_url.rstrip("/") + "/").join(path))

    def get(self, stage: str, url: str) -> tuple[Selector, str]:
        try:
            resp = self.client.get(url)
        except httpx.HTTPError as exc:
            raise DumpwatchError(f"{stage} {url}: {type(exc).__name__}: {exc}") from None
        self.report.pages.append((stage, str(resp.url)))
        if resp.status_code >= 400:
            self.report.notes.append(f"{stage} page answered HTTP {resp.status_code}")
        text = decode_page(resp.content, resp.headers.get("content-type", ""),
                           self.source.charset, html=True)
        return Selector(text=text), str(resp.url)

    def check(self, stage: str, name: str, node: Any, selector: str | None, *,
              required: bool = False, links: bool = False) -> list[str]:
        if not selector:
            return []
        found = (selection.links(node, selector) if links else selection.values(node, selector))
        if name.endswith(("_date", "date")) and found:
            parsed = parse_date(found[0], self.source.date_format, self.source.timezone)
            first = [f"{preview(found[0], digits=True)} → "
                     f"{parsed.isoformat() if parsed else 'NOT PARSED'}"]
        else:
            plain = links or name.endswith("_id")
            first = [preview(v, digits=plain) for v in found[:2]]
        self.report.checks.append(Check(stage, f"forum.{name}", selector,
                                        "link" if links else selection.kind(selector),
                                        len(found), first, required))
        return found

    def regex(self, stage: str, name: str, pattern: str, values: list[str]) -> list[str]:
        ids = [m.group("id") for v in values if (m := re.search(pattern, v))]
        self.report.checks.append(Check(stage, f"forum.{name}", pattern, "regex", len(ids),
                                        [preview(i, digits=True) for i in ids[:2]], True))
        return ids

    # ------------------------------------------------------------ the walk

    def run(self) -> ProbeReport:
        from crawler.spiders.forum import last_number, login_wall

        if self.source.logs_in:
            self.login()
        forum = self.forum
        if forum.boards == "all":
            index, index_url = self.get("index", self.url(forum.board_index))
            boards = self.check("index", "board_links", index, forum.board_links,
                                required=True, links=True)
            boards = [urljoin(index_url, b) for b in boards]
            ids = self.regex("index", "board_id", forum.board_id, boards)
            board_url = next((b for b in boards if re.search(forum.board_id, b)), None)
            if board_url is None:
                return self.report
            self.report.notes.append(f"{len(set(ids))} boards found; testing the first")
        else:
            board_url = self.url(forum.boards[0])
        listing, listing_url = self.get("listing", board_url)
        rows = selection.select(listing, forum.thread_row) if forum.thread_row else [listing]
        if forum.thread_row:
            self.check("listing", "thread_row", listing, forum.thread_row, required=True)
        links = [urljoin(listing_url, h) for row in rows
                 for h in selection.links(row, forum.thread_links)]
        self.report.checks.append(Check("listing", "forum.thread_links", forum.thread_links,
                                        "link", len(links),
                                        [preview(v, digits=True) for v in links[:2]], True))
        tids = self.regex("listing", "thread_id", forum.thread_id, links)
        if forum.thread_replies and forum.thread_row:
            counts = [last_number(selection.first(r, forum.thread_replies)) for r in rows]
            self.report.checks.append(Check(
                "listing", "forum.thread_replies", forum.thread_replies, "text",
                sum(c is not None for c in counts), [str(c) for c in counts if c][:2], False))
        self.check("listing", "board_next", listing, forum.board_next, links=True)
        if not tids:
            if login_wall(listing):
                self.report.notes.append("the listing asks for a login (needs_login): add "
                                         "credentials or test another board")
            return self.report
        # prefer a thread whose row shows replies, so the comment selectors are tried too
        candidates = [u for u in links if re.search(forum.thread_id, u)]
        if forum.thread_replies and forum.thread_row:
            replied = [urljoin(listing_url, h) for row in rows
                       if last_number(selection.first(row, forum.thread_replies))
                       for h in selection.links(row, forum.thread_links)[:1]]
            candidates = [u for u in replied if re.search(forum.thread_id, u)] + candidates
        thread_url = canonical_url(candidates[0], forum.thread_params)
        thread, _ = self.get("thread", thread_url)
        self.check("thread", "thread_title", thread, forum.thread_title)
        posts = self.check("thread", "post", thread, forum.post, required=True)
        self.check("thread", "thread_next", thread, forum.thread_next, links=True)
        if posts:
            post = selection.select(thread, forum.post)[0]
            if forum.post_id:
                self.check("post", "post_id", post, forum.post_id, required=True)
            else:
                self.report.notes.append(f"post_id unset: the post's id is the thread id "
                                         f"{preview(tids[0])}")
            self.check("post", "post_body", post, forum.post_body, required=True)
            self.check("post", "post_author", post, forum.post_author)
            self.check("post", "post_date", post, forum.post_date)
        elif login_wall(thread):
            self.report.notes.append("the thread asks for a login (needs_login)")
        if forum.comment:
            comments = self.check("comment", "comment", thread, forum.comment)
            if comments:
                c = selection.select(thread, forum.comment)[0]
                self.check("comment", "comment_id", c, forum.comment_id, required=True)
                self.check("comment", "comment_body", c, forum.comment_body, required=True)
                self.check("comment", "comment_author", c, forum.comment_author)
                self.check("comment", "comment_date", c, forum.comment_date)
            else:
                self.report.notes.append("no comments on this thread: comment selectors "
                                         "not tried")
        return self.report

    def login(self) -> None:
        login = self.source.login
        assert login is not None
        user, password = self.source.credentials()
        page, page_url = self.get("login", self.url(login.url))
        forms = page.css(login.form) if login.form else page.xpath(
            "//form[.//input[@type='password']]")
        self.report.checks.append(Check("login", "login.form", login.form or "(password form)",
                                        "form", len(forms), [], True))
        if not forms:
            return
        form = forms[0]
        data = {i.attrib["name"]: i.attrib.get("value", "") for i in form.css("input[name]")
                if i.attrib.get("type", "text").lower() not in ("checkbox", "radio", "submit")}
        data.update({login.username_field: user, login.password_field: password})
        action = urljoin(page_url, form.attrib.get("action") or page_url)
        try:
            resp = self.client.post(action, data=data)
        except httpx.HTTPError as exc:
            raise DumpwatchError(f"login {action}: {type(exc).__name__}: {exc}") from None
        after = Selector(text=decode_page(resp.content, resp.headers.get("content-type", ""),
                                          self.source.charset, html=True))
        self.report.checks.append(Check("login", "login.logged_in_marker",
                                        login.logged_in_marker, "marker",
                                        len(selection.select(after, login.logged_in_marker)),
                                        [], True))
