"""Ingest: layouts, encodings, idempotence, and bad rows reported with line numbers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from dumpwatch.errors import CorpusFormatError, KeyMismatchError
from dumpwatch.synth import people, write_corpus_csv
from matcher.index import Corpus, list_corpora
from matcher.ingest import add_corpus
from matcher.keys import SecretKey
from matcher.scan import Scanner, decide


def _found(home: Path, key: SecretKey, text: str) -> set[str]:
    scanner = Scanner(home, key)
    res = scanner.scan_text(text, "doc")
    return {m.record_id for r in res.results.values() for m in decide(r, scanner.config)[2]}


def test_korean_headers_are_detected_and_records_found(tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "c.csv", 500)
    report = add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)
    assert (report.records, report.rejected) == (500, 0)
    p = people(10, 1)[0]
    assert _found(tmp_path / "home", key, f"{p.name} {p.phone}") == {p.id}


def test_english_headers_tsv_cp949_gzip(tmp_path: Path, key: SecretKey) -> None:
    rows = people(0, 50)
    text = "user_id\tfull_name\tmobile\temail_address\n" + "".join(
        f"{p.id}\t{p.name}\t{p.phone}\t{p.email}\n" for p in rows)
    path = tmp_path / "c.tsv.gz"
    path.write_bytes(gzip.compress(text.encode("cp949")))
    report = add_corpus(tmp_path / "home", "shop", path, key, workers=1)
    assert (report.records, report.rejected) == (50, 0)
    assert _found(tmp_path / "home", key, rows[7].email) == {rows[7].id}


def test_jsonl_with_map_and_hashed_ids(tmp_path: Path, key: SecretKey) -> None:
    rows = people(0, 20)
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps({"k": p.id, "who": p.name, "hp": p.phone},
                                       ensure_ascii=False) + "\n" for p in rows))
    report = add_corpus(tmp_path / "home", "shop", path, key, id_column="k",
                        mapping={"name": "who"}, hash_ids=True, workers=1)
    assert report.records == 20
    found = _found(tmp_path / "home", key, f"{rows[3].name} {rows[3].phone}")
    assert len(found) == 1 and rows[3].id not in found and len(next(iter(found))) == 16


def test_readding_the_same_file_changes_nothing(tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "c.csv", 300)
    add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)
    again = add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)
    assert again.already_ingested
    assert list_corpora(tmp_path / "home")[0].records == 300


def test_overlapping_file_adds_only_new_ids(tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "a.csv", 300)
    write_corpus_csv(tmp_path / "b.csv", 200, start=200)  # ids 200-399: 100 are known
    add_corpus(tmp_path / "home", "shop", tmp_path / "a.csv", key, workers=1)
    report = add_corpus(tmp_path / "home", "shop", tmp_path / "b.csv", key, workers=1)
    assert (report.records, report.duplicates) == (100, 100)
    assert list_corpora(tmp_path / "home")[0].records == 400
    p = people(350, 1)[0]
    assert _found(tmp_path / "home", key, f"{p.name},{p.phone},{p.email}") == {p.id}


def test_malformed_rows_are_reported_by_line_and_the_rest_ingested(tmp_path: Path,
                                                                    key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "c.csv", 100)
    lines = (tmp_path / "c.csv").read_bytes().split(b"\n")
    lines[5] = b"C9,only,two"  # wrong field count
    lines[9] = "C000000008,김민준,010-1234-5678".encode() + b"\xff\xfe\xfa,x,y,z"  # bad bytes
    lines[20] = b",,,,,"  # no id
    (tmp_path / "c.csv").write_bytes(b"\n".join(lines))
    report = add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)
    assert report.rejected == 3 and report.records == 97
    assert [line for line, _ in report.examples] == [6, 10, 21]
    log = report.rejects_log.read_text()  # type: ignore[union-attr]
    assert "6\texpected 6 fields, found 3" in log and "김민준" not in log


def test_missing_id_column_is_a_clear_error(tmp_path: Path, key: SecretKey) -> None:
    (tmp_path / "c.csv").write_text("이름,휴대폰\n김민준,010-1234-5678\n")
    with pytest.raises(CorpusFormatError, match="--id-column"):
        add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key)


def test_an_index_refuses_another_key(tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "c.csv", 10)
    add_corpus(tmp_path / "home", "shop", tmp_path / "c.csv", key, workers=1)
    with pytest.raises(KeyMismatchError, match="another key"):
        Corpus(tmp_path / "home", "shop", SecretKey(b"\x01" * 32))


def test_parallel_ingest_equals_serial(tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "c.csv", 60_000)  # over the 4 MiB threshold for workers
    a = add_corpus(tmp_path / "h1", "shop", tmp_path / "c.csv", key, workers=1)
    b = add_corpus(tmp_path / "h2", "shop", tmp_path / "c.csv", key, workers=2)
    assert a.records == b.records == 60_000
    seg1 = Corpus(tmp_path / "h1", "shop", key).segments[0]
    seg2 = Corpus(tmp_path / "h2", "shop", key).segments[0]
    assert (seg1.keys == seg2.keys).all() and (seg1.sketch == seg2.sketch).all()
