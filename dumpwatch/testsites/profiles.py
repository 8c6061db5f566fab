"""Source profiles for the local sites, written for whatever ports they listen on."""

from __future__ import annotations

from pathlib import Path

from dumpwatch.testsites.server import LocalSites

PASTE = """\
name: {name}
kind: paste
base_url: {base}
schedule_minutes: {every}
proxy: {proxy}
tor_socks: {socks}
listing:
  urls: [/archive]
  item_links: a.paste
  item_id: /view/(?P<id>[\\w-]+)
  next_page: a.next
  max_pages: 3
raw_url: /raw/{{id}}
politeness:
  delay: 0
  concurrency: 4
  pages_per_run: {pages}
  timeout: {timeout}
  max_backoff: 5
"""

FORUM = """\
name: {name}
kind: forum
base_url: {base}
schedule_minutes: {every}
proxy: {proxy}
tor_socks: {socks}
forum:
  boards: [/board/market, /board/members{trap}]
  thread_links: a.thread
  thread_id: /thread/(?P<id>\\d+)
  board_next: a.next
  board_pages: 5
  post: div.post
  post_id: "::attr(data-id)"
  post_body: div.body
  post_author: span.author
  post_date: span.date
  thread_title: h1.thread-title
  thread_next: a.next
login:
  url: /login
  username_field: user
  password_field: pass
  username_env: DUMPWATCH_FORUM_USER
  password_env: DUMPWATCH_FORUM_PASS
  logged_in_marker: a.logout
politeness:
  delay: 0
  concurrency: 4
  pages_per_run: {pages}
  timeout: {timeout}
  max_backoff: 5
"""


def write_profiles(config: Path, sites: LocalSites, *, every: float = 30, pages: int = 500,
                   timeout: float = 5, trap: bool = False) -> dict[str, Path]:
    folder = config / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    socks = f"127.0.0.1:{sites.socks.port}"
    common = {"every": every, "pages": pages, "timeout": timeout, "socks": socks}
    files = {
        "local-paste": PASTE.format(name="local-paste", base=sites.paste_server.url,
                                    proxy="none", **common),
        "onion-paste": PASTE.format(name="onion-paste", base=f"http://{sites.PASTE_ONION}",
                                    proxy="tor", **common),
        "local-forum": FORUM.format(name="local-forum", base=sites.forum_server.url,
                                    proxy="none", trap=", /board/trap" if trap else "", **common),
        "onion-forum": FORUM.format(name="onion-forum", base=f"http://{sites.FORUM_ONION}",
                                    proxy="tor", trap="", **common),
    }
    out = {}
    for name, text in files.items():
        path = folder / f"{name}.yaml"
        path.write_text(text)
        out[name] = path
    return out
