"""Index format 5: keys that fit many records are stored as ordinal lists, and a segment
answers lookups exactly as if every key were stored once per record."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dumpwatch.synth import write_corpus_csv
from matcher.fields import SKETCH_DTYPE
from matcher.index import Corpus, Segment, SegmentWriter, unique_counts
from matcher.ingest import add_corpus
from matcher.keys import SecretKey


def _batch(keys: np.ndarray, first_id: int) -> tuple:
    n = keys.shape[0]
    ids = b"".join(f"R{first_id + i:07d}".encode() for i in range(n))
    freq = (np.array([7, 9], dtype=np.uint64), np.array([1, n], dtype=np.uint64))
    return keys, np.zeros(n, SKETCH_DTYPE), ids, np.full(n, 8, np.uint32), freq


def _segment(tmp_path: Path, keys: np.ndarray, batch: int = 1000) -> Segment:
    writer = SegmentWriter(tmp_path / "seg", hashed_ids=False)
    for lo in range(0, keys.shape[0], batch):
        writer.add(*_batch(keys[lo:lo + batch].copy(), lo))
    info, duplicates = writer.seal()
    assert duplicates == 0
    return Segment(tmp_path / "seg", info)


def _reference(keys: np.ndarray, bits: int, queries: np.ndarray) -> list[tuple[int, int]]:
    """What format 4 answered: every (query, ordinal) whose key agrees above ``bits``."""
    mask = np.uint64((1 << bits) - 1)
    by_key: dict[int, list[int]] = {}
    for ordinal, row in enumerate(keys):
        for k in row[row != 0]:
            by_key.setdefault(int(k & ~mask), []).append(ordinal)
    return [(q, o) for q, hi in enumerate(queries & ~mask)
            for o in sorted(by_key.get(int(hi), []))]


def test_lists_answer_every_lookup_as_single_keys_did(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    n = 110_000
    keys = np.zeros((n, 5), dtype=np.uint64)
    keys[:, 0] = rng.integers(1, 2**63, n, dtype=np.uint64)  # unique: single keys
    keys[:, 1] = rng.integers(1, 40, n, dtype=np.uint64) * np.uint64(2**40)  # many, dense
    sparse = rng.random(n) < 0.001  # ~110 records: uint16 gaps
    keys[sparse, 2] = np.uint64(3 * 2**50)
    keys[[0, 1, 2, 3, 4, 5, 6, 100_000], 2] = np.uint64(5 * 2**50)  # a gap over 65535
    few = rng.random(n) < 0.3  # two or three records a key
    keys[few, 3] = rng.integers(1, 9000, few.sum(), dtype=np.uint64) * np.uint64(2**30)
    keys[rng.random(n) < 0.002, 4] = np.uint64(3 * 2**50)  # two kinds of key, equal: two lists
    seg = _segment(tmp_path, keys)
    assert seg.info.lists and (tmp_path / "seg" / "lists16.bin").stat().st_size
    assert (tmp_path / "seg" / "lists32.bin").stat().st_size
    assert n <= seg.keys.size <= n + (keys[:, 3] != 0).sum()  # many-record keys: lists
    queries = np.concatenate([keys[::997].ravel(), keys[5:7, 1], [np.uint64(12345 << 40)]])
    queries = queries[queries != 0]
    q, o = seg.lookup(queries)
    assert list(zip(q.tolist(), o.tolist(), strict=True)) == \
        _reference(keys, seg.ord_bits, queries)


def test_keys_sharing_high_bits_are_never_cut_by_the_segment_size(tmp_path: Path) -> None:
    """Two lists with the same high bits (two kinds of key, equal) may add up to more
    records than the segment holds; without max_records nothing is left out."""
    keys = np.zeros((200, 2), dtype=np.uint64)
    keys[:, 0] = 7 << 40  # every record
    keys[:50, 1] = 7 << 40  # the same high bits again, 50 records: 250 in all
    seg = _segment(tmp_path, keys)
    queries = np.array([7 << 40], dtype=np.uint64)
    q, o = seg.lookup(queries)
    assert q.size == 250
    assert sorted(zip(q.tolist(), o.tolist(), strict=True)) == \
        _reference(keys, seg.ord_bits, queries)
    assert seg.lookup(queries, max_records=249)[0].size == 0  # a caller's limit still holds


def test_a_key_is_stored_in_its_smallest_form(tmp_path: Path) -> None:
    """8 bytes a record as single keys; a list costs 2 or 4 bytes a record plus 24."""
    keys = np.zeros((3000, 1), dtype=np.uint64)
    keys[:3, 0] = 1 << 40  # 3 records: 24 bytes as keys, 36 as a list
    keys[3:2003, 0] = 2 << 40  # 2000 records, consecutive: uint16 gaps
    keys[[2100, 2200, 2999], 0] = 3 << 40
    seg = _segment(tmp_path, keys)
    d = tmp_path / "seg"
    assert seg.keys.size == 6
    assert (d / "lists16.bin").stat().st_size == 2 * 2000
    assert (d / "lists32.bin").stat().st_size == 0
    q, o = seg.lookup(np.array([2 << 40, 1 << 40], dtype=np.uint64))
    assert q.tolist() == [0] * 2000 + [1] * 3 and o.tolist() == [*range(3, 2003), 0, 1, 2]


def test_unique_counts_is_numpys() -> None:
    values = np.random.default_rng(1).integers(0, 500, 10_000).astype(np.uint64)
    u, c = unique_counts(values)
    ref_u, ref_c = np.unique(values, return_counts=True)
    assert (u == ref_u).all() and (c == ref_c).all()


def _files(home: Path) -> dict[str, bytes]:
    seg = next(p for p in (home / "corpora" / "shop").iterdir() if p.name.startswith("seg-"))
    return {p.name: p.read_bytes() for p in sorted(seg.iterdir()) if p.is_file()}


def test_the_index_is_the_same_bytes_whatever_the_chunks_and_workers(
        tmp_path: Path, key: SecretKey, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus_csv(tmp_path / "c.csv", 40_000)  # over the 4 MiB threshold for workers
    add_corpus(tmp_path / "h1", "shop", tmp_path / "c.csv", key, workers=1)
    monkeypatch.setattr("matcher.ingest.CHUNK_BYTES", 300_000)
    add_corpus(tmp_path / "h2", "shop", tmp_path / "c.csv", key, workers=2)
    one, two = _files(tmp_path / "h1"), _files(tmp_path / "h2")
    assert set(one) == {"keys.bin", "lists16.bin", "lists16.dir", "lists32.bin", "lists32.dir",
                        "sketch.bin", "freq.bin", "ids.bin"}
    assert one == two


def test_hashed_ids_are_8_bytes_shown_as_hex_and_duplicates_found_across_forms(
        tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "a.csv", 300)
    write_corpus_csv(tmp_path / "b.csv", 200, start=200)  # ids 200-399: 100 are known
    add_corpus(tmp_path / "home", "shop", tmp_path / "a.csv", key, workers=1, hash_ids=True)
    seg = Corpus(tmp_path / "home", "shop", key).segments[0]
    assert (seg.path / "ids.bin").stat().st_size == 300 * 8
    assert len(seg.record_id(0)) == 16 and int(seg.record_id(0), 16) >= 0
    report = add_corpus(tmp_path / "home", "shop", tmp_path / "b.csv", key, workers=1)
    assert (report.records, report.duplicates) == (100, 100)  # ids as given vs hashed
    corpus = Corpus(tmp_path / "home", "shop", key)
    assert corpus.segments[1].record_id(0) == "C000000300"


@pytest.mark.parametrize("form", ["fixed", "variable", "hashed"])
def test_record_ids_gathered_at_once_are_record_id_one_by_one(
        tmp_path: Path, key: SecretKey, form: str) -> None:
    write_corpus_csv(tmp_path / "a.csv", 400)
    if form == "variable":  # ids of two widths: an offsets file
        text = (tmp_path / "a.csv").read_text().replace("C0000001", "C1")
        (tmp_path / "a.csv").write_text(text)
    add_corpus(tmp_path / "home", "shop", tmp_path / "a.csv", key, workers=1,
               hash_ids=form == "hashed")
    seg = Corpus(tmp_path / "home", "shop", key).segments[0]
    assert (seg.info.id_width == 0) == (form == "variable")
    ords = np.random.default_rng(3).integers(0, seg.records, 500)
    assert seg.record_ids(ords) == [seg.record_id(int(o)) for o in ords]
    assert seg.record_ids(np.empty(0, np.int64)) == []


def test_duplicate_ids_within_a_file_keep_the_first(tmp_path: Path, key: SecretKey) -> None:
    write_corpus_csv(tmp_path / "a.csv", 50)
    lines = (tmp_path / "a.csv").read_text().splitlines()
    lines.append(lines[3])  # the record of line 4 again, at the end
    lines.insert(10, lines[20].replace("C0000000", "C00000").split(",", 1)[0] + "9,"
                 + lines[20].split(",", 1)[1])  # a longer id: ids of two widths
    (tmp_path / "a.csv").write_text("\n".join(lines) + "\n")
    report = add_corpus(tmp_path / "home", "shop", tmp_path / "a.csv", key, workers=1)
    assert (report.records, report.duplicates) == (51, 1)
    seg = Corpus(tmp_path / "home", "shop", key).segments[0]
    ids = [seg.record_id(i) for i in range(seg.records)]
    assert ids[:3] == ["C000000000", "C000000001", "C000000002"] and len(set(ids)) == 51
    assert ids[9] == lines[10].split(",")[0] and seg.info.id_width == 0


def test_chunks_read_by_offset_survive_an_over_long_line(
        tmp_path: Path, key: SecretKey, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers read chunks of an uncompressed file themselves, by offset: the offsets must
    stay right past the header and a line skipped for being too long."""
    write_corpus_csv(tmp_path / "c.csv", 300)
    lines = (tmp_path / "c.csv").read_bytes().split(b"\n")
    lines[100] = b"C9," + b"x" * 30_000  # line 101: over the (lowered) limit
    (tmp_path / "c.csv").write_bytes(b"\n".join(lines))
    for module in ("matcher.ingest", "matcher.corpus_reader", "matcher.columnar"):
        monkeypatch.setattr(f"{module}.MAX_LINE_BYTES", 10_000)
    monkeypatch.setattr("matcher.ingest.CHUNK_BYTES", 4096)
    a = add_corpus(tmp_path / "h1", "shop", tmp_path / "c.csv", key, workers=1, columnar=False)
    b = add_corpus(tmp_path / "h2", "shop", tmp_path / "c.csv", key, workers=1)
    assert a.records == b.records == 299
    assert [line for line, _ in b.examples] == [line for line, _ in a.examples] == [101]
    assert _files(tmp_path / "h1") == _files(tmp_path / "h2")
