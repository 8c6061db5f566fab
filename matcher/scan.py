"""Scanning: a document's text -> matches against each corpus and a verdict.

This is the one place the matcher's stages meet: extract -> normalise -> hash ->
look up -> score -> decide. Everything here is per document; orchestration over
files, chunks and worker processes lives in :mod:`matcher.scan_files`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _encode_str
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matcher.extract import extract
from matcher.fields import (
    BLOCKING_KEYS,
    COUNTED_FEATURES,
    N_FEATURES,
    WEAK_KEYS,
    F,
    ParsedRow,
    blocking_keys,
    completed_rows,
    half_digit_alternatives,
    hash_rows,
    parse_row,
    sketch16,
    visible_digits,
)
from matcher.index import Corpus, Segment, list_corpora
from matcher.keys import FeatureHasher, SecretKey
from matcher.redact import redact_row

if TYPE_CHECKING:
    from matcher.scan_columns import ScanColumnHasher
from matcher.scoring import (
    EMAIL_SPACE,
    FIELD_NAMES,
    PHONE_SPACE,
    ScoringConfig,
    chance_hits,
    chance_log2,
    compare,
    verdict,
)

MAX_RECORDS_PER_KEY = 2_000
# A key fitting more records (ha****@naver.com) is followed only for lines that show part of a
# name, and only to the records whose name agrees: a bounded filter on the stored sketch.
MAX_RECORDS_NARROWED = 20_000
_FIELD_LISTS = [[FIELD_NAMES[k] for k in range(5) if mask >> k & 1] for mask in range(32)]
_FIELD_JSON = [json.dumps(f, ensure_ascii=False) for f in _FIELD_LISTS]
_FIELD_ARROW = pa.array(_FIELD_JSON, pa.string())
HIT_POSTERIOR = 0.5  # a line "hits" the corpus: what the document test counts
# A phone block alone: for masked names only, narrowed by the name's ends.
_BLOCK_KEYS = [BLOCKING_KEYS.index(("PL",)), BLOCKING_KEYS.index(("PM",))]
_NARROWED = np.zeros(len(BLOCKING_KEYS), dtype=bool)
_NARROWED[_BLOCK_KEYS] = True
# Keys a completed masked number is looked up by (see fields.completed_rows).
_PHONE_KEYS = np.array([k for k, parts in enumerate(BLOCKING_KEYS)
                        if any(p[0] in "PQ" for p in parts)])


@dataclass(slots=True)
class Match:
    """One (document, corpus record) finding; evidence is redacted, never plaintext."""

    document: str
    corpus: str
    record_id: str
    score: float
    fields: list[str]
    evidence: str
    line: int
    ref: tuple[int, int] = (0, 0)  # (segment, ordinal): identity within the corpus
    odds: float = 0.0  # posterior odds of this record at a neutral prior
    total_odds: float = 0.0  # summed over every record the line could be

    def posterior(self, prior_odds: float = 1.0) -> float:
        return self.odds * prior_odds / (1.0 + self.total_odds * prior_odds)

    def as_json(self) -> dict:
        return {"document": self.document, "corpus": self.corpus, "record_id": self.record_id,
                "score": round(self.score, 4), "fields": list(self.fields),
                "evidence": self.evidence}


@dataclass
class MatchBlock:
    """A document's matches against one corpus as columns: cheap to pickle between
    processes, and turned into :class:`Match` objects (or JSON lines) only when reported.
    ``evidence`` is redacted and without its "line N: " prefix (lines shift per chunk)."""

    document: str
    corpus: str
    line: np.ndarray  # int64
    seg: np.ndarray  # int32
    ordinal: np.ndarray  # int64
    odds: np.ndarray  # float64, at a neutral prior
    total: np.ndarray  # float64, summed over every record the line could be
    fieldset: np.ndarray  # uint8 bit mask over FIELD_NAMES
    record_id: list[str]
    evidence: list[str]
    _json: pa.Array | None = None

    def __len__(self) -> int:
        return int(self.line.size)

    def score(self, prior_odds: float = 1.0) -> np.ndarray:
        return self.odds * prior_odds / (1.0 + self.total * prior_odds)

    def match(self, i: int, score: float | None = None) -> Match:
        line = int(self.line[i])
        odds, total = float(self.odds[i]), float(self.total[i])
        return Match(self.document, self.corpus, self.record_id[i],
                     odds / (1.0 + total) if score is None else score,
                     _FIELD_LISTS[int(self.fieldset[i])],
                     f"line {line}: {self.evidence[i]}", line,
                     (int(self.seg[i]), int(self.ordinal[i])), odds, total)

    @classmethod
    def of(cls, matches: list[Match]) -> MatchBlock:
        """Match objects of one document and corpus as a block."""
        m0 = matches[0]
        return cls(m0.document, m0.corpus, np.array([m.line for m in matches], np.int64),
                   np.array([m.ref[0] for m in matches], np.int32),
                   np.array([m.ref[1] for m in matches], np.int64),
                   np.array([m.odds for m in matches]), np.array([m.total_odds for m in matches]),
                   np.array([sum(1 << FIELD_NAMES.index(f) for f in m.fields)
                             for m in matches], np.uint8),
                   [m.record_id for m in matches],
                   [m.evidence.split(": ", 1)[1] if ": " in m.evidence else m.evidence
                    for m in matches])

    def to_matches(self) -> list[Match]:
        return [self.match(i) for i in range(len(self))]

    def prepare_json(self, drop_fields: bool = False) -> None:
        """Render the JSON lines, as UTF-8 and with a score of 1.0 (what a match of a
        significant dump nearly always rounds to), in the worker: the main process then
        only joins them (call after the lines are final). ``drop_fields``: the record ids
        and evidence are then not kept (nor pickled) beside them."""
        head = (f'{{"document": {_js(self.document)}, "corpus": {_js(self.corpus)}, '
                '"record_id": ')
        rid = pa.array(self.record_id, pa.string())
        ev = pa.array(self.evidence, pa.string())
        if len(self) and not any(pc.any(pc.match_substring_regex(a, _NEEDS_ESCAPE)).as_py()
                                 for a in (rid, ev)):
            # nothing to escape: json.dumps would only put quotes around the strings
            self._json = pc.binary_join_element_wise(
                head + '"', rid, '", "score": 1.0, "fields": ',
                _FIELD_ARROW.take(pa.array(self.fieldset)), ', "evidence": "line ',
                pc.cast(pa.array(self.line), pa.string()), ": ", ev, '"}\n', "")
        else:
            self._json = pa.array([
                f'{head}{_js(r)}, "score": 1.0, "fields": {_FIELD_JSON[f]}, '
                f'"evidence": {_js(f"line {ln}: {e}")}}}\n'
                for r, f, ln, e in zip(self.record_id, self.fieldset.tolist(),
                                       self.line.tolist(), self.evidence, strict=True)],
                pa.string())
        if drop_fields:
            self.record_id, self.evidence = [], []

    def jsonl(self, idx: np.ndarray, scores: np.ndarray) -> bytes:
        """JSON lines (UTF-8) of the selected matches, exactly as ``json.dumps(
        m.as_json(), ensure_ascii=False)`` writes each: no dict, no encoder per match."""
        if self._json is None:
            self.prepare_json()
        if not idx.size:
            return b""
        first = int(idx[0])
        if idx[-1] - first + 1 == idx.size and (idx.size < 2 or (np.diff(idx) == 1).all()):
            lines = self._json.slice(first, idx.size)  # a run of lines (a dense dump): no copy
        else:
            lines = self._json.take(pa.array(idx))
        sure = scores >= 0.99996  # round(x, 4) == 1.0: the line is ready
        if sure.all():  # the selected lines end to end: the taken array's data buffer
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
            first, last = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
            return lines.buffers()[2].slice(first, last - first).to_pybytes()
        out = []
        for line, sc, one in zip(lines.to_pylist(), scores.tolist(), sure.tolist(),
                                 strict=True):
            # the first '"score": 1.0,' is the score's: quotes inside strings are escaped
            out.append(line if one else line.replace(
                _SCORE_ONE, f'"score": {round(sc, 4)!r},', 1))
        return "".join(out).encode()


_SCORE_ONE = '"score": 1.0,'
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'  # what json.dumps(ensure_ascii=False) escapes


@dataclass
class CandidateRows:
    """A document's candidate rows as arrays: what scoring needs, whichever path read
    them. ``parsed`` holds the rows that were parsed one by one (all of them on the line
    path; on the columnar path those with masked, OCR'd or otherwise unusual values)."""

    feats: np.ndarray  # (C, N_FEATURES) uint64
    nlen: np.ndarray  # (C,) name parts
    lines: np.ndarray  # (C,) int64, 1-based
    digits: np.ndarray  # (C,) int64, visible digits of a masked number
    phone_ocr: np.ndarray  # (C,) bool
    email_ocr: np.ndarray  # (C,) bool
    parsed: dict[int, ParsedRow]
    evidence: Callable[[np.ndarray], list[str]]  # redacted rows, for candidate indexes

    @property
    def size(self) -> int:
        return int(self.lines.size)

    def masked_phones(self) -> np.ndarray:
        return np.array([i for i, r in self.parsed.items()
                         if r.phone is not None and r.phone.shown is not None], dtype=np.int64)


def rows_from_parsed(rows: list[ParsedRow], lines: list[int], h: FeatureHasher
                     ) -> CandidateRows:
    feats, nlen = hash_rows(rows, h)
    C = len(rows)
    return CandidateRows(
        feats, nlen, np.array(lines, dtype=np.int64).reshape(-1),
        np.fromiter((visible_digits(r.phone) if r.phone is not None else 0 for r in rows),
                    np.int64, C),
        np.fromiter((r.phone is not None and r.phone.ocr for r in rows), bool, C),
        np.fromiter((r.email is not None and r.email.ocr for r in rows), bool, C),
        dict(enumerate(rows)),
        lambda idx: [redact_row(rows[c]) for c in idx.tolist()])


def parse_candidates(cands: list) -> tuple[list[ParsedRow], list[int]]:
    """Extracted candidates -> the parsed rows that can be looked up, and their lines."""
    rows, lines = [], []
    for c in cands:
        row = parse_row(c.values)
        if row.identifying or (row.name and (row.phone or row.email)):
            rows.append(row)
            lines.append(c.line)
    return rows, lines


def _js(s: str) -> str:
    return _encode_str(s)


@dataclass
class CorpusResult:
    corpus: str
    candidates: int = 0
    matched: int = 0  # candidates that hit a record (posterior >= 0.5 at a neutral prior)
    expected: float = 0.0  # matches a document of these candidates would show by chance
    # candidates by log2 of their odds summed over every record (ODDS_BINS; bin 0: no
    # record fits): what the share of copies in the document is estimated from
    odds_hist: np.ndarray = field(default_factory=lambda: np.zeros(ODDS_BINS + 1, np.int64))
    matches: list[Match] = field(default_factory=list)
    block: MatchBlock | None = None  # the same matches as arrays (scan_document)

    def merge(self, other: CorpusResult) -> None:
        self.candidates += other.candidates
        self.matched += other.matched
        self.expected += other.expected
        self.odds_hist += other.odds_hist
        self.matches.extend(other.matches)


@dataclass
class DocumentResult:
    document: str
    candidates: int
    results: dict[str, CorpusResult]


def _record_ids(segments: list[Segment], seg: np.ndarray, ords: np.ndarray) -> list[str]:
    """The record id of each (segment, ordinal), gathered per segment."""
    if len(segments) == 1:
        return segments[0].record_ids(ords)
    out = np.empty(ords.size, dtype=object)
    for si in np.unique(seg).tolist():
        sel = seg == si
        out[sel] = segments[si].record_ids(ords[sel])
    return out.tolist()


class Scanner:
    """Holds the open corpora and the hasher; cheap to call per document."""

    def __init__(self, home: Path, key: SecretKey, corpora: list[str] | None = None,
                 config: ScoringConfig | None = None) -> None:
        names = corpora or [m.name for m in list_corpora(home)]
        if not names:
            from dumpwatch.errors import IndexError_

            raise IndexError_(f"no corpus in {home}: add one with 'dumpwatch corpus add'")
        self.corpora = [Corpus(home, n, key) for n in names]
        self.hasher = FeatureHasher(key)
        self.config = config or ScoringConfig()
        self.columnar = True  # tables settled by the vote are read column by column
        self._column_hasher = None

    @property
    def column_hasher(self) -> ScanColumnHasher:
        if self._column_hasher is None:
            from matcher.scan_columns import ScanColumnHasher

            self._column_hasher = ScanColumnHasher(self.hasher)
        return self._column_hasher

    def scan_text(self, text: str, document: str) -> DocumentResult:
        """Matches as :class:`Match` objects (``CorpusResult.matches``)."""
        res = self.scan_document(text, document)
        for r in res.results.values():
            if r.block is not None:
                r.matches = r.block.to_matches()
                r.block = None
        return res

    def line_candidates(self, text: str, utf8: bytes | None = None) -> CandidateRows:
        rows, lines = parse_candidates(extract(text, utf8))
        return rows_from_parsed(rows, lines, self.hasher)

    def scan_document(self, text: str, document: str, utf8: bytes | None = None
                      ) -> DocumentResult:
        """Matches as arrays (``CorpusResult.block``): what crosses process boundaries.

        ``utf8``: the bytes ``text`` was decoded from, when it was UTF-8 (the prefilter
        scans bytes; a worker has them and need not encode 8 MB again).

        A delimited table whose column roles the vote settles is read column by column
        (:mod:`matcher.scan_columns`); free text, other layouts and tables the vote cannot
        settle go line by line. Both give the same matches (tests/test_scan_columns.py).
        """
        cands = None
        if self.columnar:
            from matcher.scan_columns import columnar_candidates

            cands = columnar_candidates(text, self.column_hasher)
        if cands is None:
            cands = self.line_candidates(text, utf8)
        results = {c.name: self._score(c, cands, document) for c in self.corpora}
        return DocumentResult(document, cands.size, results)

    def _score(self, corpus: Corpus, cands: CandidateRows, document: str) -> CorpusResult:
        cfg = self.config
        C = cands.size
        out = CorpusResult(corpus.name, candidates=C)
        if not C or corpus.records == 0:
            return out
        feats, nlen = cands.feats, cands.nlen.astype(np.int64)
        n_eff = max(corpus.records, cfg.assume_records)
        log_n = math.log2(n_eff)
        logf = np.zeros((C, N_FEATURES))
        counted = feats[:, COUNTED_FEATURES]
        counts = _counts(corpus, counted)
        logf[:, COUNTED_FEATURES] = np.log2(np.maximum(counts, 1) / corpus.records)
        cs = sketch16(feats)
        # Expected chance matches: each candidate fits N * prod(u) records by chance.
        spaces = {"phone_space": corpus.value_space("P", PHONE_SPACE),
                  "email_space": corpus.value_space("E", EMAIL_SPACE)}
        digits = cands.digits
        chance = chance_hits(chance_log2(cs, logf, **spaces, phone_digits=digits) + log_n)
        out.expected = float(chance.sum())

        keys = _keys(feats)
        owner = np.arange(C)
        masked = cands.masked_phones()
        extra, extra_owner = completed_rows(feats[masked], [cands.parsed[i] for i in
                                                            masked.tolist()], self.hasher)
        if extra_owner.size:
            extra_owner = masked[extra_owner]
            ek = np.zeros((extra_owner.size, keys.shape[1]), dtype=np.uint64)
            ek[:, _PHONE_KEYS] = _keys(extra)[:, _PHONE_KEYS]
            keys = np.concatenate([keys, ek])
            owner = np.concatenate([owner, extra_owner])
        flat = keys.ravel()
        nz = np.nonzero(flat)[0]
        cand_of_query = owner[nz // keys.shape[1]]
        key_of_query = nz % keys.shape[1]
        pairs_c: list[np.ndarray] = []
        pairs_s: list[int] = []
        pairs_o: list[np.ndarray] = []

        def follow(sel: np.ndarray) -> None:
            """Look the selected queries up; keep the records each may point at."""
            queries, cands_q = flat[nz[sel]], cand_of_query[sel]
            narrowed = _NARROWED[key_of_query[sel]]
            for s, seg in enumerate(corpus.segments):
                # keys that fit more records than a narrowed key may keep are never decoded
                q, ords = seg.lookup(queries, max_records=MAX_RECORDS_NARROWED)
                if q.size == 0:
                    continue
                per_q = np.bincount(q, minlength=queries.size)
                n_q = per_q[q]
                ok = n_q <= MAX_RECORDS_PER_KEY  # a key that fits thousands identifies no one
                wide = (~ok | narrowed[q]) & (n_q <= MAX_RECORDS_NARROWED)
                if wide.any():  # ...alone: beside a name, those whose name agrees are few
                    ok[wide] = _name_ends_agree(cs[cands_q[q[wide]]],
                                                seg.sketch["h"][ords[wide]])
                pairs_c.append(cands_q[q[ok]])
                pairs_o.append(ords[ok])
                pairs_s.append(s)

        # The fallback keys for a damaged number (name + a block or two digits of it) fit
        # ~15 customers each at 33.7M records: they are followed only for lines that no
        # record fits by the whole number or e-mail *and* the name already. Those records
        # would add odds some 2^-40 of the exact one's: nothing any score shows.
        fallback = _FALLBACK_KEY[key_of_query]
        exact = _EXACT_KEY[key_of_query]
        follow(exact)
        exact_pairs = len(pairs_c)
        follow(~exact & ~fallback)
        if fallback.any():
            settled = np.zeros(C, dtype=bool)
            named = cs[:, _N] != 0
            for c, s, o in zip(pairs_c[:exact_pairs], pairs_s, pairs_o, strict=False):
                if c.size:
                    seg_n = corpus.segments[s].sketch["h"]
                    hit = named[c]
                    agree = np.zeros(c.size, dtype=bool)
                    agree[hit] = _gather_n(seg_n, o[hit]) == cs[c[hit], _N]
                    settled[c[agree]] = True
            follow(fallback & ~settled[cand_of_query])
        if not pairs_c:
            return out
        # one uint64 per (candidate, segment, ordinal) makes de-duplication a 1-D unique
        packed = np.concatenate([(c.astype(np.uint64) << np.uint64(40))
                                 | (np.uint64(s) << np.uint64(34)) | o.astype(np.uint64)
                                 for c, s, o in zip(pairs_c, pairs_s, pairs_o, strict=True)])
        packed.sort()  # sort + neighbour test: np.unique's hash table is slower at 10^6
        packed = packed[np.r_[True, packed[1:] != packed[:-1]]]
        pc = (packed >> np.uint64(40)).astype(np.int64)
        ps = ((packed >> np.uint64(34)) & np.uint64(0x3F)).astype(np.int64)
        po = (packed & np.uint64((1 << 34) - 1)).astype(np.int64)
        rs = np.empty((pc.size, N_FEATURES), dtype=np.uint16)
        rl = np.empty(pc.size, dtype=np.int64)
        for s, seg in enumerate(corpus.segments):
            sel = ps == s
            if sel.any():
                sk = _gather(seg.sketch, po[sel])
                rs[sel] = sk["h"]
                rl[sel] = sk["nlen"]
        half_eq = self._half_agreement(cands.parsed, pc, rs)
        scores = compare(cs[pc], nlen[pc], rs, rl, logf[pc], cfg, **spaces,
                         phone_ocr=cands.phone_ocr[pc], email_ocr=cands.email_ocr[pc],
                         half_eq=half_eq, phone_digits=digits[pc])
        log_odds = scores.weight - log_n
        # Posterior over "copy of record r" for every r, against "none of them".
        odds = np.exp2(np.minimum(log_odds, 1000.0))
        total = np.bincount(pc, weights=odds, minlength=C)
        out.odds_hist = odds_histogram(total)
        order = np.lexsort((-log_odds, pc))
        best = order[np.r_[True, pc[order][1:] != pc[order][:-1]]]
        posterior = odds[best] / (1.0 + total[pc[best]])
        best = best[posterior >= HIT_POSTERIOR]
        out.matched = int(best.size)
        if best.size:
            c, s, o = pc[best], ps[best], po[best]
            segments = corpus.segments
            out.block = MatchBlock(
                document, corpus.name, cands.lines[c].astype(np.int64), s.astype(np.int32), o,
                odds[best], total[c],
                (scores.agreed[best] @ (1 << np.arange(5))).astype(np.uint8),
                _record_ids(segments, s, o),
                cands.evidence(c))
        return out

    def _half_agreement(self, parsed: dict[int, ParsedRow], pc: np.ndarray, rs: np.ndarray
                        ) -> np.ndarray:
        """(pairs, 4): whether each half-block of a masked number that shows one digit
        fits the record's half (True where there is nothing to check). pc: sorted."""
        out = np.ones((pc.size, 4), dtype=bool)
        alts = {}
        for c in np.unique(pc).tolist():
            row = parsed.get(c)
            if row is None:
                continue
            phone = row.phone
            if phone is not None and phone.shown is not None:
                a = half_digit_alternatives(phone, self.hasher)
                if a is not None and any(a):
                    alts[c] = a
        if not alts:
            return out
        # pc is sorted (it is the high bits of the de-duplicated pairs): slice, never scan
        starts = np.searchsorted(pc, list(alts), side="left")
        ends = np.searchsorted(pc, list(alts), side="right")
        for a, lo, hi in zip(alts.values(), starts.tolist(), ends.tolist(), strict=True):
            sel = np.arange(lo, hi)
            for k, values in enumerate(a):
                if values:
                    digests = sketch16(np.array(values, dtype=np.uint64).reshape(-1, 1))[:, 0]
                    out[sel, k] = np.isin(rs[sel, _Q0 + k], digests)
        return out


_N, _N0, _NL = F["N"], F["N0"], F["NL"]
_FALLBACK_KEY = np.array([parts in (("N", "Q3"), ("N", "PM")) for parts in BLOCKING_KEYS])
_EXACT_KEY = np.array([parts in (("P",), ("E",)) for parts in BLOCKING_KEYS])


def _name_ends_agree(c: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Candidate and record sketches (rows paired): the candidate shows its surname or last
    syllable and the record has the same there (what a masked name agrees on at least)."""
    c0, cl = c[:, _N0], c[:, _NL]
    return (((c0 != 0) | (cl != 0)) & ((c0 == 0) | (c0 == r[:, _N0]))
            & ((cl == 0) | (cl == r[:, _NL])))


def _counts(corpus: Corpus, counted: np.ndarray) -> np.ndarray:
    """corpus.counts per feature column over its distinct values: most repeat (names,
    districts, domains), and a sorted batch of fewer lookups walks the table in order."""
    out = np.empty(counted.shape, dtype=np.int64)
    for j in range(counted.shape[1]):
        u, inv = np.unique(counted[:, j], return_inverse=True)
        out[:, j] = corpus.counts(u)[inv]
    return out


def _gather_n(sketch_h: np.ndarray, ords: np.ndarray) -> np.ndarray:
    """The full-name digest of the records ``ords``."""
    order = np.argsort(ords, kind="stable")
    out = np.empty(ords.size, dtype=np.uint16)
    out[order] = np.asarray(sketch_h)[ords[order], _N]
    return out


def _gather(sketch: np.ndarray, ords: np.ndarray) -> np.ndarray:
    """sketch[ords], read in ordinal order (pages of the memory map in sequence)."""
    order = np.argsort(ords, kind="stable")
    out = np.empty(ords.size, dtype=sketch.dtype)
    out[order] = np.asarray(sketch)[ords[order]]
    return out


def _keys(feats: np.ndarray) -> np.ndarray:
    keys = blocking_keys(feats)
    # A phone block alone fits ~3,400 customers at 33.7M records: it is looked up for
    # masked names only (a full name has the far narrower name + block keys, a full number
    # its own key), and followed only where the name's visible ends agree.
    named = feats[:, F["N"]] != 0
    masked_name = ~named & ((feats[:, F["N0"]] != 0) | (feats[:, F["NL"]] != 0))
    keys[np.ix_(~masked_name | (feats[:, F["P"]] != 0), _BLOCK_KEYS)] = 0
    strong = (feats[:, F["P"]] != 0) | (feats[:, F["E"]] != 0)
    keys[np.ix_(strong, WEAK_KEYS)] = 0
    return keys


_Q0 = F["Q0"]


MAX_COPY_SHARE = 0.99
ODDS_LOW, ODDS_BINS = -20, 64  # log2 odds bins [-20, 44); below: nothing fits
_BIN_ODDS = np.exp2(np.arange(ODDS_LOW, ODDS_LOW + ODDS_BINS) + 0.5)


def odds_histogram(total: np.ndarray) -> np.ndarray:
    """Candidates counted by their summed odds (bin 0: none), mergeable across chunks."""
    b = np.zeros(total.size, dtype=np.int64)
    fits = total >= 2.0 ** ODDS_LOW
    b[fits] = np.clip(np.floor(np.log2(total[fits])).astype(np.int64) - ODDS_LOW, 0,
                      ODDS_BINS - 1) + 1
    return np.bincount(b, minlength=ODDS_BINS + 1)


def copy_share(odds_hist: np.ndarray, rounds: int = 60) -> float:
    """The share of lines that are copies of some record, by EM over the lines' odds.

    A line with summed odds T is a copy with probability Tk / (1 + Tk) at prior odds k;
    the share is the mean of that over the lines, k its odds. Lines that fit several
    records count as what their odds say, lines that fit none as non-copies: a dump of
    masked lines that mostly fit several customers is still recognised as mostly copies.
    """
    n = odds_hist.sum()
    if n == 0:
        return 0.0
    counts = odds_hist[1:]
    share = 0.5
    for _ in range(rounds):
        k = share / (1.0 - share)
        share = min(float((counts * (_BIN_ODDS * k / (1.0 + _BIN_ODDS * k))).sum() / n),
                    MAX_COPY_SHARE)
    return share


def document_prior(matched: int, expected: float, candidates: int,
                   odds_hist: np.ndarray | None = None) -> float:
    """Prior odds that a line of a significant document is a copy from the corpus.

    With the lines' odds: the share of copies they imply (copy_share). Without: the
    excess of hits over chance, bounded by the hit ratio. Decoys mixed into a real dump
    gain little either way: they fit no record, or fit like chance.
    """
    if odds_hist is not None:
        share = copy_share(odds_hist)
        return max(1.0, share / (1.0 - share))
    excess = (matched - expected) / max(expected, 1e-9)
    return max(1.0, min(excess, matched / (candidates - matched + 1)))


def decide(result: CorpusResult, config: ScoringConfig) -> tuple[str, float, list[Match]]:
    """The document's verdict and the matches worth reporting under it.

    In a significant document every line attributed to one record is reported, weighed
    with the document's prior; otherwise only matches strong enough alone (a full
    record, not one phone number in chatter).
    """
    label, p = verdict(result.matched, result.expected, config)
    if label == "redistribution":
        prior = document_prior(result.matched, result.expected, result.candidates,
                               result.odds_hist)
        threshold = config.match_threshold
    else:
        prior, threshold = 1.0, config.strong_threshold
    seen: set[tuple[int, int]] = set()
    reported = []
    for m in sorted(result.matches, key=lambda m: -m.odds):
        m.score = m.posterior(prior)
        if m.score >= threshold and m.ref not in seen:
            seen.add(m.ref)
            reported.append(m)
    reported.sort(key=lambda m: m.line)
    return label, p, reported


assert F["N"] == 0
