"""Screenshots as leaks are sold: a sale post with a title, a pitch, a table and the
seller's handle; two tables with text between; a chat screen, one record per bubble.

Each image is rendered (dumpwatch.testsites.screens: Pillow + NanumGothic), scanned
through the real ``dumpwatch scan --ocr`` against a corpus this module writes, and must
give its own records and nobody else's (the tables carry strangers), with no plaintext
of a record left under the home directory or in what the scan printed. The band finder
itself is checked first on word boxes, without Tesseract.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from dumpwatch.synth import Person, people, write_corpus_csv
from dumpwatch.testsites.screens import chat_image, post_image
from matcher.screenshots import Token, blocks, cells_of, column_edges, group_rows, table_text
from tests.conftest import database_contents, run_cli

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Debian tesseract-ocr not installed (.ci/run)")

CORPUS = 1_500  # people(0, CORPUS) are the shop's customers; people(50_000, …) are not


def _sale_post(ps: list[Person], strangers: list[Person]) -> bytes:
    told = ps[0]  # one record written into the pitch: free text must still read it
    # name and e-mail only: the Korean model garbles some e-mails, and only a column of
    # e-mails says which cells to read again with the Latin one
    table = [["고객명", "이메일", "가입일"]] + [[p.name, p.email, f"2024-0{k % 9 + 1}-1{k}"]
                                         for k, p in enumerate(ps[1:4] + strangers[:1] + ps[4:])]
    return post_image([
        "[판매] 쿠팡 고객 DB 33,700,000건 최신 2025년 11월 추출본 샘플 공개합니다",
        "전체 데이터는 이름, 연락처, 이메일, 주소, 주문내역까지 모두 포함되어 있고 중복 제거 완료",
        f"확인용 샘플 고객 {told.name} {told.phone} 으로 직접 연락해서 검증해 보셔도 됩니다",
        table,
        "가격은 건당 협의, 대량 구매 할인 가능합니다. 문의는 아래 텔레그램으로만 받습니다",
        "텔레그램 @coupang_db_seller 문의 / 선입금 후 전송, 샘플 외 추가 제공 없음",
    ])


def _two_tables(a: list[Person], b: list[Person], strangers: list[Person]) -> bytes:
    return post_image([
        "쿠팡 VIP 회원 명단 일부 (1차 샘플) 아래 표는 실제 주문 고객 데이터에서 발췌했습니다",
        [["번호", "이름", "휴대폰"]] + [[str(i), p.name, p.phone]
                                    for i, p in enumerate(a + strangers[:1], 1)],
        "두번째 표는 이메일 주소가 확인된 배송 고객 목록이며 열 순서가 다릅니다 (전화번호 없음)",
        [["이메일", "고객명", "등급", "적립금"]] + [[p.email, p.name, "골드", f"{k * 1370:,}"]
                                               for k, p in enumerate(strangers[1:2] + b)],
        "문의 텔레그램 @vip_list_shop 가격 협의 가능, 에스크로 거래만 합니다",
    ])


def _chat(ps: list[Person], strangers: list[Person]) -> bytes:
    times = ["오후 3:12", "오후 3:12", "오후 3:13", "오후 3:15", "오후 3:15", "오후 3:16"]
    lines = [f"{p.name} {p.phone} {p.email}" for p in ps[:2] + strangers[:1] + ps[2:]]
    return chat_image("DB 거래방 (3)", list(zip(lines, times, strict=False)),
                      "메시지를 입력하세요")


def _line(y: int, words: Sequence[tuple[int, str]]) -> list[Token]:
    """Word boxes as Tesseract gives them: 12 px a character, 20 px high."""
    return [Token(w, x, y, x + 12 * len(w), y + 20) for x, w in words]


def _prose(y: int, text: str) -> list[Token]:
    """A line of prose: Tesseract's boxes leave 20-30 px between words, a column's gap."""
    x, words = 10, []
    for k, w in enumerate(text.split()):
        words.append((x, w))
        x += 12 * len(w) + 20 + 10 * (k % 2)
    return _line(y, words)


def test_table_bands_found_among_prose() -> None:
    """Column gaps are gaps in the rows of their own table only: the title, the pitch and
    the footer stay lines of text; each table gets the edges of its own columns."""
    table_a = [[(10, "고객명"), (90, "연락처"), (260, "이메일")],
               [(10, "송우서"), (90, "010-2275-5943"), (260, "songwooseo73200@gmail.com")],
               [(10, "장경민"), (90, "010-4421-1867"), (260, "kyungmin201@naver.com")],
               [(10, "조규유"), (90, "010-6566-7791")],  # no e-mail: an empty cell
               [(10, "김우선"), (90, "010-8712-3715"), (260, "kim.woosun203@naver.com")]]
    table_b = [[(10, "이메일"), (330, "고객명"), (410, "등급"), (470, "적립금")],
               [(10, "se050002@hanmail.net"), (330, "정서"), (410, "골드"), (470, "0")],
               [(10, "hohyuk212@naver.com"), (330, "김호혁"), (410, "골드"), (470, "1,370")],
               [(10, "cho.sungsook213@gmail.com"), (330, "조성숙"), (410, "실버"), (470, "2")]]
    lines = [_prose(0, "[판매] 쿠팡 고객 DB 33,700,000건 최신 추출본 샘플 공개합니다 연락 바람"),
             _prose(30, "전체 데이터는 이름 연락처 이메일 주소 주문내역까지 모두 포함 중복 제거")]
    lines += [_line(60 + 30 * k, r) for k, r in enumerate(table_a)]
    lines += [_prose(210, "두번째 표는 이메일 주소가 확인된 배송 고객 목록이며 열 순서가 다릅니다")]
    lines += [_line(240 + 30 * k, r) for k, r in enumerate(table_b)]
    lines += [_prose(360, "텔레그램 @coupang_db_seller 문의 선입금 후 전송 샘플 외 추가 제공 없음")]
    rows = group_rows([t for ln in lines for t in ln])
    got = [(len(b), len(e)) for b, e in blocks(rows)]
    assert got == [(2, 0), (5, 2), (1, 0), (4, 3), (1, 0)]
    # the whole image as one table (the old way) has no column left
    assert column_edges(rows) == []
    text = "".join(table_text(cells_of(b, e)) for b, e in blocks(rows)).splitlines()
    assert text[2:4] == ["고객명\t연락처\t이메일",
                         "송우서\t010-2275-5943\tsongwooseo73200@gmail.com"]
    assert text[5] == "조규유\t010-6566-7791"
    assert text[8] == "이메일\t고객명\t등급\t적립금"
    assert text[-1].startswith("텔레그램 @coupang_db_seller 문의 선입금")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One corpus, one ``scan --ocr`` over the three screenshots (Tesseract is slow)."""
    tmp = tmp_path_factory.mktemp("layouts")
    corpus = tmp / "corpus.csv"
    write_corpus_csv(corpus, CORPUS)
    home = tmp / "home"
    added = run_cli("--home", str(home), "corpus", "add", "shop", str(corpus))
    assert added.returncode == 0, added.stderr
    corpus.unlink()  # from here on, any plaintext under tmp came from the scan
    customers = people(200, 20)
    strangers = people(50_000, 4)
    groups = {"post.png": customers[0:8], "tables-a": customers[8:12],
              "tables-b": customers[12:15], "chat.png": customers[15:20]}
    docs = tmp / "docs"
    docs.mkdir()
    (docs / "post.png").write_bytes(_sale_post(groups["post.png"], strangers))
    (docs / "tables.png").write_bytes(_two_tables(groups["tables-a"], groups["tables-b"],
                                                  strangers[1:3]))
    (docs / "chat.png").write_bytes(_chat(groups["chat.png"], strangers[3:]))
    proc = run_cli("--home", str(home), "scan", "--ocr", "--format", "jsonl", str(docs))
    assert proc.returncode == 0, proc.stderr
    found: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        found.setdefault(Path(row["document"]).name, set()).add(row["record_id"])
    return {"found": found, "groups": groups, "strangers": strangers, "home": home,
            "printed": proc.stdout + proc.stderr + added.stderr}


@needs_tesseract
def test_sale_post_title_pitch_table_footer(scanned: dict) -> None:
    """The table between prose keeps its columns; the record in the pitch is read too."""
    want = {p.id for p in scanned["groups"]["post.png"]}
    assert scanned["found"].get("post.png", set()) == want


@needs_tesseract
def test_two_tables_each_with_its_own_columns(scanned: dict) -> None:
    want = {p.id for p in scanned["groups"]["tables-a"] + scanned["groups"]["tables-b"]}
    assert scanned["found"].get("tables.png", set()) == want


@needs_tesseract
def test_chat_screen_one_record_per_bubble(scanned: dict) -> None:
    want = {p.id for p in scanned["groups"]["chat.png"]}
    assert scanned["found"].get("chat.png", set()) == want


@needs_tesseract
def test_no_plaintext_of_the_records_anywhere(scanned: dict) -> None:
    home: Path = scanned["home"]
    shown = [p for g in scanned["groups"].values() for p in g] + scanned["strangers"]
    needles = sorted({s.encode() for p in shown
                      for s in (p.name, p.phone, p.phone.replace("-", ""), p.email)})
    files = [f for f in home.rglob("*") if f.is_file()]
    assert files
    stored = database_contents(home)
    for needle in needles:
        assert needle not in scanned["printed"].encode(), needle.decode()
        assert needle not in stored, needle.decode()
        for f in files:
            assert needle not in f.read_bytes(), (f, needle.decode())
