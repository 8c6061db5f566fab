"""The shapes evaluation (benchmarks/eval_shapes.py) writes well-formed leaks and fair truth.

Not a recall test: it checks the generator, so the benchmark's figures can be trusted."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from benchmarks.eval_shapes import generate, owner, score
from benchmarks.shapes.docs import CATEGORIES
from benchmarks.shapes.people import (
    CORPUS_HEADER,
    TABLE_HEADER,
    Address,
    Building,
    Person,
)
from benchmarks.shapes.truth import Clue, Fitter, consistent


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    world, docs = generate(2000, 11, root)
    return root, world, docs


def test_corpus_and_address_table(shapes):
    root, world, _ = shapes
    with (root / "corpus.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == CORPUS_HEADER
    assert len(rows) == 2001
    assert len({r[0] for r in rows[1:]}) == 2000
    assert len({r[1] for r in rows[1:]}) < 2000  # names collide, like real ones
    assert sum(r[2].startswith("010") for r in rows[1:]) > 1600
    assert any(r[2].startswith("070") for r in rows[1:])
    with (root / "address_table.csv").open(encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == TABLE_HEADER
    roads = {(r[0], r[1], r[5], r[6], r[7]) for r in table[1:]}
    lots = {(r[0], r[1], r[2], r[3], r[4]) for r in table[1:]}
    assert len(roads) == len(lots) == len(table) - 1  # road ↔ lot is one-to-one
    for p in world.people[:300]:
        b = p.addr.bld
        assert (b.sido, b.sigungu, b.road, str(b.bno), str(b.bsub)) in roads


def test_every_category_has_documents_and_truth(shapes):
    root, world, docs = shapes
    ids = {p.rid for p in world.people}
    assert {name for name, *_ in CATEGORIES} == set(docs)
    for name, _make, _floor, opt in CATEGORIES:
        assert len(docs[name]) >= 3, name
        for d in docs[name]:
            f = root / "docs" / name / d.name
            assert f.is_file() and f.stat().st_size > 0, f
            assert d.must <= ids and d.must_table <= ids
            assert d.must <= d.must_table  # the table only ever sharpens evidence
            if opt in ("chat", "negative"):
                assert not d.must
            else:
                assert d.rows >= d.leaked > 0
                assert len(d.must) <= d.leaked
        if opt not in ("chat", "negative"):
            assert sum(len(d.must) for d in docs[name]) > 0, name
    sizes = [d.rows for v in docs.values() for d in v]
    assert min(sizes) <= 10 and max(sizes) >= 70  # 5 … 2,000 rows (capped at records/25)


def test_partial_and_masked_rows_are_often_unattributable(shapes):
    _, _, docs = shapes
    masked = docs["masking"]
    assert sum(len(d.must) for d in masked) < sum(d.leaked for d in masked)
    full = docs["excel-csv"]
    assert sum(len(d.must) for d in full) == sum(d.leaked for d in full)


def test_containers_are_what_their_names_say(shapes):
    root, _, _ = shapes
    arch = root / "docs" / "archives"
    with zipfile.ZipFile(arch / "dump_part1.zip") as z:
        names = z.namelist()
        assert "README.txt" in names and "more/inner.zip" in names
        with pytest.raises(UnicodeDecodeError):
            z.read("part2.txt").decode("utf-8")
        z.read("part2.txt").decode("cp949")
        zipfile.ZipFile(io.BytesIO(z.read("more/inner.zip"))).testzip()
    with tarfile.open(arch / "backup_2025.tar.gz") as t:
        assert "members.csv" in t.getnames()
    assert gzip.decompress((arch / "export.csv.gz").read_bytes()).count(b"\n") > 10
    wb = root / "docs" / "workbooks"
    from openpyxl import load_workbook

    book = load_workbook(next(wb.glob("*.xlsx")))
    assert len(book.sheetnames) >= 2
    assert book["고객목록"]["A1"].value  # a title, not the header, on the first row
    with zipfile.ZipFile(next(wb.glob("*.xlsm"))) as z:
        assert b"macroEnabled" in z.read("[Content_Types].xml")
    assert next(wb.glob("*.xls")).read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # OLE2 / BIFF8
    with zipfile.ZipFile(next(wb.glob("*.ods"))) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    ex = root / "docs" / "excel-csv"
    assert (ex / "excel00.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert '="0' in (ex / "excel00.csv").read_text(encoding="utf-8-sig")
    (ex / "excel01.csv").read_bytes().decode("cp949")
    from PIL import Image

    for png in (root / "docs" / "ocr-image").glob("*.png"):
        with Image.open(png) as im:
            assert im.width > 200 and im.height > 50


def _person(rid, name, phone, dong="역삼동", bno=152, unit="101동 1203호"):
    b = Building("서울특별시", "강남구", dong, "테헤란로", bno, 0, 736, 1, "래미안역삼")
    return Person(rid, name[0], name[1:], phone, f"{rid.lower()}@naver.com",
                  Address(b, unit), "햇반 210g 24개", dt.date(2025, 10, 2))


def test_fitter_worked_example():
    a = _person("A", "김민준", "01023456789")
    b = _person("B", "김민준", "01098761234", unit="102동 501호")
    c = _person("C", "이서연", "01055554321", dong="삼성동", bno=9)
    f = Fitter([a, b, c])
    same_name_district = Clue(name=tuple("김민준"), district=("서울특별시", "강남구"))
    assert f.fits(same_name_district) == ["A", "B"]  # two customers: unattributable
    assert f.fits(Clue(name=tuple("김민준"), phone=tuple("01023456789"))) == ["A"]
    masked = Clue(name=("김", None, "준"), phone=(*"010", None, None, None, None, *"6789"))
    assert f.fits(masked) == ["A"]
    lot = Clue(name=tuple("김민준"), lot=("서울특별시", "강남구", "역삼동", 736, 1))
    assert f.fits(lot) == ["A", "B"]
    assert f.fits(Clue(name=tuple("김민준"), lot=("서울특별시", "강남구", "역삼동", 736, 1),
                       unit="102동 501호")) == ["B"]
    head = Clue(email_head="a", email_full=False, email_domain="naver.com")
    assert f.fits(head) == ["A"]


def test_scoring_counts_wrong_records_not_unattributable_ones(shapes, tmp_path):
    _, world, docs = shapes
    people = {p.rid: p for p in world.people}
    d = next(d for d in docs["masking"] if len(d.must) < d.leaked)
    folder = tmp_path / "masking"
    must = sorted(d.must)
    outsider = next(p.rid for p in world.people
                    if not any(consistent(c, p) for c in d.clues))
    reports = [{"document": f"{folder}/{d.name}", "record_id": rid} for rid in must[:2]]
    reports.append({"document": f"{folder}/{d.name}", "record_id": outsider})
    s = score([d], reports, folder, False, people)
    assert (s["tp"], s["fp"]) == (min(2, len(must)), 1)
    assert owner(f"{folder}/a.zip/inner/x.csv", folder, {"a.zip"}) == "a.zip"
    assert owner(f"masking/{d.name}", Path("masking"), {d.name}) == d.name
