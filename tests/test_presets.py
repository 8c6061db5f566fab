"""Engine presets: a profile of four lines crawls a forum in that engine's real markup.

Each engine's local site (dumpwatch/testsites/engines/*, markup from the engine's own
default templates; FlaskBB is the real software) holds three boards: a market with
seven threads (three listing pages) where one thread's first post and a reply two pages
further each carry leak rows, a chat board with a leaking reply, and a members-only board.
The profile names only the engine, the site and ``boards: all``; the crawl must find
every leak post with exactly its records, at one URL each, nothing from the members-only
board (as a guest), and a second run must fetch no thread and store nothing new.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dumpwatch.synth import people
from dumpwatch.testsites import flaskbb_real
from dumpwatch.testsites.engines import SITES
from dumpwatch.testsites.server import SiteServer
from tests.conftest import crawl, database_contents, findings_by_url, run_cli

CHATTER = ["가격 얼마인가요?", "샘플 더 주세요", "텔레그램으로 연락 주세요", "거래 완료했습니다",
           "still available?", "ㅇㅇ 확인했습니다"]


def leak(start: int, n: int) -> tuple[str, set[str]]:
    ps = people(start, n)
    return "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps), {p.id for p in ps}


def fill(site) -> dict[int, set[str]]:
    """Content every engine's site gets; returns {post number: record ids} for the leaks."""
    expected: dict[int, set[str]] = {}
    for i in range(6):
        t = site.add_thread("market", f"잡담 {i}", f"user{i}", CHATTER[i % len(CHATTER)])
        site.add_post(t.id, "replier", CHATTER[(i + 1) % len(CHATTER)])
    text, ids = leak(100, 6)
    sale = site.add_thread("market", "쿠팡 DB 판매 (샘플)", "dbking", "샘플 데이터:\n" + text)
    expected[sale.posts[0].id] = ids
    # the thread runs over three pages (XE/Rhymix: two comment pages), a leak on the first
    # and on the last: engines that open a thread on its last page must still read page 1
    site.add_post(sale.id, "buyer0", CHATTER[0])
    text, ids = leak(200, 4)
    expected[site.add_post(sale.id, "dbking", "추가 샘플\n" + text).id] = ids
    for n in range(1, 4):
        site.add_post(sale.id, f"buyer{n}", CHATTER[n])
    text, ids = leak(250, 2)
    expected[site.add_post(sale.id, "dbking", "마지막 샘플\n" + text).id] = ids
    chat = site.add_thread("chat", "hello", "newbie", "안녕하세요")
    text, ids = leak(300, 3)
    expected[site.add_post(chat.id, "reseller", "이거 진짜인가요?\n" + text).id] = ids
    text, _ = leak(400, 3)
    site.add_thread("vip", "VIP only dump", "vip", text)
    return expected


def profile(config: Path, engine: str, base: str) -> str:
    name = f"{engine}-site"
    (config / "sources").mkdir(parents=True, exist_ok=True)
    (config / "sources" / f"{name}.yaml").write_text(
        f"name: {name}\nengine: {engine}\nbase_url: {base}\nforum:\n  boards: all\n"
        "politeness:\n  delay: 0\n  concurrency: 4\n  pages_per_run: 500\n")
    return name


def check(found: dict[str, set[str]], expected: dict[int, set[str]]) -> None:
    """Each leak post is found at one URL ending in its own id, with exactly its records;
    nothing else (chatter, the members-only board) has findings."""
    by_post: dict[int, list[str]] = defaultdict(list)
    for url in found:
        number = int(url.rsplit("-", 1)[1])
        by_post[number].append(url)
    assert set(by_post) == set(expected), found
    for number, ids in expected.items():
        urls = by_post[number]
        assert len(urls) == 1, f"post {number} found at several URLs: {urls}"
        assert found[urls[0]] == ids, urls[0]
    records = [r for ids in found.values() for r in ids]
    assert len(records) == len(set(records)), "a record was found twice"


def thread_pages(engine: str, site) -> list[str]:
    marks = {"phpbb": "viewtopic.php", "mybb": "showthread.php", "smf": "topic=",
             "xenforo": "/threads/", "xpressengine": "document_srl=",
             "rhymix": "document_srl=", "discourse": "/t/", "flaskbb": "/topic/"}
    return [r for r in site.requests if marks[engine] in r]


@contextmanager
def serve(engine: str) -> Iterator[tuple[object, dict[int, set[str]], str]]:
    """The engine's site filled by :func:`fill`, running: (site, expected leaks, URL)."""
    if engine == "flaskbb":  # the real software, in its own virtualenv
        problem = flaskbb_real.install()
        if problem:
            pytest.skip(problem)
        real = flaskbb_real.FlaskBBSite()
        expected = fill(real)
        real.start()
        try:
            yield real, expected, real.url
        finally:
            real.stop()
        return
    site = SITES[engine]()
    expected = fill(site)
    server = SiteServer(site).start()
    try:
        yield site, expected, server.url
    finally:
        server.stop()


@pytest.mark.parametrize("engine", [*sorted(SITES), "flaskbb"])
def test_preset_crawls_engine_site(engine: str, home: Path, tmp_path: Path) -> None:
    with serve(engine) as (site, expected, url):
        config = tmp_path / "config"
        name = profile(config, engine, url)
        summary = crawl(home, config, name)
        # the members-only board is the one thing a guest cannot read, and it is recorded
        # as such (FlaskBB's index and Discourse's categories.json hide it from guests)
        walled = {} if engine in ("discourse", "flaskbb") else {"needs_login": 1}
        assert summary["errors"] == walled, summary
        assert summary["status"] == ("partial" if walled else "ok"), summary
        check(findings_by_url(home), expected)
        assert site.logins == 0  # no credentials in the profile: a guest crawl

        # the next run reads the listings, sees every thread unchanged, stores nothing
        before = len(thread_pages(engine, site))
        again = crawl(home, config, name)
        assert again["new_documents"] == 0 and again["new_findings"] == 0, again
        assert thread_pages(engine, site)[before:] == []
        check(findings_by_url(home), expected)

        # a new leaking reply is picked up on the run after, and only it
        text, ids = leak(500, 3)
        sale = next(t for t in site.boards["market"].threads if t.title.startswith("쿠팡"))
        expected[site.add_post(sale.id, "dbking", "또 있습니다\n" + text).id] = ids
        third = crawl(home, config, name)
        assert third["new_findings"] == 3, third
        check(findings_by_url(home), expected)
        no_plaintext(home, [(100, 6), (200, 4), (250, 2), (300, 3), (500, 3)])


def no_plaintext(home: Path, ranges: list[tuple[int, int]]) -> None:
    """The posts held leak rows: none of their values is anywhere under the home."""
    ps = [p for start, n in ranges for p in people(start, n)]
    needles = [v.encode() for p in ps for v in (p.name, p.phone, p.phone.replace("-", ""),
                                                 p.email)]
    for f in home.rglob("*"):
        if f.is_file() and "corpora" not in f.parts:
            blob = f.read_bytes()
            assert not any(n in blob for n in needles), f
    stored = database_contents(home)  # on PostgreSQL it is not under the home
    assert not any(n in stored for n in needles), "database"


@pytest.mark.parametrize("engine", [e for e in [*sorted(SITES), "flaskbb"] if e != "discourse"])
def test_preset_login_reads_members_only_board(engine: str, home: Path, tmp_path: Path
                                               ) -> None:
    """With credentials named in the profile, the preset's login form, fields and
    logged-in marker get the crawl into the members-only board."""
    with serve(engine) as (site, expected, url):
        text, ids = leak(600, 3)
        vip = site.boards["vip"].threads[0]
        expected[site.add_post(vip.id, "vip", "멤버 전용\n" + text).id] = ids
        expected[vip.posts[0].id] = {p.id for p in people(400, 3)}
        config = tmp_path / "config"
        name = profile(config, engine, url)
        path = config / "sources" / f"{name}.yaml"
        path.write_text(path.read_text() + "login:\n  username_env: ENGINE_USER\n"
                        "  password_env: ENGINE_PASS\n")
        proc = run_cli("--home", str(home), "--config", str(config), "crawl", name, "--json",
                       env={"ENGINE_USER": "watcher", "ENGINE_PASS": "s3cret-pass"})
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        assert summary["status"] == "ok", summary
        check(findings_by_url(home), expected)


def test_discourse_boards_as_users_write_them() -> None:
    from crawler.spiders.discourse import board_json, cooked_text

    assert board_json("/c/market/5") == "/c/market/5/l/latest.json"
    assert board_json("/latest") == "/latest.json"
    assert board_json("/c/market/5/l/latest?page=1") == "/c/market/5/l/latest.json?page=1"
    assert board_json("/c/market/5/l/latest.json") == "/c/market/5/l/latest.json"
    # cooked HTML reduced to text, one line per <br> / paragraph, never markup
    assert cooked_text("<p>김민준,010-1234-5678<br>\n이서연,010-2345-6789</p><p>끝</p>") == (
        "김민준,010-1234-5678\n이서연,010-2345-6789\n끝")
