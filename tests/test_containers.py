"""Leak files as they arrive: workbooks, archives, nested and CP949 members, bombs, OCR.

Expansion is checked on its own (names, rendered cells, limits), then through the real
``dumpwatch scan`` command: each member is a document of the output, a bomb is one
line and the good files beside it are still found.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import time
from pathlib import Path
from unittest.mock import ANY

import pytest

from dumpwatch.errors import ArchiveError, ArchiveLimitError
from dumpwatch.synth import Person, people
from dumpwatch.testsites import files
from matcher.containers import Limits, expand_bytes, expand_path, render_cell
from tests.conftest import db_rows, run_cli


def expand(data: bytes, name: str, **kw) -> dict[str, str]:
    """name -> text, or "skipped: reason"."""
    out = {}
    for m in expand_bytes(data, name, **kw):
        out[m.name] = f"skipped: {m.skipped}" if m.skipped else m.read().decode("utf-8",
                                                                                 "replace")
    return out


def rows(ps: list[Person]) -> list[list[object]]:
    return [files.HEADER] + [[p.name, p.phone, p.email, p.address, dt.date(2024, 3, 1 + i % 28)]
                             for i, p in enumerate(ps)]


def csv_text(ps: list[Person]) -> str:
    return "이름,연락처,이메일\n" + "".join(f"{p.name},{p.phone},{p.email}\n" for p in ps)


# ------------------------------------------------------------------ expansion


def test_workbook_every_sheet_rendered_as_a_table() -> None:
    book = files.xlsx({
        "회원": [["이름", "연락처", "포인트", "가입일"],
                 ["김민준", "010-1234-5678", 1500.0, dt.datetime(2024, 3, 1)],
                 [None, None, None, None],
                 ["이서연", "010-2222-3333", 2.5, dt.datetime(2024, 3, 2, 14, 22)]],
        "빈 시트": [],
        "주문": [["주문번호", "상품"], [20240301, "생수 2L"]],
    })
    docs = expand(book, "dump.xlsx")
    assert list(docs) == ["dump.xlsx/회원", "dump.xlsx/주문"]
    assert docs["dump.xlsx/회원"] == (
        "이름\t연락처\t포인트\t가입일\n"
        "김민준\t010-1234-5678\t1500\t2024-03-01\n"
        "이서연\t010-2222-3333\t2.5\t2024-03-02 14:22:00\n")
    assert docs["dump.xlsx/주문"] == "주문번호\t상품\n20240301\t생수 2L\n"


def test_excel_97_workbook() -> None:
    import io

    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("고객")
    for c, v in enumerate(["이름", "연락처", "적립금", "가입일"]):
        ws.write(0, c, v)
    ws.write(1, 0, "김민준")
    ws.write(1, 1, "010-1234-5678")
    ws.write(1, 2, 1500.0)
    ws.write(1, 3, dt.date(2024, 3, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    buf = io.BytesIO()
    wb.save(buf)
    assert expand(buf.getvalue(), "old.xls") == {
        "old.xls/고객": "이름\t연락처\t적립금\t가입일\n김민준\t010-1234-5678\t1500\t2024-03-01\n"}


def test_opendocument_workbook_inside_a_zip() -> None:
    book = files.ods({"고객": [["이름", "연락처"], ["김민준", "010-1234-5678"]],
                      "메모": [["배송지 변경 요청"]]})
    assert expand(files.zip_of({"export.ods": book}), "x.zip") == {
        "x.zip/export.ods/고객": "이름\t연락처\n김민준\t010-1234-5678\n",
        "x.zip/export.ods/메모": "배송지 변경 요청\n"}


def test_render_cell_keeps_tables_intact() -> None:
    assert render_cell(1012345678.0) == "1012345678"
    assert render_cell("서울 강남구\n테헤란로\t152") == "서울 강남구 테헤란로 152"
    assert render_cell(dt.date(2025, 1, 2)) == "2025-01-02"
    assert render_cell(None) == ""


def test_zip_members_nested_archives_and_charsets() -> None:
    ps = people(10, 3)
    book = files.xlsx({"Sheet1": rows(ps)})
    inner = files.tar_gz_of({"export/고객_cp949.csv": csv_text(ps).encode("cp949"),
                             "export/README": "비번은 판매자에게 문의".encode("cp949")})
    outer = files.zip_of({
        "leak/book.xlsx": book,
        "leak/part2.tar.gz": inner,
        "leak/excel.csv": b"\xef\xbb\xbf" + csv_text(ps).encode("utf-8"),
        "leak/notes.bin": bytes(range(256)) * 40,
        "leak/shot.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
        "leak/more.7z": b"7z\xbc\xaf\x27\x1c" + bytes(32),
    })
    docs = expand(outer, "coupang.zip")
    assert list(docs) == [
        "coupang.zip/leak/book.xlsx/Sheet1",
        "coupang.zip/leak/part2.tar.gz/export/고객_cp949.csv",
        "coupang.zip/leak/part2.tar.gz/export/README",
        "coupang.zip/leak/excel.csv",
        "coupang.zip/leak/notes.bin",
        "coupang.zip/leak/shot.png",
        "coupang.zip/leak/more.7z",
    ]
    assert ps[0].phone in docs["coupang.zip/leak/book.xlsx/Sheet1"]
    # members are bytes in their own charset: the scanner decodes them like any file
    raw = next(m for m in expand_bytes(outer, "coupang.zip") if m.name.endswith("cp949.csv"))
    from matcher.decode import decode_bytes

    assert ps[1].name in decode_bytes(raw.read())
    assert docs["coupang.zip/leak/notes.bin"] == "skipped: binary content"
    assert docs["coupang.zip/leak/shot.png"] == "skipped: image (OCR is off: use --ocr)"
    assert docs["coupang.zip/leak/more.7z"] == "skipped: 7z archive not supported"


def test_gz_and_nesting_depth() -> None:
    assert expand(gzip.compress(b"a,b\n"), "x.csv.gz") == {"x.csv.gz/x.csv": "a,b\n"}
    deep = files.zip_of({"d.txt": b"deep"})
    for i in range(4):
        deep = files.zip_of({f"level{i}.zip": deep})
    docs = expand(deep, "n.zip")
    assert docs == {"n.zip/level3.zip/level2.zip/level1.zip":
                    "skipped: nested deeper than 3 archives"}
    assert "n.zip/level3.zip/level2.zip/level1.zip/level0.zip/d.txt" in expand(
        deep, "n.zip", limits=Limits(max_depth=5))


def test_ten_gigabyte_zip_is_refused_after_reading_little() -> None:
    bomb = files.zip_bomb(10 << 30)
    assert len(bomb) < 20 << 20
    t = time.perf_counter()
    with pytest.raises(ArchiveLimitError) as exc:
        for m in expand_bytes(bomb, "bomb.zip"):
            while m.stream and m.stream.read(1 << 20):
                pass
    assert time.perf_counter() - t < 5
    msg = str(exc.value)
    assert msg.startswith("bomb.zip: refused: decompression bomb")
    # the line says how much was read: a few MiB, not gigabytes
    produced = float(msg.split("expanded to ")[1].split(" MiB")[0])
    assert produced < 64, msg


def test_nested_bomb_ten_zips_of_a_gigabyte_is_refused() -> None:
    part = files.zip_bomb(1 << 30)
    outer = files.zip_of({f"part{i}.zip": part for i in range(10)})  # 10 GiB if all read
    seen = []
    with pytest.raises(ArchiveLimitError, match="decompression bomb") as exc:
        for m in expand_bytes(outer, "split.zip"):
            seen.append(m.name)
            while m.stream and m.stream.read(1 << 20):
                pass
    assert seen == ["split.zip/part0.zip/dump.csv"]  # stopped inside the first part
    assert float(str(exc.value).split("expanded to ")[1].split(" MiB")[0]) < 64


def test_bomb_inside_a_workbook_is_refused_before_the_reader_sees_it() -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"<c/>" * (50 << 20))  # 200 MiB
    with pytest.raises(ArchiveLimitError, match="decompression bomb"):
        list(expand_bytes(buf.getvalue(), "prices.xlsx"))


def test_total_size_and_member_count_limits() -> None:
    big = files.zip_of({"a.csv": b"0123456789\n" * 300_000})  # 3.3 MB of text
    with pytest.raises(ArchiveLimitError, match=r"expands past 1\.0 MiB"):
        for m in expand_bytes(big, "big.zip", limits=Limits(max_total_bytes=1 << 20)):
            m.read()
    many = files.zip_of({f"f{i}.txt": b"x" for i in range(30)})
    with pytest.raises(ArchiveLimitError, match="30 members"):
        list(expand_bytes(many, "many.zip", limits=Limits(max_members=20)))
    # a nested copy counts against the same budget as its parent
    nested = files.zip_of({f"n{i}.zip": many for i in range(3)})
    with pytest.raises(ArchiveLimitError, match="more than 50 members"):
        list(expand_bytes(nested, "nested.zip", limits=Limits(max_members=50)))


def test_corrupt_member_is_skipped_and_the_rest_read() -> None:
    text = "".join(f"{i},{i * 7919 % 10007}\n" for i in range(3000)).encode()
    good = files.zip_of({"a.csv": text, "b.csv": b"p,q\n"})
    broken = bytearray(good)
    i = broken.index(b"a.csv") + 5 + 2000  # inside a.csv's deflate data
    broken[i:i + 8] = b"\xff" * 8
    out = {}
    for m in expand_bytes(bytes(broken), "x.zip"):
        try:
            out[m.name] = m.skipped or m.read()
        except ArchiveLimitError:
            raise
        except ArchiveError as exc:
            out[m.name] = str(exc)
    assert out["x.zip/b.csv"] == b"p,q\n"
    assert "corrupt" in str(out["x.zip/a.csv"])


def test_sniffing_needs_real_magic_not_two_letters() -> None:
    import bz2

    from matcher.containers import sniff

    assert sniff("BMW 520d 팝니다 010-1234-5678\n".encode(), "post.txt") == "text"
    assert sniff(b"BZh, PKZ and GIF are words too\n", "post.txt") == "text"
    assert sniff(bz2.compress(b"x"), "a") == "bz2"
    assert sniff(b"7z\xbc\xaf\x27\x1c\x00\x04", "a.7z") == "unsupported:7z archive"


def test_truncated_gzip_is_one_skipped_document() -> None:
    data = gzip.compress(b"".join(b"%d,%d\n" % (i, i * 7) for i in range(50_000)))
    docs = expand(data[:12], "cut.csv.gz")
    assert list(docs) == ["cut.csv.gz"] and docs["cut.csv.gz"].startswith("skipped: corrupt")


def test_plain_file_is_its_own_document(tmp_path: Path) -> None:
    f = tmp_path / "post.txt"
    f.write_bytes("판매합니다 010-1234-5678".encode("cp949"))
    got = [(m.name, m.read()) for m in expand_path(f)]  # read each before the next
    assert got == [(str(f), f.read_bytes())]


# ------------------------------------------------------------------ dumpwatch scan


def test_scan_folder_with_bomb_workbooks_and_archives(built_home: Path, tmp_path: Path) -> None:
    a, b, c = people(500, 6), people(600, 5), people(700, 4)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bomb.zip").write_bytes(files.zip_bomb(10 << 30))
    (docs / "dump.zip").write_bytes(files.zip_of({
        "고객.xlsx": files.xlsx({"1월": rows(a), "2월": rows(b)})}))
    (docs / "more.tar.gz").write_bytes(files.tar_gz_of({
        "db/users.csv": csv_text(c).encode("cp949"), "db/README.txt": b"enjoy"}))
    (docs / "excel.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(people(800, 3)).encode())

    proc = run_cli("--home", str(built_home), "scan", "--format", "jsonl", "--summary", "-",
                   str(docs))
    assert proc.returncode == 0, proc.stderr
    found: dict[str, set[str]] = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        found.setdefault(row["document"], set()).add(row["record_id"])
    assert found == {
        f"{docs}/dump.zip/고객.xlsx/1월": {p.id for p in a},
        f"{docs}/dump.zip/고객.xlsx/2월": {p.id for p in b},
        f"{docs}/more.tar.gz/db/users.csv": {p.id for p in c},
        f"{docs}/excel.csv": {p.id for p in people(800, 3)},
    }
    summaries = [json.loads(s) for s in proc.stderr.splitlines() if s.startswith("{")]
    refused = [s for s in summaries if s["document"] == f"{docs}/bomb.zip"]
    assert len(refused) == 1 and refused[0]["skipped"].startswith(
        "refused: decompression bomb"), summaries
    assert any(s["document"] == f"{docs}/more.tar.gz/db/README.txt" for s in summaries)

    table = run_cli("--home", str(built_home), "scan", str(docs))
    assert table.returncode == 0, table.stderr
    assert "bomb.zip: skipped (refused: decompression bomb" in " ".join(table.stdout.split())


# ------------------------------------------------------------------ OCR


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None,
                                     reason="Debian tesseract-ocr not installed (.ci/run)")


@needs_tesseract
def test_ocr_leaves_no_file_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A screenshot of a leak is leaked data: it goes to Tesseract on stdin, never to disk."""
    import tempfile

    from matcher.containers import ocr_image

    # Temporary files would go to a folder that does not exist: creating one fails loudly
    # (root ignores permissions, so a read-only folder would prove nothing).
    nowhere = tmp_path / "no-such-dir"
    monkeypatch.setenv("TMPDIR", str(nowhere))
    monkeypatch.setattr(tempfile, "tempdir", str(nowhere))
    p = people(950, 1)[0]
    text = ocr_image(files.table_image([["연락처", "이메일"], [p.phone, p.email]]), Limits())
    assert p.phone in text
    assert not nowhere.exists()


@needs_tesseract
def test_ocr_screenshot_of_a_spreadsheet(built_home: Path, tmp_path: Path) -> None:
    ps = people(900, 8)
    shot = files.table_image([["이름", "연락처", "이메일"]] + [[p.name, p.phone, p.email]
                                                         for p in ps])
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "sample.png").write_bytes(shot)
    (docs / "pack.zip").write_bytes(files.zip_of({"shots/sample.png": shot}))

    off = run_cli("--home", str(built_home), "scan", "--format", "jsonl", "--summary", "-",
                  str(docs))
    assert off.returncode == 0 and not off.stdout, off.stderr
    assert "image (OCR is off: use --ocr)" in off.stderr

    on = run_cli("--home", str(built_home), "scan", "--ocr", "--format", "jsonl", str(docs))
    assert on.returncode == 0, on.stderr
    found: dict[str, set[str]] = {}
    for line in on.stdout.splitlines():
        row = json.loads(line)
        found.setdefault(row["document"], set()).add(row["record_id"])
    want = {p.id for p in ps}
    # Measured with Tesseract 5 + kor on NanumGothic 28px: see the report; at least most
    # records must come through without the OCR-aware normaliser.
    for doc in (f"{docs}/sample.png", f"{docs}/pack.zip/shots/sample.png"):
        assert len(found.get(doc, set()) & want) >= 6, (doc, found)
        assert found.get(doc, set()) <= want


def _tsv(words: list[tuple[str, int, int, int]], text: str) -> str:
    """Tesseract's ``tsv`` then ``txt`` output for words (text, left, top, width)."""
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t" \
           "height\tconf\ttext"
    rows = [f"5\t1\t1\t1\t1\t{i}\t{x}\t{y}\t{w}\t20\t90\t{t}"
            for i, (t, x, y, w) in enumerate(words, 1)]
    return "\n".join([head, *rows, text])


def test_table_rows_rebuilt_from_word_boxes() -> None:
    """Tesseract's text of a screenshot loses the table: 이한결 comes as two boxes (이, 한결),
    a grid line as 」 glued to a name, an empty cell as nothing. The boxes give it back."""
    from matcher.screenshots import (
        Token,
        cells_of,
        clean,
        column_edges,
        group_rows,
        split_at_edges,
        split_outputs,
        table_text,
        tokens_of,
    )

    words = [("#", 10, 10, 10), ("고객명", 50, 10, 60), ("HP", 130, 10, 25),
             ("받는주소", 330, 10, 70),
             ("1", 10, 40, 6), ("」이", 40, 40, 30), ("한결", 72, 40, 35),
             ("010-5398-3277", 130, 42, 150), ("경기도", 330, 40, 50), ("용인시", 388, 40, 50),
             ("4", 10, 70, 6), ("+82", 130, 72, 40), ("10-2629-0939", 176, 72, 130),
             ("강원", 330, 70, 35), ("춘천시", 372, 70, 50),
             ("5", 10, 100, 6), ("윤가식", 50, 100, 55), ("010", 130, 102, 36),
             ("8484", 172, 102, 46), ("4501", 224, 102, 46), ("경기", 330, 100, 35)]
    text = ("# 고객명 HP     받는주소\n1 」이한결 010-5398-3277    경기도 용인시\n"
            "4           +82 10-2629-0939 강원 춘천시\n5 윤가식 010 8484 4501       경기\n")
    tokens = tokens_of(_tsv(words, text))
    assert tokens is not None and [t.text for t in tokens][5:7] == ["」이한결", "010-5398-3277"]
    rows = group_rows([t for t in map(clean, tokens) if t is not None])
    grid = cells_of(rows, column_edges(rows))
    assert table_text(grid).splitlines() == [
        "#\t고객명\tHP\t받는주소",
        "1\t이한결\t010-5398-3277\t경기도 용인시",
        "4\t\t+82 10-2629-0939\t강원 춘천시",  # the empty name cell stays in its place
        "5\t윤가식\t010 8484 4501\t경기"]
    # a name and a phone Tesseract glued into one word across a column edge: cut apart
    glued = Token("서혜담.010-6051-6213", 48, 130, 270, 150)
    assert [t.text for t in split_at_edges(glued, column_edges(rows), 20)] == [
        "서혜담", "010-6051-6213"]
    # text and boxes that do not line up: no guessing, Tesseract's text is used as it is
    assert tokens_of(_tsv(words, "something else entirely")) is None
    assert split_outputs(_tsv(words, "something else\n")) == (ANY, "something else\n")


def test_misread_cells_are_chosen_by_their_column_script() -> None:
    """Which cells get a second Tesseract run: the column says which script is right."""
    from matcher.screenshots import Token, misread_cells

    def cell(text: str) -> list[Token]:
        return [Token(w, 0, 0, 10, 10) for w in text.split()]

    grid = [[cell("고객명"), cell("휴대폰"), cell("이메일"), cell("주소")],
            [cell("이한결"), cell("010-5398-3277"), cell("hangyeol@naver.com"),
             cell("경기도 용인시 수지구 포은대로 40-1")],
            [cell("Bale"), cell("010-8642-1283"), cell("]2601.166@0246『.0017"),
             cell("부산광역시 부산진구 SBS 16-11")],
            [cell("윤가식"), cell("010 8484 4501"), cell("10400100601034@03400.06@"),
             cell("서울 송파구 잠실로 674")],
            [cell("장동훈"), cell("010-4725-2162"), cell("donghun@daum.net"),
             cell("서울 강남구 선릉로 9-5")]]
    todo = misread_cells(grid)
    # the Latin model won a name and one word of an address: re-read with Korean
    assert todo["kor"] == [(2, 0, None), (2, 3, None)]
    # the Korean model garbled two e-mails; the Korean headings stay as they are
    assert todo["eng"] == [(2, 2, None), (3, 2, None)]


@needs_tesseract
def test_ocr_screenshot_with_grid_lines_and_gaps(built_home: Path, tmp_path: Path) -> None:
    """An Excel-style screenshot: borders, a shaded header, a row number column, a row
    without a name, phones written four ways. Tesseract's plain text ran the cells of a
    row together (name, phone and address in one "cell") and read grid lines as 」 ： |."""
    ps = people(920, 8)
    styles = [lambda p: p.phone, lambda p: p.phone.replace("-", " "),
              lambda p: p.phone.replace("-", ""), lambda p: p.phone.replace("-", ".")]
    table = [["번호", "고객명", "휴대폰", "배송지"]] + [
        [str(i), "" if i == 3 else p.name, styles[i % 4](p), p.address]
        for i, p in enumerate(ps, 1)]
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "grid.png").write_bytes(files.table_image(table, font_size=22, grid=True))
    on = run_cli("--home", str(built_home), "scan", "--ocr", "--format", "jsonl", str(docs))
    assert on.returncode == 0, on.stderr
    found = {json.loads(line)["record_id"] for line in on.stdout.splitlines()}
    want = {p.id for p in ps}
    assert found <= want
    assert len(found) >= 7, sorted(want - found)


# ------------------------------------------------------------------ crawler


def test_crawl_finds_xlsx_in_zip_and_refuses_a_bomb(home: Path, tmp_path: Path) -> None:
    from urllib.parse import quote

    from dumpwatch.testsites import LocalSites
    from dumpwatch.testsites.profiles import write_profiles
    from tests.test_crawler import crawl, findings_by_url

    a, b, c, d = people(1500, 6), people(1600, 4), people(1700, 3), people(1800, 3)
    with LocalSites() as sites:
        config = tmp_path / "config"
        write_profiles(config, sites)
        url = sites.paste_server.url
        linked = sites.paste.add("쿠팡 고객 DB 풀버전", "샘플 첨부. 전체는 아래 파일\n"
                                 f"{url}/files/p00001/coupang.zip\n가격 문의 텔레 @seller")
        linked.files["coupang.zip"] = files.zip_of({
            "고객.xlsx": files.xlsx({"Sheet1": rows(a), "VIP": rows(b)})})
        bomb = sites.paste.add("big db", f"full db (10GB): {url}/files/p00002/db_full.zip")
        bomb.files["db_full.zip"] = files.zip_bomb(10 << 30)
        tgz = sites.paste.add("old export", "")
        tgz.upload = ("export.tar.gz", files.tar_gz_of({
            "export/users.csv": csv_text(c).encode("cp949")}))
        plain = sites.paste.add("after the bomb", csv_text(d))

        proc = run_cli("--home", str(home), "--config", str(config), "crawl", "local-paste",
                       "--json")
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        assert summary["errors"] == {"archive_bomb": 1}, summary
        assert f"{url}/files/p00002/db_full.zip: db_full.zip: refused: decompression bomb" \
            in proc.stderr, proc.stderr
        found = findings_by_url(home)
        again = crawl(home, config, "local-paste")  # the refused paste is not fetched again
        assert again["errors"] == {} and again["documents"] == 0, again
        assert sites.paste.requests.count("/files/p00002/db_full.zip") == 1

    zip_url = f"{url}/files/p00001/coupang.zip"
    assert found == {
        f"{zip_url}#{quote('고객.xlsx/Sheet1')}": {p.id for p in a},
        f"{zip_url}#{quote('고객.xlsx/VIP')}": {p.id for p in b},
        f"{url}/raw/{tgz.id}#export/users.csv": {p.id for p in c},
        f"{url}/raw/{plain.id}": {p.id for p in d},
    }
    # attachments carry the title of the post they came from
    titles = dict(db_rows(home, "select url, title from sighting"))
    assert titles[f"{zip_url}#{quote('고객.xlsx/VIP')}"] == "쿠팡 고객 DB 풀버전"


class _Board:
    """A one-board forum whose post carries a Gnuboard attachment and a screenshot."""

    def __init__(self, body: str, blobs: dict[str, tuple[bytes, str]]) -> None:
        self.body = body
        self.blobs = blobs  # path?query -> (bytes, Content-Disposition file name or "")
        self.requests: list[str] = []

    def handle(self, req, method: str) -> None:  # type: ignore[no-untyped-def]
        from urllib.parse import quote

        from dumpwatch.testsites.server import send

        self.requests.append(req.path)
        if req.path == "/board":
            return send(req, 200, "<html><body><a class='thread' href='/thread/7'>쿠팡 DB</a>"
                                  "</body></html>")
        if req.path == "/thread/7":
            return send(req, 200, "<html><body><h1>쿠팡 DB</h1><div class='post' data-id='1'>"
                                  "<span class='author'>dbking</span><div class='body'>"
                                  f"{self.body}</div></div></body></html>")
        if req.path in self.blobs:
            data, name = self.blobs[req.path]
            headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"
                       } if name else {}
            return send(req, 200, data, "application/octet-stream", headers)
        return send(req, 404, "no")


BOARD = """\
name: board
kind: forum
base_url: {base}
ocr: {ocr}
forum:
  boards: [/board]
  thread_links: a.thread
  thread_id: /thread/(?P<id>\\d+)
  post: div.post
  post_id: "::attr(data-id)"
  post_body: div.body
  post_author: span.author
  thread_title: h1
politeness: {{delay: 0, concurrency: 2, timeout: 10}}
"""


@pytest.mark.parametrize("ocr", [False, pytest.param(True, marks=needs_tesseract)])
def test_forum_post_attachment_and_screenshot(home: Path, tmp_path: Path, ocr: bool) -> None:
    from dumpwatch.testsites.server import SiteServer
    from tests.test_crawler import crawl, findings_by_url

    a, b = people(2500, 5), people(2600, 6)
    shot = files.table_image([["이름", "연락처", "이메일"]] + [[p.name, p.phone, p.email]
                                                         for p in b])
    download = "/bbs/download.php?bo_table=market&wr_id=7&no=0"
    site = _Board(f"샘플 첨부합니다<br><a href='{download}'>고객.xlsx (1.2MB)</a>"
                  "<img src='/data/editor/2512/shot.png'>",
                  {download: (files.xlsx({"고객": rows(a)}), "고객.xlsx"),
                   "/data/editor/2512/shot.png": (shot, "")})
    server = SiteServer(site).start()
    try:
        config = tmp_path / "config" / "sources"
        config.mkdir(parents=True)
        (config / "board.yaml").write_text(BOARD.format(base=server.url, ocr=str(ocr).lower()))
        summary = crawl(home, tmp_path / "config", "board")
        assert summary["status"] == "ok", summary
        found = findings_by_url(home)
    finally:
        server.stop()
    from urllib.parse import quote

    assert found[f"{server.url}{download}#{quote('고객')}"] == {p.id for p in a}
    img = found.get(f"{server.url}/data/editor/2512/shot.png", set())
    if ocr:
        assert len(img) >= 4 and img <= {p.id for p in b}, img
    else:
        assert not img and "/data/editor/2512/shot.png" not in site.requests


def test_which_links_are_files() -> None:
    from crawler.spiders.media import BARE_URL, is_file_link

    files_ = [
        "https://bbs.example.kr/bbs/download.php?bo_table=free&wr_id=12&no=0",  # Gnuboard 5
        "https://forum.example/download/file.php?id=4411",                    # phpBB
        "https://xf.example/attachments/dump-xlsx.1234/",                     # XenForo
        "https://mybb.example/attachment.php?aid=77",                         # MyBB
        "https://smf.example/index.php?action=dlattach;topic=5.0;attach=9",   # SMF
        "https://files.catbox.moe/ab12cd.zip",
        "https://pixeldrain.com/api/file/AbCdEf12",
        "https://www.dropbox.com/s/xyz/db.csv?dl=1",
        "https://host.example/leak/coupang_2025.tar.gz",
        "https://host.example/leak/고객.XLSX",
    ]
    pages = [
        "https://forum.example/viewtopic.php?t=4411",
        "https://xf.example/threads/coupang.55/",
        "https://host.example/leak/archive.7z",  # 7z is not read: not fetched
        "https://bbs.example.kr/bbs/board.php?bo_table=free&wr_id=12",
    ]
    assert [u for u in files_ + pages if is_file_link(u)] == files_
    text = "전체 DB는 https://files.catbox.moe/ab12cd.zip에서 (비번 1234), 샘플: <https://0x0.st/Hx.csv>."
    assert [u.rstrip(".,;:)]") for u in BARE_URL.findall(text)] == [
        "https://files.catbox.moe/ab12cd.zip", "https://0x0.st/Hx.csv"]


@pytest.mark.parametrize("data", [
    "김민준,010-1234-5678\n".encode(), b"\xef\xbb\xbf" + "김민준\n".encode(),
    "김민준,010-1234-5678\n".encode("cp949"), "김민준\n".encode("utf-16")])
def test_the_prefilter_gets_utf8_bytes_only_when_the_text_was_utf8(data: bytes) -> None:
    from matcher.decode import decode_bytes, decode_with_utf8

    text, utf8 = decode_with_utf8(data)
    assert text == decode_bytes(data)
    assert utf8 is None or utf8.decode("utf-8") == text
    assert (utf8 is not None) == (data.startswith(b"\xef\xbb\xbf") or data.isascii() or
                                   data == "김민준,010-1234-5678\n".encode())
