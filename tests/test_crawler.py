"""Crawling the local sites for real: Scrapy, HTTP on 127.0.0.1, SOCKS5 for .onion.

Every crawl runs the real CLI in a subprocess against real servers started here; the
assertions are on what the database holds afterwards and what the servers saw.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from tests.conftest import crawl, findings_by_url, run_cli


@pytest.fixture()
def sites():
    with LocalSites() as s:
        yield s


def leak(start: int, n: int, sep: str = ",") -> tuple[str, set[str]]:
    ps = people(start, n)
    return "\n".join(f"{p.name}{sep}{p.phone}{sep}{p.email}" for p in ps), {p.id for p in ps}


def test_paste_and_forum_clear_web_and_onion(sites: LocalSites, home: Path, tmp_path: Path) -> None:
    config = tmp_path / "config"
    write_profiles(config, sites)
    text_a, ids_a = leak(100, 6)
    text_b, ids_b = leak(200, 4, " ")
    paste_a = sites.paste.add("fresh coupang db", text_a, author="seller1")
    paste_b = sites.paste.add("KR 샘플", text_b)
    sites.paste.add("chatter", "오늘 날씨 좋네요 010-0000-0000 아님")
    thread_text, thread_ids = leak(300, 5, " / ")
    t = sites.forum.add_thread("market", "쿠팡 DB 판매", "dbking", "샘플:\n" + thread_text)
    members_text, members_ids = leak(400, 3)
    sites.forum.add_thread("members", "vip only", "vip", members_text)

    for source in ("local-paste", "local-forum", "onion-paste", "onion-forum"):
        summary = crawl(home, config, source)
        assert summary["status"] == "ok", summary

    found = findings_by_url(home)
    paste = sites.paste_server.url
    assert found[f"{paste}/raw/{paste_a.id}"] == ids_a
    assert found[f"{paste}/raw/{paste_b.id}"] == ids_b
    forum = sites.forum_server.url
    assert found[f"{forum}/thread/{t.id}#post-1"] == thread_ids
    assert found[f"{forum}/thread/2#post-2"] == members_ids
    # the same content on the onion mirror is a sighting of the same documents
    onion = f"http://{sites.PASTE_ONION}"
    assert found[f"{onion}/raw/{paste_a.id}"] == ids_a
    assert not any("chatter" in u for u in found)

    # The proxy was asked for host names (ATYP 3), never for an address, one username
    # per source (circuit isolation), and saw only the .onion sources.
    seen = sites.socks.requests
    assert seen and all(r.atyp == 3 and r.host.endswith(".onion") for r in seen)
    assert {r.username for r in seen} == {"onion-paste", "onion-forum"}
    assert {r.host for r in seen if r.username == "onion-forum"} == {sites.FORUM_ONION}


def test_second_run_fetches_only_new_pastes_and_posts(sites: LocalSites, home: Path,
                                                      tmp_path: Path) -> None:
    config = tmp_path / "config"
    write_profiles(config, sites)
    for i in range(25):  # more than one listing page
        sites.paste.add(f"paste {i}", leak(1000 + 5 * i, 2)[0])
    thread = sites.forum.add_thread("market", "long thread", "op", leak(2000, 2)[0])
    for i in range(7):  # the thread spans two pages
        sites.forum.add_post(thread.id, f"user{i}", leak(2100 + 3 * i, 2)[0])

    first = crawl(home, config, "local-paste")
    assert first["documents"] == 25
    first_forum = crawl(home, config, "local-forum")
    assert first_forum["documents"] == 8

    sites.paste.add("new one", leak(3000, 2)[0])
    sites.forum.add_post(thread.id, "late", leak(3100, 2)[0])
    raw_before = sum(1 for r in sites.paste.requests if r.startswith("/raw/"))
    second = crawl(home, config, "local-paste")
    second_forum = crawl(home, config, "local-forum")
    assert second["documents"] == 1 and second["new_findings"] == 2
    assert sum(1 for r in sites.paste.requests if r.startswith("/raw/")) == raw_before + 1
    assert second_forum["documents"] == 1 and second_forum["new_findings"] == 2
    # the revisit started at the thread's last page, not its first
    assert f"/thread/{thread.id}?page=2" in sites.forum.requests[-3:] or any(
        r == f"/thread/{thread.id}?page=2" for r in sites.forum.requests[-4:])


def test_fault_matrix(sites: LocalSites, home: Path, tmp_path: Path) -> None:
    """One case per fault; each is recorded, the crawl goes on, no healthy finding is lost."""
    config = tmp_path / "config"
    write_profiles(config, sites, timeout=1.5, trap=True)
    sites.paste.timeout_seconds = 4
    expected: dict[str, set[str]] = {}
    start = 5000
    for fault in ("429", "503", "cp949", "malformed", None, None):
        text, ids = leak(start, 3)
        start += 3
        p = sites.paste.add(f"leak {fault}", text, fault=fault)
        expected[f"{sites.paste_server.url}/raw/{p.id}"] = ids
    for fault in ("reset", "timeout", "redirect_loop", "oversized", "binary", "challenge"):
        sites.paste.add(f"bad {fault}", leak(start, 2)[0], fault=fault)
        start += 2
    summary = crawl(home, config, "local-paste")
    errors = summary["errors"]
    for kind in ("http_429", "http_503", "connection_reset", "timeout", "redirect_loop",
                 "oversized", "binary", "challenge"):
        assert errors.get(kind, 0) >= 1, (kind, errors)
    assert summary["blocked"] == 1 and summary["status"] == "partial"
    found = findings_by_url(home)
    for url, ids in expected.items():
        assert found.get(url) == ids, url

    # forum: the session expires mid-crawl (re-login), and a board pages forever (a trap)
    sites.forum.session_ttl_requests = 6
    for i in range(4):
        text, ids = leak(start, 2)
        start += 2
        t = sites.forum.add_thread("members", f"members {i}", "vip", text)
        expected_forum = {f"{sites.forum_server.url}/thread/{t.id}#post-{t.posts[0].id}": ids}
        expected.update(expected_forum)
    sites.forum.add_thread("trap", "trap thread", "x", "nothing here")
    forum = crawl(home, config, "local-forum")
    assert forum["errors"].get("session_expired", 0) >= 1, forum
    assert forum["errors"].get("pagination_trap", 0) >= 1, forum
    assert sites.forum.logins >= 2
    found = findings_by_url(home)
    for url, ids in expected.items():
        assert found.get(url) == ids, url

    # every run is recorded with its faults
    from sqlmodel import select

    from dumpwatch.storage import CrawlRun, open_database

    with open_database(home).session() as s:
        runs = [(r.source, r.status, r.errors)
                for r in s.exec(select(CrawlRun).order_by(CrawlRun.id))]
    assert [r[0] for r in runs] == ["local-paste", "local-forum"]
    assert json.loads(runs[0][2]) == errors


def test_profiles_are_validated_with_file_line_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "sources"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text(
        "name: bad\nkind: paste\nbase_url: http://127.0.0.1:1\nlisting:\n  urls: [/a]\n"
        "raw_url: /raw/{id}\npoliteness:\n  delay: soon\n")
    proc = run_cli("--home", str(tmp_path / "home"), "--config", str(tmp_path / "config"),
                   "sources")
    assert proc.returncode == 2
    assert f"{folder / 'bad.yaml'}:8: politeness.delay:" in proc.stderr


def test_shipped_profiles_are_valid(tmp_path: Path) -> None:
    proc = run_cli("--home", str(tmp_path), "--config", "config", "sources", "--json")
    assert proc.returncode == 0, proc.stderr
    names = {json.loads(line)["name"] for line in proc.stdout.splitlines()}
    assert {"local-paste", "local-forum", "onion-paste", "onion-forum"} <= names
