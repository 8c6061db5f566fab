"""Leaks as they really arrive (issue 8): worked examples against a small literal corpus.

Three customers are written into a corpus of synthetic filler (for realistic
frequencies); documents show them in pieces, in lot-number form, in two or three
columns, in shuffled lines, through OCR, masked in every style and as Excel wrote them.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dumpwatch.synth import CORPUS_HEADER, write_corpus_csv
from matcher.address_table import load_address_table
from matcher.fields import parse_row
from matcher.ingest import add_corpus
from matcher.keys import SecretKey
from matcher.normalize import parse_address, parse_email, parse_phone
from matcher.normalize.ocr import repair_email, repair_phone
from matcher.normalize.order import parse_date, parse_order
from matcher.scan import Scanner, decide
from matcher.scoring import ScoringConfig
from tests.conftest import run_cli

CUSTOMERS = [
    ["C-KIM", "김민준", "010-2345-6789", "minjun.kim77@naver.com",
     "서울특별시 강남구 테헤란로 152, 101동 1203호", "에어팟 프로 2세대", "2025-11-02"],
    ["C-NAM", "남궁별", "010-3141-5926", "byul.namgung@daum.net",
     "경기도 성남시 분당구 판교역로 235", "다이슨 V15 무선청소기", "2025-10-15"],
    ["C-PARK", "박서연", "010-8765-4321", "seoyeon.park@gmail.com",
     "부산광역시 해운대구 센텀중앙로 97, 203동 1502호", "햇반 210g 24개", "2025-09-30"],
]
TABLE = """시도명,시군구명,법정읍면동명,지번본번,지번부번,도로명,건물본번,건물부번,우편번호
서울특별시,강남구,역삼동,736,1,테헤란로,152,0,06236
경기도,성남시 분당구,삼평동,681,,판교역로,235,,13487
부산광역시,해운대구,우동,1408,0,센텀중앙로,97,0,48059
서울특별시,강남구,역삼동,abc,,테헤란로,999,,06236
서울특별시,강남구
"""


def _corpus(path: Path) -> Path:
    write_corpus_csv(path, 3_000, order_dates=True)
    with open(path, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(CUSTOMERS)
    return path


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory, key: SecretKey) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("shapes")
    corpus = _corpus(work / "corpus.csv")
    (work / "table.csv").write_text(TABLE, encoding="utf-8")
    add_corpus(work / "plain", "shop", corpus, key, workers=1)
    add_corpus(work / "tabled", "shop", corpus, key, workers=1,
               address_table=work / "table.csv")
    return {"plain": work / "plain", "tabled": work / "tabled"}


def found(home: Path, key: SecretKey, text: str, **cfg: int) -> dict[str, list[str]]:
    """record id -> fields that agreed, for what a scan of ``text`` reports."""
    scanner = Scanner(home, key, config=ScoringConfig(**cfg))
    result = scanner.scan_text(text, "doc.txt").results["shop"]
    return {m.record_id: m.fields for m in decide(result, scanner.config)[2]}


# ---------------------------------------------------------------- names in pieces


@pytest.mark.parametrize("header", ["성,이름,연락처", "성씨,이름,휴대폰",
                                    "last_name,first_name,phone", "family,given,tel", None])
def test_surname_and_given_name_columns(homes: dict, key: SecretKey, header: str | None
                                        ) -> None:
    rows = "김,민준,010-****-6789\n남궁,별,010-****-5926\n박,서연,010-****-4321\n"
    text = (header + "\n" if header else "") + rows
    hits = found(homes["plain"], key, text)
    assert set(hits) == {"C-KIM", "C-NAM", "C-PARK"}, hits
    assert all("name" in f for f in hits.values())


def test_name_written_with_a_space(homes: dict, key: SecretKey) -> None:
    hits = found(homes["plain"], key, "김 민준 010-****-6789\n박 서연 010-****-4321\n")
    assert set(hits) == {"C-KIM", "C-PARK"} and hits["C-KIM"] == ["name", "phone"]


# ---------------------------------------------------------------- two address forms


def test_lot_and_road_forms_parse_to_shared_levels() -> None:
    road = parse_address("서울특별시 강남구 테헤란로 152, 101동 1203호")
    lot = parse_address("서울 강남구 역삼동 736-1번지 래미안아파트 101동 1203호")
    assert road and lot and road.unit == lot.unit == "강남구|101동1203호"
    assert (lot.lot, lot.dong, lot.complex, lot.road) == ("역삼동 736-1", "역삼동", "래미안", None)
    assert parse_address("강남구 역삼동 736번지 1호").lot == "역삼동 736-1"  # type: ignore[union-attr]


def test_lot_address_never_counts_as_disagreement(homes: dict, key: SecretKey) -> None:
    text = ("이름,연락처,주소\n"
            "김민준,010-****-6789,서울 강남구 역삼동 736-1 래미안아파트 101동 1203호\n"
            "박서연,010-****-4321,부산 해운대구 우동 1408 203동 1502호\n")
    hits = found(homes["plain"], key, text)
    assert hits == {"C-KIM": ["name", "phone", "address"],
                    "C-PARK": ["name", "phone", "address"]}


def test_lot_address_alone_needs_the_address_table(homes: dict, key: SecretKey) -> None:
    text = ("이름,지번주소\n김민준,서울특별시 강남구 역삼동 736-1\n"
            "남궁별,경기 성남시 분당구 삼평동 681\n")
    assert found(homes["plain"], key, text) == {}  # only the district is shared: no proof
    hits = found(homes["tabled"], key, text)
    assert hits == {"C-KIM": ["name", "address"], "C-NAM": ["name", "address"]}


def test_address_table_reports_bad_rows_by_line(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(TABLE, encoding="utf-8")
    table = load_address_table(tmp_path / "t.csv")
    assert table.rows == 3 and table.rejected == 2
    assert [line for line, _ in table.errors] == [5, 6]
    assert table.road_to_lot[("분당구", "판교역로 235")] == "삼평동 681"


def test_address_table_in_cp949_with_english_headers(tmp_path: Path) -> None:
    text = "sido,sigungu,dong,lot_main,lot_sub,road,bldg_main,bldg_sub\n" \
           "부산광역시,해운대구,우동,1408,,센텀중앙로,97,\n"
    (tmp_path / "t.csv").write_bytes(text.encode("cp949"))
    assert load_address_table(tmp_path / "t.csv").lot_to_road == {
        ("해운대구", "우동 1408"): "센텀중앙로 97"}


def test_cli_address_table_option(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.csv")
    (tmp_path / "t.csv").write_text(TABLE, encoding="utf-8")
    added = run_cli("--home", str(tmp_path / "home"), "corpus", "add", "shop", str(corpus),
                    "--address-table", str(tmp_path / "t.csv"))
    assert added.returncode == 0, added.stderr
    assert "3 buildings, 2 bad rows" in added.stderr and "line 5:" in added.stderr
    missing = run_cli("--home", str(tmp_path / "home2"), "corpus", "add", "shop", str(corpus),
                      "--address-table", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "address table" in missing.stderr


# ---------------------------------------------------------------- partial columns


@pytest.mark.parametrize("text", [
    "연락처,주소\n010-2345-6789,서울 강남구 테헤란로 152\n010-3141-5926,분당구 판교역로 235\n",
    "email|name\nminjun.kim77@naver.com|김민준\nbyul.namgung@daum.net|남궁별\n",
    "이름,주문상품,주문일자\n김민준,에어팟 프로 2세대,2025.11.2\n"
    "남궁별,다이슨 V15 무선청소기,2025-10-15\n",
    "고객명,최근주문\n김민준,에어팟 프로 2세대 (2025-11-02)\n"
    "남궁별,다이슨 V15 무선청소기 (2025-10-15)\n",
    "받는분: 김*준\n연락처: 010-****-6789\n주소: 서울 강남구 테헤란로 152 101동 1203호\n\n"
    "받는분: 남*별\n연락처: 010-****-5926\n주소: 경기 성남시 분당구 판교역로 235\n",
])
def test_partial_rows_match_when_identifying(homes: dict, key: SecretKey, text: str) -> None:
    assert set(found(homes["plain"], key, text)) == {"C-KIM", "C-NAM"}


def test_name_and_item_without_date_is_unattributable(homes: dict, key: SecretKey) -> None:
    text = "이름,주문상품\n김민준,에어팟 프로 2세대\n남궁별,다이슨 V15 무선청소기\n"
    assert found(homes["plain"], key, text) == {}


def test_order_dates_in_every_form() -> None:
    assert {parse_date(v) for v in ("2025-11-02", "2025.11.2", "25/11/02", "2025년 11월 2일",
                                    "20251102", "45963")} == {"2025-11-02"}
    assert parse_order("에어팟 프로 2세대 [2025-11-02 14:22]") == parse_order(
        "에어팟 프로 2세대", "45963")


# ---------------------------------------------------------------- unlabelled, reordered


def test_unlabelled_lines_in_any_order(homes: dict, key: SecretKey) -> None:
    text = ("에어팟 프로 2세대 010-2345-6789 김민준 서울 강남구 테헤란로 152 101동 1203호\n"
            "경기도 성남시 분당구 판교역로 235\t남궁별\t다이슨 V15\t010-3141-5926\n"
            "박서연 서울 마포구 월드컵로 12 010-8765-4321 햇반\n")
    hits = found(homes["plain"], key, text)
    assert set(hits) == {"C-KIM", "C-NAM", "C-PARK"}
    assert "address" in hits["C-KIM"] and "address" in hits["C-NAM"]


def test_tab_table_with_fields_moving_between_columns(homes: dict, key: SecretKey) -> None:
    text = ("김민준\t010-2345-6789\tminjun.kim77@naver.com\n"
            "byul.namgung@daum.net\t남궁별\t010-3141-5926\n"
            "010-8765-4321\tseoyeon.park@gmail.com\t박서연\n")
    hits = found(homes["plain"], key, text)
    assert all(f == ["name", "phone", "email"] for f in hits.values()) and len(hits) == 3


# ---------------------------------------------------------------- OCR


def test_ocr_repairs_only_where_strict_parse_fails() -> None:
    assert parse_phone("O1O-l234-5678") is None
    phone = repair_phone("O1O-l234-5678")
    assert phone is not None and phone.e164 == "+821012345678" and phone.ocr
    assert repair_phone("010 12 34 56 78").e164 == "+821012345678"  # type: ignore[union-attr]
    assert parse_email("minjun.kim77 @ naver,com") is None
    email = repair_email("minjun.kim77 @ naver,com")
    assert email is not None and email.full == "minjun.kim77@naver.com" and email.ocr
    assert repair_email("kim@hanrnail,net").domain == "hanmail.net"  # type: ignore[union-attr]
    assert parse_row({"phone": "010-1234-5678"}).phone.ocr is False  # type: ignore[union-attr]


def test_ocr_lines_match_and_weigh_less(homes: dict, key: SecretKey) -> None:
    clean = "김민준  010-2345-6789\n박서연  010-8765-4321\n"
    ocr = "김민준  O1O-2345-67B9\n박서연  0l0 8765 43 2l\n"
    scanner = Scanner(homes["plain"], key)

    def odds(text: str) -> dict[str, float]:
        res = scanner.scan_text(text, "d").results["shop"]
        return {m.record_id: m.odds for m in res.matches}

    a, b = odds(clean), odds(ocr)
    assert set(a) == set(b) == {"C-KIM", "C-PARK"}
    assert all(b[r] < a[r] for r in a)
    hits = found(homes["plain"], key, "성명 이메일\n김민준 minjun.kirn77@naver.corn\n"
                                      "박서연 seoyeon.park @ gmail,com\n")
    assert set(hits) == {"C-KIM", "C-PARK"}


# ---------------------------------------------------------------- masks


@pytest.mark.parametrize("line_kim, line_park", [
    ("김○준 010-****-6789", "박●연 010-****-4321"),
    ("○민준 010-****-6789", "X서연 010-****-4321"),
    ("김민준 010-23**-**89", "박서연 010-87**-**21"),
    ("김민준 010-2345-****", "박서연 010-8765-****"),
    ("김*준 010-****-6789 강남구", "박*연 010-****-4321 해운대구"),
    ("김*준 010-****-6789 mi****@naver.com", "박*연 010-****-4321 se****@gmail.com"),
])
def test_every_masking_style(homes: dict, key: SecretKey, line_kim: str, line_park: str
                             ) -> None:
    assert set(found(homes["plain"], key, f"{line_kim}\n{line_park}\n")) == {"C-KIM", "C-PARK"}


def test_masked_phone_halves_compare_digit_evidence() -> None:
    phone = parse_phone("010-12**-**78")
    assert phone is not None and phone.quarters == ("12", None, None, "78")
    assert phone.visible_digits == 4 and phone.e164 is None


# ---------------------------------------------------------------- Excel's CSV


def test_excel_cell_forms(homes: dict, key: SecretKey) -> None:
    text = ('\ufeff이름,휴대폰,주문일,상품명\n'
            '김민준,="010-2345-6789",45963,에어팟 프로 2세대\n'
            "남궁별,'01031415926,45945,다이슨 V15 무선청소기\n"
            "박서연,1087654321,45930,햇반 210g 24개\n")
    hits = found(homes["plain"], key, text)
    assert set(hits) == {"C-KIM", "C-NAM", "C-PARK"}
    assert all("order" in f for f in hits.values())


# ---------------------------------------------------------------- precision


def test_no_findings_in_chatter_full_of_010_numbers(homes: dict, key: SecretKey) -> None:
    import random

    rng = random.Random(3)
    lines = []
    for _ in range(300):
        lines.append(f"연락주세요 010-{rng.randrange(10000):04d}-{rng.randrange(10000):04d} "
                     f"김민준 강남구")
        lines.append(f"O1O-{rng.randrange(10000):04d}-{rng.randrange(10000):04d} 문의")
    assert found(homes["plain"], key, "\n".join(lines), assume_records=33_700_000) == {}


def test_old_index_format_is_refused(tmp_path: Path, key: SecretKey) -> None:
    import json

    corpus = tmp_path / "c.csv"
    write_corpus_csv(corpus, 50)
    add_corpus(tmp_path / "home", "old", corpus, key, workers=1)
    manifest = tmp_path / "home" / "corpora" / "old" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["version"] = 1
    manifest.write_text(json.dumps(data))
    scan = run_cli("--home", str(tmp_path / "home"), "scan", str(corpus))
    assert scan.returncode == 2 and "index format 1" in scan.stderr, scan.stderr
    assert CORPUS_HEADER[0] == "customer_id"


def test_no_plaintext_from_new_shapes_on_disk_or_screen(tmp_path: Path) -> None:
    """Canary for the lot form, the address table, orders and OCR (see test_canary.py)."""
    corpus = tmp_path / "corpus.csv"
    write_corpus_csv(corpus, 500, order_dates=True)
    with open(corpus, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([
            "CANARY-9", "캐나리", "010-9876-0123", "zq.canary@naver.com",
            "서울특별시 강남구 카나리아로 77, 101동 1001호", "카나리아 새모이", "2025-11-09"])
    (tmp_path / "t.csv").write_text(
        "시도명,시군구명,법정읍면동명,지번본번,지번부번,도로명,건물본번,건물부번\n"
        "서울특별시,강남구,카나리동,777,7,카나리아로,77,0\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lot.csv").write_text(
        "성,이름,지번주소,주문상품,주문일\n"
        "캐,나리,서울 강남구 카나리동 777-7,카나리아 새모이,45970\n", encoding="utf-8")
    (docs / "ocr.txt").write_text("캐나리  O1O-9876-Ol23  zq.canary @ naver,com\n",
                                  encoding="utf-8")
    home = tmp_path / "home"
    added = run_cli("--home", str(home), "corpus", "add", "shop", str(corpus),
                    "--address-table", str(tmp_path / "t.csv"))
    scan = run_cli("--home", str(home), "scan", "--format", "jsonl", str(docs))
    assert added.returncode == 0 and scan.returncode == 0, added.stderr + scan.stderr
    assert scan.stdout.count("CANARY-9") == 2, scan.stdout
    printed = (added.stdout + added.stderr + scan.stdout + scan.stderr).encode()
    needles = [t.encode() for t in ("캐나리", "나리", "카나리동", "카나리아로", "777-7",
                                    "카나리아 새모이", "zq.canary", "9876-0123", "2025-11-09")]
    for f in [p for p in home.rglob("*") if p.is_file()]:
        data = f.read_bytes()
        for needle in needles:
            assert needle not in data, (f, needle.decode())
    for needle in needles:
        assert needle not in printed, needle.decode()
