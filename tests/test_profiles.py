"""Profiles as a user writes them: engine presets, overrides, selectors, identities, dates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from parsel import Selector

from crawler.canonical import canonical_url
from crawler.dates import parse_date
from crawler.profiles import load_source
from crawler.selection import first, from_mapping, values
from dumpwatch.errors import ConfigError

SHORT = """\
name: some-kr-board
engine: gnuboard5
base_url: https://board.example.kr
forum:
  boards: all
login:
  username_env: KR_USER
  password_env: KR_PASS
politeness:
  delay: 2
  concurrency: 1
"""


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_engine_preset_fills_the_profile_and_own_keys_win(tmp_path: Path) -> None:
    src = load_source(write(tmp_path, SHORT.replace("  boards: all\n", "  boards: all\n"
                                                    "  board_pages: 7\n")
                            + "timezone: Europe/Berlin\n"))
    assert src.kind == "forum" and src.engine == "gnuboard5"
    assert src.forum is not None
    assert src.forum.post_body == "#bo_v_con"  # from the preset
    assert src.forum.board_pages == 7  # the profile's own key, deep-merged
    assert src.forum.comment == "#bo_vc article"  # siblings of the override survive
    assert src.timezone == "Europe/Berlin"
    assert src.login is not None and src.login.username_field == "mb_id"
    assert src.login.username_env == "KR_USER" and src.logs_in
    assert src.politeness.delay == 2


def test_korean_preset_defaults_to_seoul_time_and_guest_without_credentials(
        tmp_path: Path) -> None:
    src = load_source(write(tmp_path, "name: g\nengine: gnuboard5\nbase_url: http://x.kr\n"))
    assert src.timezone == "Asia/Seoul"
    assert src.forum is not None and src.forum.boards == "all"
    assert not src.logs_in  # a login section without credentials: crawl as a guest


def test_errors_point_at_the_profile_line_or_the_preset_line(tmp_path: Path) -> None:
    path = write(tmp_path, SHORT.replace("delay: 2", "delay: soon"))
    with pytest.raises(ConfigError, match=rf"{path}:10: politeness.delay: "):
        load_source(path)
    path = write(tmp_path, SHORT.replace("gnuboard5", "nosuchbb"))
    with pytest.raises(ConfigError, match=rf"{path}:2: engine: unknown engine 'nosuchbb' "
                                          r"\(known: .*gnuboard5"):
        load_source(path)
    path = write(tmp_path, SHORT.replace("  boards: all\n",
                                         "  boards: all\n  post_body: 'div[['\n"))
    with pytest.raises(ConfigError, match=rf"{path}:6: forum.post_body: .*not a valid CSS"):
        load_source(path)
    path = write(tmp_path, SHORT.replace("  boards: all\n", "  boards: some\n"))
    with pytest.raises(ConfigError, match=rf"{path}:5: forum.boards"):
        load_source(path)


def test_selectors_yield_text_never_html_and_tables_stay_line_per_row() -> None:
    page = Selector(text="""<div id="bo_v_con"><p>판매합니다 <b>샘플</b></p>
      <table><tr><th>이름</th><th>전화</th></tr>
      <tr><td>김민준</td>
          <td>010-1234-5678</td></tr></table>문의<br>텔레그램 @seller<script>x=1</script>
      </div><a class="next" href="/p?page=2">다음</a><time datetime="2025-12-03T14:22:00+09:00">
      25-12-03 14:22</time>""")
    expected = "판매합니다 샘플\n이름\t전화\n김민준\t010-1234-5678\n문의\n텔레그램 @seller"
    assert first(page, "#bo_v_con") == expected
    assert first(page, "//div[@id='bo_v_con']") == expected  # XPath: text too, not HTML
    assert first(page, from_mapping({"css": "a.next", "attr": "href"})) == "/p?page=2"
    assert first(page, "//a[@class='next']/@href") == "/p?page=2"
    assert first(page, "time::attr(datetime)") == "2025-12-03T14:22:00+09:00"
    assert values(page, "//div/text()") == ["문의", "텔레그램 @seller"]


def test_canonical_thread_urls_keep_the_query_and_drop_noise() -> None:
    a = canonical_url("http://Board.example.kr:80/bbs/board.php?wr_id=7&bo_table=free"
                      "&utm_source=tg&PHPSESSID=abc&fbclid=x#c_9")
    assert a == "http://board.example.kr/bbs/board.php?bo_table=free&wr_id=7"
    b = canonical_url("http://board.example.kr/bbs/board.php?bo_table=market&wr_id=7")
    assert a != b  # same wr_id, other board: another thread
    assert canonical_url("http://b.kr/bbs/board.php?bo_table=free&wr_id=7&page=3&sca=x&s=1",
                         ["bo_table", "wr_id"]) == "http://b.kr/bbs/board.php?bo_table=free&wr_id=7"


@pytest.mark.parametrize(("text", "expected"), [
    ("25-12-03 14:22", datetime(2025, 12, 3, 5, 22, tzinfo=UTC)),
    ("작성일 25-12-03 14:22", datetime(2025, 12, 3, 5, 22, tzinfo=UTC)),
    ("2025-12-03T14:22:00+09:00", datetime(2025, 12, 3, 5, 22, tzinfo=UTC)),
    ("3시간 전", datetime(2025, 12, 3, 2, 22, tzinfo=UTC)),
    ("어제", datetime(2025, 12, 2, 5, 22, tzinfo=UTC)),
    ("nonsense", None),
])
def test_korean_dates_in_site_time(text: str, expected: datetime | None) -> None:
    formats = ["iso", "%y-%m-%d %H:%M", "dateparser"]
    now = datetime(2025, 12, 3, 5, 22, tzinfo=UTC)  # 14:22 in Seoul
    got = parse_date(text, formats, "Asia/Seoul", now=now)
    if expected is None:
        assert got is None
    else:
        assert got is not None and abs((got - expected).total_seconds()) < 60, got


def test_login_walls_are_told_from_empty_boards() -> None:
    from crawler.spiders.forum import login_wall
    from dumpwatch.testsites.gnuboard import GnuboardSite

    site = GnuboardSite()
    board = site.add_board("free", "자유게시판")
    alert = site._alert("목록을 볼 권한이 없습니다.\\n\\n회원이시라면 로그인 후 이용해 보십시오.",
                        "/bbs/login.php?url=%2Fbbs%2Fboard.php%3Fbo_table%3Dvip")
    assert login_wall(Selector(text=alert))  # G5's bbs/alert.php
    assert login_wall(Selector(text=site._login_page(False, "/")))  # a login form
    # an empty board has head.php's search script (which calls alert()) but is no wall
    assert not login_wall(Selector(text=site._list(board, 1, False)))
