"""Telegram public channels via the web preview, against a local t.me/s server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from crawler.profiles import load_source
from crawler.state import CrawlState
from dumpwatch.errors import ConfigError
from dumpwatch.storage import Finding, PostAttachment, Sighting, ThreadState, open_database
from dumpwatch.synth import people
from dumpwatch.testsites.server import SiteServer
from dumpwatch.testsites.telegram import TelegramPreviewSite
from tests.conftest import run_cli

PROFILE = """\
name: tg
kind: telegram_preview
base_url: {base}
channels: [{channels}]
politeness: {{delay: 0, concurrency: 2, timeout: 5}}
"""


@pytest.fixture()
def preview():
    site = TelegramPreviewSite()
    server = SiteServer(site).start()
    yield site, server.url
    server.stop()


def write(config: Path, base: str, *channels: str) -> None:
    (config / "sources").mkdir(parents=True, exist_ok=True)
    (config / "sources" / "tg.yaml").write_text(
        PROFILE.format(base=base, channels=", ".join(channels)))


def crawl(home: Path, config: Path) -> dict:
    proc = run_cli("--home", str(home), "--config", str(config), "crawl", "tg", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_45_posts_last_seen_12_crawls_33_new_posts_in_2_pages(preview, home: Path,
                                                              tmp_path: Path) -> None:
    site, base = preview
    ps = people(12000, 4)
    for i in range(1, 46):
        if i == 40:  # a sale post with a proof sample and the dump attached
            site.post("coupang_leaks", "쿠팡 회원 DB 판매 샘플\n" + "\n".join(
                f"{p.name} {p.phone} {p.email}" for p in ps),
                documents=[("coupang_members_3370만.xlsx", "1.2 GB"), ("sample.csv", "340 KB")])
        else:
            site.post("coupang_leaks", f"공지 {i}: 채널 규칙을 지켜주세요")
    config = tmp_path / "config"
    write(config, base, "coupang_leaks")
    db = open_database(home)
    state = CrawlState(db, "tg")
    state.advance_thread("coupang_leaks", 12, 1)  # last seen: post 12
    state.flush()
    db.dispose()

    summary = crawl(home, config)
    assert len(site.page_requests("coupang_leaks")) == 2
    assert site.page_requests("coupang_leaks")[1] == "/s/coupang_leaks?before=26"
    assert summary["documents"] == 33 and summary["pages"] == 2

    with open_database(home).session() as s:
        urls = set(s.exec(select(Sighting.url)))
        assert urls == {f"{base}/coupang_leaks/{i}" for i in range(13, 46)}
        assert s.exec(select(ThreadState.last_post_id)).one() == 45
        assert {f.record_id for f in s.exec(select(Finding))} == {p.id for p in ps}
        files = {(a.title, a.size_bytes) for a in s.exec(select(PostAttachment))}
        assert files == {("coupang_members_3370만.xlsx", int(1.2 * 2**30)),
                         ("sample.csv", 340 * 2**10)}
        assert {a.url for a in s.exec(select(PostAttachment))} == {
            f"{base}/coupang_leaks/40"}

    site.post("coupang_leaks", "공지 46: 새 자료 곧 올라옵니다")
    again = crawl(home, config)  # one page, one new post
    assert len(site.page_requests("coupang_leaks")) == 3 and again["documents"] == 1


def test_first_run_walks_back_at_most_channel_pages(preview, home: Path,
                                                    tmp_path: Path) -> None:
    site, base = preview
    for i in range(1, 101):
        site.post("big_channel", f"post {i}")
    config = tmp_path / "config"
    write(config, base, "big_channel")
    (config / "sources" / "tg.yaml").write_text(
        (config / "sources" / "tg.yaml").read_text() + "channel_pages: 3\n")
    assert crawl(home, config)["documents"] == 60
    assert len(site.page_requests("big_channel")) == 3


def test_pagination_loop_and_missing_preview_are_recorded(preview, home: Path,
                                                          tmp_path: Path) -> None:
    site, base = preview
    site.channel("looping", loop=True)  # ignores ?before: every page is the newest one
    for i in range(1, 31):
        site.post("looping", f"message {i}")
    site.channel("private_one", preview=False)
    config = tmp_path / "config"
    write(config, base, "looping", "private_one")
    summary = crawl(home, config)
    assert summary["errors"].get("pagination_trap") == 1
    assert summary["errors"].get("no_preview") == 1
    assert len(site.page_requests("looping")) == 2  # stopped at the first repeat
    assert summary["documents"] == 20


def test_profile_needs_channels(tmp_path: Path) -> None:
    path = tmp_path / "tg.yaml"
    path.write_text("name: tg\nkind: telegram_preview\nbase_url: https://t.me\n")
    with pytest.raises(ConfigError, match="needs channels"):
        load_source(path)
    path.write_text("name: tg\nkind: telegram_preview\nbase_url: https://t.me\n"
                    "channels: [ok_name, 'bad name!']\n")
    with pytest.raises(ConfigError, match="bad name!"):
        load_source(path)
