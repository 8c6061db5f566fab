"""A Gnuboard 5 site onboarded by one short profile using the engine preset.

The site (dumpwatch/testsites/gnuboard.py) serves G5's own default markup: four boards
found from the menu (one members-only behind the alert() page, one in CP949 with only a
<meta charset>), wr_id counted per board (so wr_id=1 exists on every board), leak data in
posts, in an HTML table and in comments, and 11 pages of chatter on one board.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dumpwatch.testsites.gnuboard import GnuboardSite
from dumpwatch.testsites.server import SiteServer
from tests.conftest import database_contents, db_rows, run_cli
from tests.test_crawler import crawl, findings_by_url, leak

PROFILE = """\
name: {name}
engine: gnuboard5
base_url: {base}
forum:
  boards: all
{login}politeness:
  delay: 0
  concurrency: 4
  pages_per_run: 1000
"""
CREDENTIALS = """\
login:
  username_env: DUMPWATCH_FORUM_USER
  password_env: DUMPWATCH_FORUM_PASS
"""


def profile(tmp_path: Path, base: str, name: str = "g5", login: bool = True) -> Path:
    config = tmp_path / "config"
    (config / "sources").mkdir(parents=True, exist_ok=True)
    (config / "sources" / f"{name}.yaml").write_text(PROFILE.format(
        name=name, base=base, login=CREDENTIALS if login else ""))
    return config


class Leaks:
    """The site and what a crawl must find there: URL -> record ids."""

    def __init__(self, site: GnuboardSite, base: str) -> None:
        self.site = site
        self.base = base
        self.expected: dict[str, set[str]] = {}
        self.start = 7000

    def url(self, board: str, wr_id: int, kind: str, n: int) -> str:
        return f"{self.base}/bbs/board.php?bo_table={board}&wr_id={wr_id}#{kind}-{n}"

    def records(self, n: int, sep: str = ",") -> tuple[str, set[str]]:
        text, ids = leak(self.start, n, sep)
        self.start += n
        return text, ids

    def post(self, board: str, subject: str, n: int = 3, *, table: bool = False) -> int:
        text, ids = self.records(n, " ")
        if table:
            rows = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in line.split(" ")) + "</tr>"
                           for line in text.splitlines())
            p = self.site.add_post(board, subject, "dbking", "<p>샘플 일부입니다</p>"
                                   f"<table><tbody>{rows}</tbody></table>", html_content=True,
                                   mb_id="dbking")
        else:
            p = self.site.add_post(board, subject, "판매자", f"샘플:\n{text}\n텔레 @seller")
        self.expected[self.url(board, p.wr_id, "post", p.wr_id)] = ids
        return p.wr_id

    def comment(self, board: str, wr_id: int, n: int = 2) -> None:
        text, ids = self.records(n)
        c = self.site.add_comment(board, wr_id, "똠방각하", f"추가 샘플입니다\n{text}")
        self.expected[self.url(board, wr_id, "comment", c.wr_id)] = ids


def build(site: GnuboardSite, base: str, chatter: int) -> Leaks:
    site.add_board("free", "자유게시판")
    site.add_board("market", "거래게시판")
    site.add_board("vip", "회원전용", members_only=True)
    site.add_board("old", "옛날게시판", charset="cp949")
    leaks = Leaks(site, base)
    # wr_id=1 on every board is a different leak: identities must not collide
    for board in ("free", "market", "vip", "old"):
        leaks.post(board, "DB 샘플 " + board)
    site.add_post("free", "게시판 이용 규칙", "운영자", "거래 금지", notice=True)
    for i in range(chatter):
        p = site.add_post("free", f"오늘 점심 {i}", "손님", f"점심 뭐 먹지 {i}번째 고민")
        if i % 40 == 3:
            site.add_comment("free", p.wr_id, "손님2", "저는 국밥이요")
        if i == chatter // 3:
            leaks.post("free", "엑셀 일부 공개", table=True)
        if i == chatter // 2:
            leaks.comment("free", p.wr_id)  # a leak in a comment under chatter
    m = leaks.post("market", "쿠팡 고객 DB 판매")
    site.add_comment("market", m, "구매자", "가격 얼마인가요?")
    leaks.comment("market", m)
    leaks.post("market", "배송지 DB")
    leaks.post("vip", "회원 전용 풀 DB")
    o = leaks.post("old", "예전 자료")
    leaks.comment("old", o)
    return leaks


@pytest.fixture()
def g5():
    site = GnuboardSite()
    server = SiteServer(site).start()
    yield site, server.url
    server.stop()


def _utc_text(stored: str | datetime) -> str:
    """A stored time as UTC text: SQLite keeps UTC text, PostgreSQL gives an aware datetime
    in the server's time zone."""
    return stored if isinstance(stored, str) else stored.astimezone(UTC).strftime(
        "%Y-%m-%d %H:%M:%S")


def test_gnuboard_site_onboarded_by_one_short_profile(g5, home: Path, tmp_path: Path) -> None:
    site, base = g5
    leaks = build(site, base, chatter=160)
    assert len(leaks.expected) == 12
    config = profile(tmp_path, base)

    first = crawl(home, config, "g5")
    assert first["status"] == "ok", first
    found = findings_by_url(home)
    assert found == leaks.expected  # every leak post and comment, every record, nothing else
    total = sum(len(p.comments) + 1 for b in site.boards.values() for p in b.posts)
    assert first["documents"] == total  # every post and comment of all 11+ pages

    urls = [u for (u,) in db_rows(home, "select url from sighting")]
    assert len(urls) == len(set(urls)) == total  # one sighting per post, no duplicates
    # dates: "25-12-03 14:22" in views and ISO +09:00 in comments, both Seoul time
    post = site.boards["market"].posts[0]
    [(posted,)] = db_rows(home, "select posted_at from sighting where url = :u",
                          u=leaks.url("market", 1, "post", 1))
    assert _utc_text(posted).startswith(post.when.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))
    thread = site.boards["old"].posts[-1]
    comment = thread.comments[0]
    # by its full URL: wr_id counts per board, so "#comment-N" alone exists on other boards
    [(author, posted)] = db_rows(home, "select author, posted_at from sighting where url = :u",
                                 u=leaks.url("old", thread.wr_id, "comment", comment.wr_id))
    assert author == "똠방각하"  # CP949 (똠 is not in EUC-KR), declared only in <meta>
    assert _utc_text(posted).startswith(
        comment.when.astimezone(UTC).strftime("%Y-%m-%d %H:%M"))

    # a re-run fetches nothing new: only the index and listing pages
    views = len(site.document_requests())
    second = crawl(home, config, "g5")
    assert second["new_documents"] == 0 and second["documents"] == 0, second
    assert len(site.document_requests()) == views
    assert findings_by_url(home) == leaks.expected

    # new activity: a comment under an old thread and a new post on the 11-page board,
    # which moves every thread down the listing; only those two are fetched
    leaks.comment("market", 2)
    leaks.post("free", "새 자료")
    third = crawl(home, config, "g5")
    assert third["new_documents"] == 2, third
    fetched = site.document_requests()[views:]
    assert len(fetched) == len(set(fetched))  # each once
    assert {r.split("&wr_id=")[1].split("&")[0] + r.split("bo_table=")[1].split("&")[0]
            for r in fetched} == {"2market", f"{site.boards['free'].posts[-1].wr_id}free"}
    assert findings_by_url(home) == leaks.expected

    # scraped leak data never reaches the disk: not in the database, its WAL, or a lock
    blobs = [f.read_bytes() for f in home.rglob("*") if f.is_file() and "corpora" not in
             f.parts] + [database_contents(home)]  # PostgreSQL's is not under the home
    for ids in leaks.expected.values():
        for person in people_by_id(ids):
            for value in (person.name, person.phone, person.email):
                assert not any(value.encode() in b for b in blobs), value


def test_members_only_board_is_needs_login_for_guests(g5, home: Path, tmp_path: Path) -> None:
    site, base = g5
    leaks = build(site, base, chatter=20)
    config = profile(tmp_path, base, name="g5-guest", login=False)
    summary = crawl(home, config, "g5-guest")
    assert summary["errors"].get("needs_login", 0) >= 1, summary  # not an empty board
    assert summary["status"] == "partial"
    found = findings_by_url(home)
    public = {u: ids for u, ids in leaks.expected.items() if "bo_table=vip" not in u}
    assert found == public
    assert site.logins == 0


def test_sources_new_then_test_names_a_broken_selector(g5, tmp_path: Path) -> None:
    site, base = g5
    leaks = build(site, base, chatter=3)
    home, config = tmp_path / "home", tmp_path / "config"
    new = run_cli("--home", str(home), "--config", str(config), "sources", "new",
                  "--engine", "gnuboard5", "--url", base, "--name", "g5-new")
    assert new.returncode == 0, new.stderr
    path = config / "sources" / "g5-new.yaml"
    assert path.read_text().startswith("# Written by") and "engine: gnuboard5" in path.read_text()
    again = run_cli("--home", str(home), "--config", str(config), "sources", "new",
                    "--engine", "gnuboard5", "--url", base, "--name", "g5-new")
    assert again.returncode == 2 and "exists" in again.stderr
    unknown = run_cli("--home", str(home), "--config", str(config), "sources", "new",
                      "--engine", "nosuchbb", "--url", base)
    assert unknown.returncode == 2 and "gnuboard5" in unknown.stderr

    good = run_cli("--home", str(home), "--config", str(config), "sources", "test", "g5-new")
    assert good.returncode == 0, good.stdout + good.stderr
    status = {line.split()[2]: line.split()[0] for line in good.stdout.splitlines()
              if line.startswith("  ") and len(line.split()) > 3}
    for field in ("forum.board_links", "forum.thread_links", "forum.post_body",
                  "forum.comment_body", "forum.post_date", "forum.thread_replies"):
        assert status.get(field) == "ok", (field, good.stdout)
    assert "MISSING" not in good.stdout

    # a site redesign renamed the post body: the test names the selector that broke
    path.write_text(path.read_text().replace(
        "  boards: all", "  boards: all\n  post_body: 'div#bo_v_contents'"))
    broken = run_cli("--home", str(home), "--config", str(config), "sources", "test", "g5-new")
    assert broken.returncode == 1, broken.stdout + broken.stderr
    missing = [line for line in broken.stdout.splitlines() if "MISSING" in line]
    assert len(missing) == 1 and "forum.post_body" in missing[0], broken.stdout
    assert "forum.post_body (div#bo_v_contents) found nothing" in broken.stderr

    # what it prints is redacted: no leaked value reaches the screen
    printed = good.stdout + good.stderr + broken.stdout + broken.stderr
    for ids in leaks.expected.values():
        for person in people_by_id(ids):
            for value in (person.name, person.phone, person.email,
                          person.phone.replace("-", "")):
                assert value not in printed, value

    listed = run_cli("--home", str(home), "--config", str(config), "sources", "--json")
    assert listed.returncode == 0 and '"engine": "gnuboard5"' in listed.stdout


def people_by_id(ids: set[str]):
    from dumpwatch.synth import people

    numbers = sorted(int(i.lstrip("C")) for i in ids)
    return [p for p in people(numbers[0], numbers[-1] - numbers[0] + 1) if p.id in ids]
