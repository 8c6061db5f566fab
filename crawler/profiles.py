"""Source profiles: a site is a YAML file in config/sources, not code.

Validation errors name the file, the line and the field, e.g.
``config/sources/x.yaml:12: politeness.delay: Input should be a valid number``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from dumpwatch.errors import ConfigError

PRESETS = Path(__file__).parent / "presets"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _id_regex(v: str) -> str:
    try:
        if "id" not in re.compile(v).groupindex:
            raise ValueError("needs a named group (?P<id>...)")
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return v


def _selector(v: object) -> object:
    """``{css|xpath: ..., attr: name}`` -> the one-string form; strings are checked."""
    from crawler.selection import check_selector, from_mapping

    if isinstance(v, dict):
        v = from_mapping(v)
    if isinstance(v, str):
        check_selector(v)
    return v


Sel = Annotated[str, BeforeValidator(_selector)]


class Politeness(_Strict):
    delay: float = Field(1.0, ge=0, description="seconds between requests to the source")
    concurrency: int = Field(2, ge=1, le=64)
    pages_per_run: int = Field(200, ge=1, description="hard cap on requests per run")
    timeout: float = Field(20.0, gt=0, description="seconds before a response times out")
    max_page_bytes: int = Field(5 << 20, ge=1024)
    max_file_bytes: int = Field(32 << 20, ge=1024, description="cap on attachments and files")
    retries: int = Field(2, ge=0, le=10)
    max_backoff: float = Field(300.0, ge=0, description="cap on Retry-After / backoff seconds")
    unhealthy_after: int = Field(3, ge=1, description="consecutive failed runs before unhealthy")


class Listing(_Strict):
    """How new items are found: listing pages and selectors, or a JSON API."""

    urls: list[str] = Field(min_length=1)
    item_links: str | None = None  # CSS or XPath selector yielding hrefs
    item_id: str = r"(?P<id>[\w-]+)$"  # regex applied to each href
    json_items: str | None = None  # dotted path into a JSON API response ("" = top level)
    json_id: str = "id"
    next_page: str | None = None
    max_pages: int = Field(5, ge=1)

    @field_validator("item_id")
    @classmethod
    def _regex(cls, v: str) -> str:
        return _id_regex(v)


class Forum(_Strict):
    """Where threads and posts are on the pages. Selectors are CSS or XPath (see
    ``crawler/selection.py``): ``a::attr(href)`` / ``//a/@href`` or ``{css: a, attr: href}``
    yield an attribute; anything else yields the element's text (never its HTML)."""

    boards: list[str] | Literal["all"] = Field(min_length=1)
    # a JSON API instead of pages: "discourse" (crawler/spiders/discourse.py); the
    # selectors below are then unused
    api: Literal["discourse"] | None = None
    board_index: str = "/"  # page listing the boards, read when boards is "all"
    board_links: Sel | None = None  # links to boards on the board index
    board_id: str = r"(?P<id>[^/?#]+)/?$"  # regex on a board link: what names a board
    thread_row: Sel | None = None  # one thread in a listing (links, replies are inside)
    thread_links: Sel | None = None  # required unless api is set
    thread_id: str = r"/thread/(?P<id>\d+)"
    thread_params: list[str] | None = None  # query params naming a thread (others dropped)
    thread_replies: Sel | None = None  # reply/comment count in the row: unchanged = skip
    board_next: Sel | None = None
    board_pages: int = Field(3, ge=1)
    post: Sel | None = None  # one post element (required unless api is set)
    post_id: Sel | None = None  # within a post: its id (the last number); unset: the
    # thread's id, for engines whose thread page is one post plus comments
    post_body: Sel | None = None  # required unless api is set
    post_author: Sel | None = None
    post_date: Sel | None = None
    comment: Sel | None = None  # one comment/reply element: stored as a post of its own
    comment_id: Sel | None = None
    comment_body: Sel | None = None
    comment_author: Sel | None = None
    comment_date: Sel | None = None
    thread_title: Sel | None = None
    thread_pages: Sel | None = None  # selector of links to the thread's pages
    thread_next: Sel | None = None
    # an engine's own "please log in" page, when it has neither a password field nor an
    # alert() (XE's board message page): present on a page without content = needs_login
    login_wall: Sel | None = None

    @field_validator("thread_id", "board_id")
    @classmethod
    def _regex(cls, v: str) -> str:
        return _id_regex(v)

    @model_validator(mode="after")
    def _comments(self) -> Forum:
        if self.api is None and not (self.thread_links and self.post and self.post_body):
            raise ValueError("a forum needs thread_links, post and post_body (or an api)")
        if self.comment and not (self.comment_id and self.comment_body):
            raise ValueError("comment needs comment_id and comment_body")
        if self.boards == "all" and not self.board_links and self.api is None:
            raise ValueError("boards: all needs board_links (links to boards on board_index)")
        return self


class Login(_Strict):
    """How to log in. Credentials are the names of environment variables; without them
    the forum is crawled as a guest and members-only boards are recorded as needs_login."""

    url: str
    username_field: str
    password_field: str
    username_env: str | None = None
    password_env: str | None = None
    logged_in_marker: Sel  # selector present only when logged in
    form: str | None = None  # CSS selector of the form, when the page has several


class Takedown(_Strict):
    """Where takedown notices for this source go, when RDAP is not the answer."""

    contact: str | None = Field(None, description="platform trust-and-safety e-mail")
    web_form: str | None = Field(None, pattern=r"^https?://", description="abuse form URL")
    law_enforcement: str | None = Field(None, description="e-mail for .onion sources")
    domain: str | None = Field(None, description="public domain, when crawled by address")
    hosting_ip: str | None = Field(None, description="hosting address, instead of DNS")
    webhook: str | None = Field(None, pattern=r"^https?://", description="notices as JSON")


class Source(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["paste", "forum", "telegram_preview"]
    engine: str | None = None  # preset in crawler/presets/<engine>.yaml (already merged)
    base_url: str = Field(pattern=r"^https?://")
    enabled: bool = True
    schedule_minutes: float = Field(30.0, gt=0)
    user_agent: str = "dumpwatch/0.1 (+breach redistribution monitor; contact: set user_agent)"
    proxy: str = "none"  # none | tor | a proxy URL (socks5h://, http://)
    tor_socks: str = "127.0.0.1:9050"
    listing: Listing | None = None
    raw_url: str | None = None  # template with {id}, e.g. /raw/{id}
    forum: Forum | None = None
    login: Login | None = None
    # telegram_preview: public channels read through t.me/s/CHANNEL (no account, no API key)
    channels: list[str] | None = None
    channel_pages: int = Field(20, ge=1, description="older pages per channel and run at most")
    politeness: Politeness = Politeness()
    retention_days: float = Field(0, ge=0, description="keep encrypted page text this long")
    # strptime patterns tried in order; "iso" (ISO 8601) and "dateparser" (relative and
    # Korean dates such as "3시간 전", "어제") are keywords. Naive times are in `timezone`.
    date_format: list[str] = ["iso", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                              "%Y.%m.%d %H:%M", "%d.%m.%Y %H:%M"]
    timezone: str = "UTC"  # the site's; the Korean engines' presets say Asia/Seoul
    charset: str | None = None  # force a charset; default: header, BOM, meta tag, detection

    @field_validator("date_format", mode="before")
    @classmethod
    def _formats(cls, v: object) -> object:
        return [v] if isinstance(v, str) else v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (use an IANA name like Asia/Seoul)"
                             ) from None
        return v

    @field_validator("charset")
    @classmethod
    def _charset(cls, v: str | None) -> str | None:
        import codecs

        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown charset {v!r}") from None
        return v

    ocr: bool = False  # read images in posts and archives with Tesseract
    takedown: Takedown = Takedown()

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, v: str) -> str:
        if v not in ("none", "tor") and not re.match(r"^(socks5h?|https?)://", v):
            raise ValueError("use none, tor, or a socks5h:// / http:// proxy URL")
        return v

    @model_validator(mode="after")
    def _sections(self) -> Source:
        if self.kind == "paste" and (self.listing is None or self.raw_url is None):
            raise ValueError("a paste source needs listing and raw_url")
        if self.kind == "forum" and self.forum is None:
            raise ValueError("a forum source needs a forum section")
        if self.kind == "telegram_preview":
            if not self.channels:
                raise ValueError("a telegram_preview source needs channels: [name, ...]")
            bad = [c for c in self.channels if not re.fullmatch(r"[A-Za-z0-9_]{3,64}", c)]
            if bad:
                raise ValueError(f"not a public channel name: {', '.join(bad)}")
        return self

    @property
    def onion(self) -> bool:
        from urllib.parse import urlsplit

        return (urlsplit(self.base_url).hostname or "").endswith(".onion")

    def proxy_url(self) -> str | None:
        """The proxy for this source; Tor gets per-source credentials (circuit isolation)."""
        if self.proxy == "tor" or (self.proxy == "none" and self.onion):
            return f"socks5h://{self.name}:isolate@{self.tor_socks}"
        return None if self.proxy == "none" else self.proxy

    @property
    def logs_in(self) -> bool:
        """A login section with credentials named: the crawl logs in first."""
        return bool(self.login and self.login.username_env and self.login.password_env)

    def credentials(self) -> tuple[str, str]:
        assert self.login is not None and self.login.username_env and self.login.password_env
        user = os.environ.get(self.login.username_env)
        password = os.environ.get(self.login.password_env)
        if not user or not password:
            raise ConfigError(f"source {self.name}: set {self.login.username_env} and "
                              f"{self.login.password_env} for its login")
        return user, password


def _node_at(node: yaml.Node | None, loc: tuple) -> tuple[yaml.Node | None, int]:
    """The YAML node a pydantic error location points at, and how many steps of the
    location exist in this document (union branch names such as "list[str]" never do)."""
    depth = 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(
                node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node, depth = nxt, depth + 1
    return node, depth


def _line_of(node: yaml.Node, loc: tuple) -> int:
    found, _ = _node_at(node, loc)
    return found.start_mark.line + 1 if found is not None else 1


def _read_yaml(path: Path) -> tuple[yaml.Node | None, object]:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.compose(text), yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
                          ) from None


def deep_merge(base: dict, override: dict) -> dict:
    """``override`` wins key by key; mappings merge recursively, lists are replaced.
    ``key: null`` unsets a single value; an empty section (``forum:``) keeps the preset's."""
    out = dict(base)
    for k, v in override.items():
        if isinstance(out.get(k), dict) and (v is None or isinstance(v, dict)):
            out[k] = deep_merge(out[k], v or {})
        else:
            out[k] = v
    return out


def engines() -> list[str]:
    """Names of the engine presets shipped in crawler/presets."""
    return sorted(p.stem for p in PRESETS.glob("*.yaml"))


def load_preset(engine: str) -> tuple[Path, yaml.Node | None, dict]:
    path = PRESETS / f"{engine}.yaml"
    if not re.fullmatch(r"[a-z0-9_-]+", engine) or not path.is_file():
        raise LookupError(f"unknown engine {engine!r} (known: {', '.join(engines())})")
    node, data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a preset is a mapping of profile settings")
    return path, node, data


def load_source(path: Path) -> Source:
    """Read and validate one profile; ``engine: NAME`` first loads that preset and the
    profile's own keys override it (deep merge). Errors say ``file:line: field: problem``,
    pointing into the preset for keys only the preset sets."""
    node, data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a source profile is a mapping of settings")
    preset: tuple[Path, yaml.Node | None, dict] | None = None
    engine = data.get("engine")
    if engine is not None:
        try:
            preset = load_preset(str(engine))
        except LookupError as exc:
            raise ConfigError(f"{path}:{_line_of(node, ('engine',))}: engine: {exc}") from None
        data = deep_merge(preset[2], data)
    try:
        return Source.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "profile"
            at, depth = _node_at(node, loc)
            if preset is not None:
                p_at, p_depth = _node_at(preset[1], loc)
                if p_depth > depth and p_at is not None:
                    lines.append(f"{preset[0]}:{p_at.start_mark.line + 1}: {where}: "
                                 f"{err['msg']} (from engine {engine}, used by {path})")
                    continue
            line = at.start_mark.line + 1 if at is not None else 1
            lines.append(f"{path}:{line}: {where}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from None


def config_dir(option: Path | None = None) -> Path:
    """--config, then DUMPWATCH_CONFIG, then ./config."""
    return option or Path(os.environ.get("DUMPWATCH_CONFIG", "config"))


def load_sources(directory: Path, *, strict: bool = True) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    errors: list[str] = []
    folder = directory / "sources" if (directory / "sources").is_dir() else directory
    for path in sorted(folder.glob("*.y*ml")):
        if path.name.startswith("_"):
            continue  # templates
        try:
            src = load_source(path)
        except ConfigError as exc:
            errors.append(str(exc))
            continue
        if src.name in sources:
            errors.append(f"{path}:1: name: {src.name!r} is used by another profile")
        sources[src.name] = src
    if errors and strict:
        raise ConfigError("\n".join(errors))
    return sources
