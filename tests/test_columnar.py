"""The columnar path gives exactly the feature vectors of fields.parse_row + hash_row.

If fields.py changes (a new feature, a new normalisation rule) and the vectorised rules of
matcher/columnar.py do not follow, these tests fail on the row that drifted.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from dumpwatch.errors import IndexError_
from dumpwatch.synth import people
from matcher.columnar import ColumnHasher, read_chunk
from matcher.corpus_reader import Layout
from matcher.fields import FEATURES, hash_row, parse_row
from matcher.index import FORMAT_VERSION, Corpus
from matcher.ingest import add_corpus
from matcher.keys import FeatureHasher, SecretKey

# Every row is (id, name, phone, email, address, order): the forms a shop export, a
# spreadsheet round-trip, a CP949 file decoded, a masked re-post and OCR'd text produce.
ROWS = [
    ("C1", "김민준", "010-1234-5678", "minjun.kim@naver.com", "서울특별시 강남구 테헤란로 152",
     "에어팟 프로 2세대"),
    ("C2", "이서연", "01098765432",
     "SeoYeon.Lee@Gmail.COM", "경기도 성남시 분당구 판교역로 235, 101동 1203호",
     "곰곰 무항생제 특란 30구 (2025-11-02)"),
    ("C3", "박*준", "010-****-5678", "ab****@naver.com", "서울 강남구 역삼동 736-1", ""),
    ("C4", "최지우 고객님", "+82 10-2222-3333",
     "choi@hanmail.net", "부산광역시 해운대구 센텀중앙로 97 (우동, 센텀파크)", ""),
    ("C5", "정하늘", "010.4444.5555",
     "jung_h@daum.net", "대구 수성구 범어동 산 12-3 래미안아파트 102동 501호", ""),
    ("C6", "강 민", "(010)6666-7777", "kang xxx@nate.com", "", ""),
    ("C7", "윤서준(서울 마포구)", "010 1111 2222", "yoon@naver.corn", "", ""),
    ("C8", "Minjun Kim", "02-345-6789",
     "kimminjun@gmail.com", "제주특별자치도 제주시 연동 312-1", ""),
    ("C9", "한지민", '="01033334444"', "'han@kakao.com", "'서울 종로구 세종대로 175", ""),
    ("C10", "오세훈", "1012345678",
     "ｏｈ＠ｎａｖｅｒ．ｃｏｍ", "인천광역시 연수구 컨벤시아대로 165", "아이폰 16 2025.10.3"),
    ("C11", "임", "010-12**-5678", "lim(at)naver(dot)com", "강남구", ""),
    ("C12", "서지훈", "０１０－５５５５－６６６６", "seo.jihun@korea.kr",
     "세종특별자치시 한누리대로 2130", ""),
    ("C13", "", "", "", "", ""),
    ("C14", "●민준", "010-5678-****", "", "서울특별시 서초구 반포대로 58, 3층", ""),
    ("C15", "신유나", "010-999-8888", "shin.rn@hanrnail.net",
     "경남 창원시 의창구 중앙대로 151", ""),
    ("C16", "배수지 / 해운대구", "", "", "", "삼다수 2L 6개"),
    ("C17", "남궁민", "01O-1234-5678", "nam@NAVER.COM", "광주광역시 북구 용봉로 77 전남대학교", ""),
    ("C18", "문채원", "010-1234-56789", "moon@", "서울 중구 세종대로 110 (태평로1가)", ""),
]


@pytest.fixture(scope="module")
def hasher() -> FeatureHasher:
    return FeatureHasher(SecretKey(b"\x07" * 32))


def _layout(width: int, roles: list[str]) -> Layout:
    return Layout("delimited", "utf-8", ",", dict(enumerate(roles)), {}, width, True)


def _csv(rows: list[tuple[str, ...]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


def _by_rows(rows: list[dict[str, str]], h: FeatureHasher) -> tuple[np.ndarray, list[bool]]:
    parsed = [parse_row(r) for r in rows]
    return (np.array([hash_row(p, h) for p in parsed], dtype=np.uint64),
            [p.identifying for p in parsed])


def _compare(rows: list[tuple[str, ...]], roles: list[str], h: FeatureHasher) -> None:
    chunk = read_chunk(_csv(rows), _layout(len(roles), roles))
    assert chunk is not None
    feats, nlen, ident, stats = ColumnHasher(h).features(chunk.cols, chunk.rows)
    dicts = [{r: v.strip() for r, v in zip(roles, row, strict=True) if v.strip()} for row in rows]
    want, want_ident = _by_rows(dicts, h)
    for i, row in enumerate(rows):
        diff = [FEATURES[k] for k in np.flatnonzero(feats[i] != want[i])]
        assert not diff, f"row {row[0]}: features {diff} differ from fields.py"
    assert list(ident) == want_ident
    assert list(nlen) == [len(p.name.parts) if (p := parse_row(d)).name else 0 for d in dicts]
    assert stats.vectorised + stats.distinct + stats.fallback == stats.values


def test_varied_rows_give_the_per_row_vectors(hasher: FeatureHasher) -> None:
    _compare(ROWS, ["id", "name", "phone", "email", "address", "order"], hasher)


def test_synthetic_corpus_rows_give_the_per_row_vectors(hasher: FeatureHasher) -> None:
    rows = [(p.id, p.name, p.phone, p.email, p.address, p.order) for p in people(0, 3000)]
    rows += [(p.id + "L", p.name, p.phone, p.email, p.lot_address, p.order_date)
             for p in people(5000, 500)]
    _compare(rows, ["id", "name", "phone", "email", "address", "order"], hasher)


def test_split_names_and_order_dates(hasher: FeatureHasher) -> None:
    rows = [("C1", "김", "민준", "010-1234-5678", "에어팟", "2025-11-02"),
            ("C2", "Kim", "Minjun", "", "에어팟", "45993"),
            ("C3", "이", "이서연", "", "", "2025.11.2"),
            ("C4", "", "박지민", "010-2222-3333", "", "")]
    _compare(rows, ["id", "surname", "given", "phone", "order", "order_date"], hasher)
    rows = [(r[0], r[4], r[5]) for r in rows] + [("C5", "", "25/11/02")]
    _compare(rows, ["id", "order", "order_date"], hasher)


def test_plain_values_are_vectorised_and_the_rest_counted(hasher: FeatureHasher) -> None:
    rows = [(p.id, p.name, p.phone, p.email, p.address) for p in people(0, 100)]
    rows.append(("X", "김*준", "010-****-5678", "kim***@naver.com", "서울 강남구 역삼동 736-1"))
    chunk = read_chunk(_csv(rows), _layout(5, ["id", "name", "phone", "email", "address"]))
    assert chunk is not None
    stats = ColumnHasher(hasher).features(chunk.cols, chunk.rows)[3]
    # plain names, phones, e-mails and road addresses by kernels; the masked name and the
    # lot-form address once per distinct value; the masked phone and e-mail one by one
    assert (stats.vectorised, stats.distinct, stats.fallback) == (400, 2, 2)


@pytest.mark.parametrize("data", [
    b'C1,"a\nb",010-1234-5678\n',  # a quoted field over two lines
    b"C1,x\n",  # a row with too few fields
    b"C1,\xb1\xe8,010-1234-5678\n",  # CP949 bytes
    b"C1,x,y\rC2,x,y\n",  # a lone CR
])
def test_chunks_that_do_not_map_onto_lines_go_to_the_line_reader(data: bytes) -> None:
    assert read_chunk(data, _layout(3, ["id", "name", "phone"])) is None


def test_blank_lines_are_marked_and_crlf_lines_read() -> None:
    chunk = read_chunk(b"C1,x,y\r\n\r\n,,\r\nC2, z ,w\r\n", _layout(3, ["id", "name", "phone"]))
    assert chunk is not None
    assert list(chunk.blank) == [False, True, False, False]
    assert chunk.cols["name"].to_pylist() == ["x", "", "", "z"]


def _segment_files(home: Path) -> dict[str, bytes]:
    seg = next(p for p in (home / "corpora" / "shop").iterdir() if p.name.startswith("seg-"))
    return {p.name: p.read_bytes() for p in sorted(seg.iterdir()) if p.is_file()}


def test_columnar_ingest_writes_the_index_of_the_line_reader(
        tmp_path: Path, key: SecretKey, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same records, same rejected lines and the same index bytes, chunk borders anywhere."""
    rows = [(p.id, p.name, p.phone, p.email, p.address, p.order) for p in people(0, 400)]
    body = _csv(rows[:150] + ROWS + rows[150:]).split(b"\n")
    body[10] = b"C9,only,two"  # wrong field count
    body[30] = "C000000030,김민준,010-1234-5678".encode() + b"\xff\xfe,x,y,z"  # not UTF-8
    body[50] = b",,,,,"  # no id
    body[70] = b""  # a blank line: skipped, not an error
    body[90] = 'C000000090,"김\n민준",010-1111-2222,a@b.com,,'.encode()  # quoted line break
    body[110] = body[110] + b"\r"  # one CRLF line
    header = ",".join(["customer_id", "이름", "휴대폰", "이메일", "배송지", "최근주문"]).encode()
    (tmp_path / "c.csv").write_bytes(header + b"\n" + b"\n".join(body))
    monkeypatch.setattr("matcher.ingest.CHUNK_BYTES", 4096)  # many chunks, borders anywhere
    a = add_corpus(tmp_path / "h1", "shop", tmp_path / "c.csv", key, workers=1, columnar=False)
    b = add_corpus(tmp_path / "h2", "shop", tmp_path / "c.csv", key, workers=1)
    assert b.records == a.records > 400
    assert b.examples == a.examples
    assert [line for line, _ in b.examples][:3] == [12, 32, 52]
    assert b.settled.fallback < 0.1 * b.settled.values  # most values took the fast path
    assert _segment_files(tmp_path / "h2") == _segment_files(tmp_path / "h1")


@pytest.mark.parametrize("old", [3, 4])
def test_an_index_of_a_previous_format_is_refused_with_how_to_rebuild(
        tmp_path: Path, key: SecretKey, old: int) -> None:
    """Format 4 derived the phone digest from its blocks (a format-3 index holds other
    digests); format 5 stores many-record keys as ordinal lists and no id hashes (a
    format-4 segment has files format 5 does not read). Either must be rebuilt, never read."""
    (tmp_path / "c.csv").write_bytes(_csv([("customer_id", "이름", "휴대폰")] +
                                          [(p.id, p.name, p.phone) for p in people(0, 20)]))
    add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)
    manifest = tmp_path / "home" / "corpora" / "shop" / "manifest.json"
    data = json.loads(manifest.read_text())
    assert data["version"] == FORMAT_VERSION == 5
    manifest.write_text(json.dumps({**data, "version": old}))
    with pytest.raises(IndexError_, match=rf"index format {old}, this dumpwatch reads format 5: "
                                          r"remove it .* and add its files again"):
        Corpus(tmp_path / "home", "shop", key)
    with pytest.raises(IndexError_, match=f"index format {old}"):
        add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)


def test_trimmed_characters_are_exactly_those_str_strip_removes() -> None:
    from matcher.normalize.text import PY_WHITESPACE

    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == PY_WHITESPACE


def test_block_and_syllable_tables_are_what_hash_row_gives(hasher: FeatureHasher) -> None:
    """The tables are built in one batch of digests, not by hash_row per entry: every entry
    must still be hash_row's, so a change to fields.py cannot leave them behind."""
    from matcher.columnar import _SYLLABLES
    from matcher.fields import MAX_NAME_PARTS, F, ParsedRow
    from matcher.normalize import Name, Phone

    ch = ColumnHasher(hasher)
    pm, pl, pm3 = ch._block_tables()
    for b in range(10_000):
        v = hash_row(ParsedRow(phone=Phone(None, f"{b:04d}", f"{b:04d}")), hasher)
        assert pm[b].tolist() == [v[F["PM"]], v[F["Q0"]], v[F["Q1"]]], b
        assert pl[b].tolist() == [v[F["PL"]], v[F["Q2"]], v[F["Q3"]]], b
    for b in range(1_000):
        v = hash_row(ParsedRow(phone=Phone(None, f"{b:03d}", "0000")), hasher)
        assert int(pm3[b]) == v[F["PM"]], b
    tbl = ch._syllable_tables()
    cols = [F[f"N{i}"] for i in range(MAX_NAME_PARTS)] + [F["NL"]]
    for k in range(_SYLLABLES):
        v = hash_row(ParsedRow(name=Name((chr(0xAC00 + k),) * MAX_NAME_PARTS)), hasher)
        assert tbl[k].tolist() == [v[c] for c in cols], chr(0xAC00 + k)
