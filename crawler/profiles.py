"""Source profiles: a site is a YAML file in config/sources, not code.

Validation errors name the file, the line and the field, e.g.
``config/sources/x.yaml:12: politeness.delay: Input should be a valid number``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from dumpwatch.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Politeness(_Strict):
    delay: float = Field(1.0, ge=0, description="seconds between requests to the source")
    concurrency: int = Field(2, ge=1, le=64)
    pages_per_run: int = Field(200, ge=1, description="hard cap on requests per run")
    timeout: float = Field(20.0, gt=0, description="seconds before a response times out")
    max_page_bytes: int = Field(5 << 20, ge=1024)
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
        try:
            if "id" not in re.compile(v).groupindex:
                raise ValueError("needs a named group (?P<id>...)")
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return v


class Forum(_Strict):
    boards: list[str] = Field(min_length=1)
    thread_links: str
    thread_id: str = r"/thread/(?P<id>\d+)"
    board_next: str | None = None
    board_pages: int = Field(3, ge=1)
    post: str  # selector of one post element
    post_id: str  # selector (within a post) of its id, e.g. "::attr(data-id)"
    post_body: str
    post_author: str | None = None
    post_date: str | None = None
    thread_title: str | None = None
    thread_pages: str | None = None  # selector of links to the thread's pages
    thread_next: str | None = None


class Login(_Strict):
    url: str
    username_field: str
    password_field: str
    username_env: str
    password_env: str
    logged_in_marker: str  # selector present only when logged in
    form: str | None = None  # selector of the form, when the page has several


class Source(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["paste", "forum", "telegram_preview"]
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

    def credentials(self) -> tuple[str, str]:
        assert self.login is not None
        user = os.environ.get(self.login.username_env)
        password = os.environ.get(self.login.password_env)
        if not user or not password:
            raise ConfigError(f"source {self.name}: set {self.login.username_env} and "
                              f"{self.login.password_env} for its login")
        return user, password


def _line_of(node: yaml.Node, loc: tuple) -> int:
    """The line of the YAML node a pydantic error location points at."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == key), None)
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(
                node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def load_source(path: Path) -> Source:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})"
                          ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a source profile is a mapping of settings")
    try:
        return Source.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "profile"
            lines.append(f"{path}:{_line_of(node, loc) if node else 1}: {where}: {err['msg']}")
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
