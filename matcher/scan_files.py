"""Scanning files and folders: chunking, worker processes, streaming findings.

A 33.7M-row dump cannot be held as one string nor its findings as one list, so files
over ``CHUNK_BYTES`` are cut at line boundaries (the header line, if any, travels with
every chunk) and scanned in parallel; findings stream out as soon as the document is
known to be significant, weaker ones waiting until it is.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from dumpwatch.errors import ArchiveError, ArchiveLimitError, DumpwatchError
from matcher import worker_pool
from matcher.containers import Limits, expand_path
from matcher.decode import decode_bytes, decode_with_utf8
from matcher.keys import SecretKey
from matcher.roles import looks_like_header
from matcher.scan import (
    CorpusResult,
    DocumentResult,
    Match,
    MatchBlock,
    Scanner,
    document_prior,
)
from matcher.scoring import ScoringConfig, verdict

CHUNK_BYTES = 8 << 20
MIN_CHUNK_BYTES = 1 << 20
MAX_FILE_BYTES = 64 << 30


@dataclass
class DocumentSummary:
    document: str
    candidates: int = 0
    skipped: str | None = None  # why the document was not scanned
    corpora: dict[str, dict] = field(default_factory=dict)

    def as_json(self) -> dict:
        out: dict = {"document": self.document, "candidates": self.candidates}
        if self.skipped:
            out["skipped"] = self.skipped
        out["corpora"] = self.corpora
        return out


class DocumentAccumulator:
    """Merges a document's chunks and decides which matches to emit, and when.

    Once the matches so far are significant the document is redistribution and all
    of them stream out; before that only matches strong enough alone are emitted and
    the rest wait. (A document declared significant early stays so.) Matches arrive as
    arrays (:class:`MatchBlock`) and become objects, or JSON lines with ``emit_jsonl``,
    only when reported.
    """

    def __init__(self, document: str, config: ScoringConfig, emit: Callable[[Match], None],
                 sizes: dict[str, list[int]],
                 emit_jsonl: Callable[[bytes], None] | None = None) -> None:
        self.document = document
        self.config = config
        self.emit = emit
        self.emit_jsonl = emit_jsonl
        self.candidates = 0
        self.totals: dict[str, CorpusResult] = {}
        self.pending: dict[str, list[tuple[MatchBlock, np.ndarray]]] = {}
        self.significant: set[str] = set()
        self.reported: dict[str, int] = {}
        self._seen = {c: [np.zeros(n, dtype=bool) for n in segs] for c, segs in sizes.items()}

    def _emit(self, b: MatchBlock, idx: np.ndarray, scores: np.ndarray,
              threshold: float) -> None:
        """Emit the matches ``idx`` (in that order) scoring at least ``threshold``, each
        record once per document."""
        ok = scores >= threshold
        idx, scores = idx[ok], scores[ok]
        if not idx.size:
            return
        seg, ords = b.seg[idx], b.ordinal[idx]
        keep = np.zeros(idx.size, dtype=bool)
        for s in np.unique(seg).tolist():
            at = np.flatnonzero(seg == s)
            o = ords[at]
            first = np.zeros(o.size, dtype=bool)
            first[np.unique(o, return_index=True)[1]] = True
            seen = self._seen[b.corpus][s]
            new = first & ~seen[o]
            seen[o[new]] = True
            keep[at] = new
        idx, scores = idx[keep], scores[keep]
        self.reported[b.corpus] = self.reported.get(b.corpus, 0) + int(idx.size)
        if self.emit_jsonl is not None:
            self.emit_jsonl(b.jsonl(idx, scores))
        else:
            for i, sc in zip(idx.tolist(), scores.tolist(), strict=True):
                self.emit(b.match(i, sc))

    def add(self, chunk: DocumentResult) -> None:
        self.candidates += chunk.candidates
        cfg = self.config
        for name, res in chunk.results.items():
            tot = self.totals.setdefault(name, CorpusResult(name))
            tot.candidates += res.candidates
            tot.matched += res.matched
            tot.expected += res.expected
            tot.odds_hist += res.odds_hist
            pend = self.pending.setdefault(name, [])
            if name not in self.significant and verdict(
                    tot.matched, tot.expected, cfg)[0] == "redistribution":
                self.significant.add(name)
                prior = document_prior(tot.matched, tot.expected, tot.candidates,
                                       tot.odds_hist)
                for b, idx in pend:  # chunks in order, each sorted by line
                    self._emit(b, idx, b.score(prior)[idx], cfg.match_threshold)
                pend.clear()
            b = res.block
            if b is None and res.matches:
                b = MatchBlock.of(res.matches)
            if b is None or not len(b):
                continue
            order = np.argsort(b.line, kind="stable")
            if name in self.significant:
                prior = document_prior(tot.matched, tot.expected, tot.candidates,
                                       tot.odds_hist)
                self._emit(b, order, b.score(prior)[order], cfg.match_threshold)
            else:
                alone = b.score()[order]
                strong = alone >= cfg.strong_threshold
                self._emit(b, order[strong], alone[strong], cfg.strong_threshold)
                if not strong.all():
                    pend.append((b, order[~strong]))

    def finish(self) -> DocumentSummary:
        out = DocumentSummary(self.document, self.candidates)
        for name, tot in self.totals.items():
            label, p = verdict(tot.matched, tot.expected, self.config)
            if name in self.significant:
                label = "redistribution"
            out.corpora[name] = {"verdict": label, "matched": tot.matched,
                                 "reported": self.reported.get(name, 0),
                                 "expected_by_chance": round(tot.expected, 4),
                                 "p_chance": float(f"{p:.3g}")}
        return out


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield Path(root) / f
        else:
            yield p


@dataclass
class _Task:
    document: str
    data: bytes
    line_offset: int  # lines before this chunk in the file
    header: bytes | None  # header line to prepend (chunks after the first)
    last: bool
    progress: int = 0  # bytes of the input file this task accounts for


def _header_line(first_line: str) -> bool:
    for d in ("\t", "|", ";", ","):
        if d in first_line and looks_like_header(first_line.split(d)):
            return True
    return False


def _chunk_size(remaining: int | None, workers: int) -> int:
    """CHUNK_BYTES, then smaller towards the end of a file of known size that several
    workers share: the last chunks finish together instead of one worker scanning the last
    8 MB alone (a second of one idle core in a 1M-row dump)."""
    if remaining is None or workers <= 1:
        return CHUNK_BYTES
    return max(min(CHUNK_BYTES, remaining // (2 * workers)), min(MIN_CHUNK_BYTES, CHUNK_BYTES))


def _chunks(doc: str, fh: IO[bytes], size: int | None = None, workers: int = 1
            ) -> Iterator[_Task]:
    """A document cut at line boundaries into tasks of about ``CHUNK_BYTES`` (``size``:
    the document's bytes, where known, for the smaller last chunks of _chunk_size)."""
    reader = fh if isinstance(fh, io.BufferedReader) else io.BufferedReader(fh, 1 << 20)  # type: ignore[arg-type]
    header: bytes | None = None
    offset = 0
    consumed = 0
    first = True
    while True:
        try:
            data = reader.read(_chunk_size(None if size is None else size - consumed, workers))
            if not data and not first:
                break
            data += reader.readline()  # finish the line the chunk cut through
            consumed += len(data)
            last = not reader.peek(1)
        except ArchiveError:
            if not first:  # close the part already scanned, then report why it stopped
                yield _Task(doc, b"", offset, None, True)
            raise
        if first:
            line1 = data.split(b"\n", 1)[0]
            if not last and _header_line(decode_bytes(line1)):
                header = line1 + b"\n"
        yield _Task(doc, data, offset, None if first else header, last)
        offset += data.count(b"\n")
        first = False
        if last:
            break


def _tasks(files: Iterable[Path], on_skip: Callable[[DocumentSummary], None],
           limits: Limits, ocr: bool = False, workers: int = 1) -> Iterator[_Task]:
    """Every document of every file: archives and workbooks expand to their members."""
    for path in files:
        doc = str(path)
        try:
            size = path.stat().st_size
            read: list[Callable[[], int]] = []
            members = expand_path(path, limits, ocr=ocr, progress=read)
            if size > MAX_FILE_BYTES:
                on_skip(DocumentSummary(doc, skipped="larger than 64 GiB"))
                continue
            for m in members:
                if m.skipped or m.stream is None:
                    on_skip(DocumentSummary(m.name, skipped=m.skipped))
                    continue
                try:
                    known = size if m.name == doc else None  # a plain file: itself
                    for task in _chunks(m.name, m.stream, known, workers):
                        task.progress = read[0]()
                        yield task
                except ArchiveLimitError:
                    raise
                except ArchiveError as exc:  # a corrupt member: the next one may be fine
                    on_skip(DocumentSummary(m.name, skipped=str(exc)))
        except ArchiveLimitError as exc:
            on_skip(DocumentSummary(doc, skipped=str(exc).removeprefix(f"{doc}: ")))
        except OSError as exc:
            on_skip(DocumentSummary(doc, skipped=f"unreadable: {exc.strerror or exc}"))


_worker: dict[str, Any] = {}  # this process's Scanner and whether lines are all it sends


def _init(home: str, key_raw: bytes, corpora: list[str] | None, cfg: ScoringConfig,
          jsonl: bool = False) -> None:
    _worker["scanner"] = Scanner(Path(home), SecretKey(key_raw), corpora, cfg)
    _worker["jsonl"] = jsonl


def _run_task(task: _Task) -> tuple[str, DocumentResult, bool]:
    scanner = _worker["scanner"]
    data = task.header + task.data if task.header else task.data
    text, utf8 = decode_with_utf8(data)
    res = scanner.scan_document(text, task.document, utf8)
    shift = task.line_offset - (1 if task.header else 0)
    for r in res.results.values():
        if r.block is not None:
            r.block.line += shift
            if _worker.get("jsonl"):  # the lines are all the main process writes
                r.block.prepare_json(drop_fields=True)
    return task.document, res, task.last


def scan_paths(home: Path, key: SecretKey, paths: list[Path], *, corpora: list[str] | None,
               config: ScoringConfig, on_match: Callable[[Match], None],
               on_document: Callable[[DocumentSummary], None], workers: int | None = None,
               on_progress: Callable[[int], None] | None = None,
               limits: Limits | None = None, ocr: bool = False,
               on_jsonl: Callable[[bytes], None] | None = None) -> None:
    """Scan files and folders; calls back per reported match and per finished document.

    With ``on_jsonl`` reported matches are passed as UTF-8 JSON lines instead (many at
    once, each what ``json.dumps(match.as_json(), ensure_ascii=False)`` gives): what
    keeps the main process from becoming the limit of a dense dump.

    Archives, workbooks (and images, with ``ocr``) are expanded: each member is a
    document of its own, named ``archive.zip/member.csv``; a file crossing ``limits``
    is reported as skipped and the scan goes on.
    """
    for p in paths:
        if not p.exists():
            raise DumpwatchError(f"{p}: no such file or directory")
    scanner = Scanner(home, key, corpora, config)  # validates corpora and key up front
    sizes = {c.name: [s.records for s in c.segments] for c in scanner.corpora}
    names = [c.name for c in scanner.corpora]
    files = list(iter_files(paths))
    total = sum(f.stat().st_size for f in files if f.exists())
    n_workers = workers or os.cpu_count() or 1
    accs: dict[str, DocumentAccumulator] = {}

    def consume(doc: str, res: DocumentResult, last: bool, nbytes: int) -> None:
        acc = accs.get(doc)
        if acc is None:
            acc = accs[doc] = DocumentAccumulator(doc, config, on_match, sizes, on_jsonl)
        acc.add(res)
        if on_progress:
            on_progress(nbytes)
        if last:
            on_document(accs.pop(doc).finish())

    parallel = n_workers > 1 and total >= 2 * CHUNK_BYTES
    tasks = _tasks(files, on_document, limits or Limits(), ocr, n_workers if parallel else 1)
    if not parallel:
        _worker["scanner"] = scanner
        _worker["jsonl"] = on_jsonl is not None
        for t in tasks:
            consume(*_run_task(t), t.progress)
        return
    # The fork server imports the scanner once and every worker forks with it loaded:
    # no worker spends its first ~0.2 s of CPU importing before it can take a chunk.
    with worker_pool.context().Pool(n_workers, initializer=_init,
                  initargs=(str(home), key.raw, names, config, on_jsonl is not None)) as pool:
        sizes_q: list[int] = []

        def sized(it: Iterator[_Task]) -> Iterator[_Task]:
            for t in it:
                sizes_q.append(t.progress)
                yield t

        for i, (doc, res, last) in enumerate(pool.imap(_run_task, sized(tasks))):
            consume(doc, res, last, sizes_q[i])
