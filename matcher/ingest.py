"""``corpus add``: stream a corpus file into a new index segment.

The main process reads raw lines (bounded length) and hands batches to worker
processes, which decode, parse, normalise and hash them; the main process only spills
their arrays to the segment writer. Plaintext exists only in worker memory while a
batch is processed.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import multiprocessing as mp
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dumpwatch.errors import CorpusFormatError
from matcher.address_table import AddressTable, load_address_table
from matcher.columnar import ColumnHasher, Settled, read_chunk, read_chunk_supported
from matcher.corpus_reader import (
    MAX_LINE_BYTES,
    Layout,
    decode_line,
    detect_layout,
    iter_raw_lines,
    open_binary,
    parse_lines,
)
from matcher.fields import (
    COUNTED_FEATURES,
    SKETCH_DTYPE,
    F,
    blocking_keys,
    hash_rows,
    parse_row,
    sketch16,
)
from matcher.index import (
    MANIFEST,
    FileEntry,
    Manifest,
    SegmentWriter,
    check_version,
    corpora_dir,
    now_iso,
    unique_counts,
    validate_corpus_name,
)
from matcher.keys import FeatureHasher, SecretKey

BATCH_LINES = 20_000
# Delimited UTF-8 corpora are read in chunks of whole lines for the columnar path
# (matcher/columnar.py); ~60k records a chunk keeps per-chunk overheads small and a
# worker's memory in the tens of MB.
CHUNK_BYTES = 8 << 20

# Phones and emails: how many distinct values exist is estimated from how often the
# corpus repeats them (a 1/16 sample of their digests), see SegmentWriter.seal.
SPACE_FEATURES = ("P", "E")
SAMPLE_MASK = np.uint64(0xF)

ProgressFn = Callable[[int, int, int], None]  # bytes done, bytes total, records so far


@dataclass
class IngestReport:
    corpus: str
    file: str
    records: int = 0
    rejected: int = 0
    duplicates: int = 0
    unmatchable: int = 0
    already_ingested: bool = False
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[int, str]] = field(default_factory=list)
    rejects_log: Path | None = None
    address_table: AddressTable | None = None  # its row counts and bad lines, if one was used
    settled: Settled = field(default_factory=Settled)  # how values were normalised


@dataclass
class _Batch:
    records: int
    keys: np.ndarray
    sketch: np.ndarray
    ids: bytes  # as stored: as given, or 8 bytes of the keyed hash (--hash-ids)
    id_lengths: np.ndarray
    freq: tuple[np.ndarray, np.ndarray]
    errors: list[tuple[int, str]]
    unmatchable: int
    identifiers: dict[str, tuple[int, np.ndarray, np.ndarray]]  # see SegmentWriter.add
    settled: Settled | None = None


# ---------------------------------------------------------------- worker side

_worker: dict[str, object] = {}


def _init_worker(key_raw: bytes, layout: Layout, hash_ids: bool,
                 table: AddressTable | None = None, source: Path | None = None) -> None:
    key = SecretKey(key_raw)
    _worker["source"] = source  # chunks given as (offset, length) are read from it here
    _worker["table"] = table
    _worker["hasher"] = FeatureHasher(key)
    _worker["id_hasher"] = FeatureHasher(SecretKey(key.subkey("record-id")), cache_limit=0)
    _worker["layout"] = layout
    _worker["hash_ids"] = hash_ids
    _worker["columns"] = ColumnHasher(_worker["hasher"],  # type: ignore[arg-type]
                                      table.complete if table is not None else None)


def _process(lines: list[tuple[int, bytes | None]]) -> _Batch:
    layout: Layout = _worker["layout"]  # type: ignore[assignment]
    hasher: FeatureHasher = _worker["hasher"]  # type: ignore[assignment]
    id_hasher: FeatureHasher = _worker["id_hasher"]  # type: ignore[assignment]
    hash_ids = bool(_worker["hash_ids"])
    table: AddressTable | None = _worker.get("table")  # type: ignore[assignment]
    rows: list = []
    ids: list[bytes] = []
    errors: list[tuple[int, str]] = []
    unmatchable = 0
    numbered: list[int] = []
    texts: list[str] = []
    for line_no, raw in lines:
        if raw is None:
            errors.append((line_no, f"line longer than {MAX_LINE_BYTES // (1 << 20)} MiB"))
            continue
        text = decode_line(raw, layout.encoding)
        if text is None:
            errors.append((line_no, "bytes not valid in UTF-8 or CP949"))
            continue
        text = text.rstrip("\r\n")
        if text.strip():
            numbered.append(line_no)
            texts.append(text)
    for line_no, values in zip(numbered, parse_lines(layout, texts), strict=True):
        if isinstance(values, str):
            errors.append((line_no, values))
            continue
        rid = values.get("id")
        if not rid:
            errors.append((line_no, "no record id"))
            continue
        row = parse_row(values)
        if table is not None and row.address is not None:
            row = dc_replace(row, address=table.complete(row.address))
        if not row.identifying:
            unmatchable += 1
            errors.append((line_no, "no phone, email or name+address to match on"))
            continue
        rows.append(row)
        ids.append(id_hasher.uncached(rid).to_bytes(8, "big") if hash_ids
                   else rid.encode("utf-8"))
    errors.sort()  # decoding and parsing problems were found in two passes
    feats, nlen = hash_rows(rows, hasher)
    settled = Settled(fallback=len(rows), values=len(rows))  # counted in rows on this path
    return _assemble(feats, nlen, b"".join(ids),
                     np.fromiter((len(i) for i in ids), dtype=np.uint32, count=len(ids)),
                     errors, unmatchable, settled)


def _assemble(feats: np.ndarray, nlen: np.ndarray, ids: bytes, id_lengths: np.ndarray,
              errors: list[tuple[int, str]], unmatchable: int, settled: Settled) -> _Batch:
    """Everything the segment writer needs, derived from the feature vectors."""
    k = feats.shape[0]
    sketch = np.zeros(k, dtype=SKETCH_DTYPE)
    sketch["h"] = sketch16(feats)
    sketch["nlen"] = nlen
    identifiers = {}
    for name in SPACE_FEATURES:
        col = feats[:, F[name]]
        present = col[col != 0]
        sample = present[(present & SAMPLE_MASK) == 0]  # equal values are sampled together
        u, c = unique_counts(sample)
        identifiers[name] = (int(present.size), u, c.astype(np.uint64))
    counted = feats[:, COUNTED_FEATURES].ravel()
    counted = counted[counted != 0]
    uniq, cnt = unique_counts(counted)
    return _Batch(k, blocking_keys(feats), sketch, ids, id_lengths,
                  (uniq, cnt.astype(np.uint64)), errors, unmatchable, identifiers, settled)


_NO_ID = "no record id"
_UNMATCHABLE = "no phone, email or name+address to match on"


def _process_chunk(item: tuple[int, bytes | tuple[int, int] | None]) -> _Batch:
    """A chunk of whole lines starting at line ``first``: columnar if pyarrow maps its rows
    onto its lines, else through the line reader (which says which line is bad). A chunk
    of an uncompressed file comes as (offset, length) and is read here: its bytes need not
    cross a pipe."""
    first, chunk = item
    if isinstance(chunk, tuple):
        with open(_worker["source"], "rb") as fh:  # type: ignore[arg-type]
            fh.seek(chunk[0])
            chunk = fh.read(chunk[1])
    layout: Layout = _worker["layout"]  # type: ignore[assignment]
    if chunk is None:
        return _process([(first, None)])
    cc = read_chunk(chunk, layout)
    if cc is None:
        return _process(_split_lines(chunk, first, layout))
    columns: ColumnHasher = _worker["columns"]  # type: ignore[assignment]
    id_hasher: FeatureHasher = _worker["id_hasher"]  # type: ignore[assignment]
    feats, nlen, identifying, settled = columns.features(cc.cols, cc.rows)
    rid = cc.cols["id"]
    no_id = ~cc.blank & (rid.to_numpy(zero_copy_only=False) == "")
    unmatchable = ~cc.blank & ~no_id & ~identifying
    errors = sorted([(first + int(i), _NO_ID) for i in np.flatnonzero(no_id)] +
                    [(first + int(i), _UNMATCHABLE) for i in np.flatnonzero(unmatchable)])
    good = np.flatnonzero(~cc.blank & ~no_id & identifying)
    rid = rid.take(pa.array(good)).cast(pa.binary())
    if _worker["hash_ids"]:
        ids = id_hasher.digests(rid.to_pylist()).astype(">u8").tobytes()
        id_lengths = np.full(good.size, 8, dtype=np.uint32)
    else:  # the ids' bytes as one buffer, no Python object per id
        off = np.frombuffer(rid.buffers()[1], dtype=np.int32)[rid.offset:rid.offset + len(rid) + 1]
        ids = rid.buffers()[2].to_pybytes()[off[0]:off[-1]] if len(rid) else b""
        id_lengths = pc.binary_length(rid).to_numpy(zero_copy_only=False).astype(np.uint32)
    return _assemble(feats[good], nlen[good], ids, id_lengths, errors,
                     int(np.count_nonzero(unmatchable)), settled)


def _split_lines(chunk: bytes, first: int, layout: Layout) -> list[tuple[int, bytes | None]]:
    """The chunk's lines as the line reader cuts them (quoted fields may span lines)."""
    return list(_joined_lines(iter_raw_lines(io.BytesIO(chunk)), first - 1, layout,
                              skip_header=False))


# ---------------------------------------------------------------- main side


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _joined_lines(lines: Iterator[tuple[int, bytes | None, int]], offset: int, layout: Layout,
                  skip_header: bool) -> Iterator[tuple[int, bytes | None]]:
    """(line number, raw row): a quoted field spanning lines joins them into one row."""
    pending: tuple[int, bytes] | None = None
    for line_no, raw, _ in lines:
        line_no += offset
        if skip_header and line_no == 1 and layout.has_header and layout.format == "delimited":
            continue
        if layout.format == "delimited" and raw is not None:
            if pending is not None:  # inside a quoted field that spans lines
                start, acc = pending
                acc += raw
                if acc.count(b'"') % 2 == 0 or len(acc) > MAX_LINE_BYTES:
                    yield start, acc if len(acc) <= MAX_LINE_BYTES else None
                    pending = None
                else:
                    pending = (start, acc)
                continue
            if raw.count(b'"') % 2:
                pending = (line_no, raw)
                continue
        yield line_no, raw
    if pending is not None:
        yield pending


def _batches(path: Path, layout: Layout, on_bytes: Callable[[int], None]
             ) -> Iterator[list[tuple[int, bytes | None]]]:
    with open_binary(path) as fh:
        raw_fh = getattr(fh, "fileobj", fh)
        batch: list[tuple[int, bytes | None]] = []
        for item in _joined_lines(iter_raw_lines(fh), 0, layout, skip_header=True):
            batch.append(item)
            if len(batch) >= BATCH_LINES:
                on_bytes(raw_fh.tell())
                yield batch
                batch = []
        if batch:
            yield batch
        on_bytes(raw_fh.tell())


def _chunks(path: Path, layout: Layout, on_bytes: Callable[[int], None],
            size: int | None = None, by_offset: bool = False
            ) -> Iterator[tuple[int, bytes | tuple[int, int] | None]]:
    """(number of the first line, chunk of whole lines) for the columnar path; a chunk ends
    outside quotes where it can, and (line, None) stands for a line over MAX_LINE_BYTES.
    ``by_offset`` (an uncompressed file): the chunk as (offset, length) in the file."""
    size = size or CHUNK_BYTES
    with open_binary(path) as fh:
        raw_fh = getattr(fh, "fileobj", fh)
        by_offset = by_offset and raw_fh is fh
        line_no = 1
        buf = b""
        at = 0  # offset of buf in the file
        header = layout.has_header
        eof = False
        while not eof:
            block = fh.read(size)
            eof = not block
            buf += block
            if header:  # the header line is not data
                end = buf.find(b"\n")
                if end < 0 and not eof and len(buf) <= MAX_LINE_BYTES:
                    continue
                at += end + 1 if end >= 0 else len(buf)
                buf = buf[end + 1:] if end >= 0 else b""
                line_no, header = 2, False
            if eof:
                cut = len(buf)
            else:
                cut = buf.rfind(b"\n") + 1
                if cut == 0:
                    if len(buf) > MAX_LINE_BYTES:  # one over-long line: skip to its end
                        while not eof and (nl := buf.find(b"\n")) < 0:
                            at += len(buf)
                            buf = fh.read(size)
                            eof = not buf
                        yield line_no, None
                        line_no += 1
                        at += nl + 1 if not eof else len(buf)
                        buf = buf[nl + 1:] if not eof else b""
                    continue
                if buf.count(b'"', 0, cut) % 2 and len(buf) < 8 * size:
                    continue  # inside a quoted field: read on
            piece, buf = buf[:cut], buf[cut:]
            if piece:
                on_bytes(raw_fh.tell())
                yield line_no, (at, cut) if by_offset else piece
                line_no += piece.count(b"\n")
            at += cut
        on_bytes(raw_fh.tell())


def add_corpus(home: Path, name: str, path: Path, key: SecretKey, *,
               id_column: str | None = None, mapping: dict[str, str] | None = None,
               hash_ids: bool = False, workers: int | None = None,
               progress: ProgressFn | None = None,
               address_table: Path | None = None, columnar: bool = True) -> IngestReport:
    """Ingest ``path`` into corpus ``name``; idempotent for a file already ingested.

    ``address_table``: a road ↔ lot lookup table (see :mod:`matcher.address_table`);
    corpus addresses then carry both forms. ``columnar=False`` forces the line-by-line
    path (the reference the columnar one is tested against)."""
    validate_corpus_name(name)
    report = IngestReport(corpus=name, file=path.name)
    started = time.monotonic()
    layout = detect_layout(path, mapping, id_column)
    table = load_address_table(address_table) if address_table is not None else None
    report.address_table = table
    cdir = corpora_dir(home) / name
    cdir.mkdir(parents=True, exist_ok=True)
    with open(cdir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest_path = cdir / MANIFEST
        if manifest_path.exists():
            manifest = Manifest.load(manifest_path)
            key.check(manifest.key_fingerprint, f"corpus {name!r}")
            check_version(manifest, name)
        else:
            manifest = Manifest(name=name, key_fingerprint=key.fingerprint, created=now_iso())
        # The file's digest is computed beside the ingest (hashlib releases the GIL), unless
        # the corpus has files already: then it is needed first, to skip a file seen before.
        hashing = ThreadPoolExecutor(1)
        digest_job = hashing.submit(file_sha256, path)
        hashing.shutdown(wait=False)
        if manifest.files and any(f.sha256 == digest_job.result() for f in manifest.files):
            report.already_ingested = True
            return report
        for stale in cdir.glob("seg-*.tmp"):  # left by a crash
            shutil.rmtree(stale, ignore_errors=True)
        seg_name = f"seg-{len(manifest.segments) + 1:04d}-{int(time.time())}"
        writer = SegmentWriter(cdir / f"{seg_name}.tmp", hash_ids)
        try:
            _run(path, layout, key, hash_ids, writer, report, workers, progress, table,
                 columnar)
            previous = [(cdir / s.dir, s) for s in manifest.segments]
            id_hasher = FeatureHasher(SecretKey(key.subkey("record-id")), cache_limit=0)
            info, report.duplicates = writer.seal(previous, id_hasher.digests)
            digest = digest_job.result()
        except BaseException:
            writer.abort()
            raise
        report.records = info.records
        if info.records == 0:
            shutil.rmtree(writer.dir, ignore_errors=True)
            if report.rejected and not manifest.segments:
                raise CorpusFormatError(
                    f"{path}: none of {report.rejected} rows could be read "
                    f"(first problem: line {report.examples[0][0]}: {report.examples[0][1]})")
        else:
            os.rename(writer.dir, cdir / seg_name)
            info.dir = seg_name
            manifest.segments.append(info)
        manifest.files.append(FileEntry(path.name, digest, now_iso(), report.records,
                                        report.rejected, report.duplicates))
        manifest.save(manifest_path)
        if report.rejected:
            report.rejects_log = _write_rejects(cdir, path, report)
    report.seconds = time.monotonic() - started
    return report


def _run(path: Path, layout: Layout, key: SecretKey, hash_ids: bool, writer: SegmentWriter,
         report: IngestReport, workers: int | None, progress: ProgressFn | None,
         table: AddressTable | None = None, columnar: bool = True) -> None:
    total = path.stat().st_size
    done = [0]

    def on_bytes(pos: int) -> None:
        done[0] = pos

    def consume(batch: _Batch) -> None:
        writer.add(batch.keys, batch.sketch, batch.ids, batch.id_lengths, batch.freq,
                   batch.identifiers)
        report.unmatchable += batch.unmatchable
        if batch.settled is not None:
            report.settled.add(batch.settled)
        for line_no, reason in batch.errors:
            report.rejected += 1
            report.reasons[reason.split(" (")[0]] += 1
            if len(report.examples) < 1000:
                report.examples.append((line_no, reason))
        if progress:
            progress(done[0], total, writer.records)

    n_workers = workers or os.cpu_count() or 1
    if os.environ.get("DUMPWATCH_INGEST") == "lines":  # benchmarks compare both paths
        columnar = False
    if columnar and read_chunk_supported(layout):
        work, items = _process_chunk, _chunks(path, layout, on_bytes, by_offset=True)
    else:
        work, items = _process, _batches(path, layout, on_bytes)  # type: ignore[assignment]
    if n_workers <= 1 or total < 4 * 1024 * 1024:
        _init_worker(key.raw, layout, hash_ids, table, path)
        for item in items:
            consume(work(item))  # type: ignore[arg-type]
        return
    ctx = mp.get_context("forkserver")
    with ctx.Pool(n_workers, initializer=_init_worker,
                  initargs=(key.raw, layout, hash_ids, table, path)) as pool:
        for result in pool.imap(work, items, chunksize=1):  # type: ignore[arg-type]
            consume(result)


def _write_rejects(cdir: Path, path: Path, report: IngestReport) -> Path:
    """Line numbers and reasons only: a rejected row's content is never written anywhere."""
    logdir = cdir / "rejects"
    logdir.mkdir(exist_ok=True)
    out = logdir / f"{time.strftime('%Y%m%dT%H%M%S')}-{path.name}.log"
    with open(out, "w") as fh:
        fh.write(f"# rows of {path.name} not ingested: line<TAB>reason\n")
        for line_no, reason in report.examples:
            fh.write(f"{line_no}\t{reason}\n")
        if report.rejected > len(report.examples):
            fh.write(f"# ... and {report.rejected - len(report.examples)} more\n")
    return out
