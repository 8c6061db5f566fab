"""Scanning: a document's text -> matches against each corpus and a verdict.

This is the one place the matcher's stages meet: extract -> normalise -> hash ->
look up -> score -> decide. Everything here is per document; orchestration over
files, chunks and worker processes lives in :mod:`matcher.scan_files`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matcher.extract import extract
from matcher.fields import (
    BLOCKING_KEYS,
    COUNTED_FEATURES,
    N_FEATURES,
    WEAK_KEYS,
    F,
    blocking_keys,
    completed_rows,
    half_digit_alternatives,
    hash_rows,
    parse_row,
    sketch16,
    visible_digits,
)
from matcher.index import Corpus, list_corpora
from matcher.keys import FeatureHasher, SecretKey
from matcher.redact import redact_row
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
class CorpusResult:
    corpus: str
    candidates: int = 0
    matched: int = 0  # candidates that hit a record (posterior >= 0.5 at a neutral prior)
    expected: float = 0.0  # matches a document of these candidates would show by chance
    # candidates by log2 of their odds summed over every record (ODDS_BINS; bin 0: no
    # record fits): what the share of copies in the document is estimated from
    odds_hist: np.ndarray = field(default_factory=lambda: np.zeros(ODDS_BINS + 1, np.int64))
    matches: list[Match] = field(default_factory=list)

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

    def scan_text(self, text: str, document: str) -> DocumentResult:
        cands = extract(text)
        rows, lines = [], []
        for c in cands:
            row = parse_row(c.values)
            if row.identifying or (row.name and (row.phone or row.email)):
                rows.append(row)
                lines.append(c.line)
        results = {c.name: self._score(c, rows, lines, document) for c in self.corpora}
        return DocumentResult(document, len(rows), results)

    def _score(self, corpus: Corpus, rows: list, lines: list[int], document: str
               ) -> CorpusResult:
        cfg = self.config
        out = CorpusResult(corpus.name, candidates=len(rows))
        if not rows or corpus.records == 0:
            return out
        C = len(rows)
        feats, nlen8 = hash_rows(rows, self.hasher)
        nlen = nlen8.astype(np.int64)
        n_eff = max(corpus.records, cfg.assume_records)
        log_n = math.log2(n_eff)
        logf = np.zeros((C, N_FEATURES))
        counted = feats[:, COUNTED_FEATURES]
        counts = corpus.counts(counted.ravel()).reshape(counted.shape)
        logf[:, COUNTED_FEATURES] = np.log2(np.maximum(counts, 1) / corpus.records)
        cs = sketch16(feats)
        # Expected chance matches: each candidate fits N * prod(u) records by chance.
        spaces = {"phone_space": corpus.value_space("P", PHONE_SPACE),
                  "email_space": corpus.value_space("E", EMAIL_SPACE)}
        digits = np.fromiter((visible_digits(r.phone) if r.phone is not None else 0
                              for r in rows), np.int64, C)
        chance = chance_hits(chance_log2(cs, logf, **spaces, phone_digits=digits) + log_n)
        out.expected = float(chance.sum())

        keys = _keys(feats)
        owner = np.arange(C)
        extra, extra_owner = completed_rows(feats, rows, self.hasher)
        if extra_owner.size:
            ek = np.zeros((extra_owner.size, keys.shape[1]), dtype=np.uint64)
            ek[:, _PHONE_KEYS] = _keys(extra)[:, _PHONE_KEYS]
            keys = np.concatenate([keys, ek])
            owner = np.concatenate([owner, extra_owner])
        flat = keys.ravel()
        nz = np.nonzero(flat)[0]
        cand_of_query = owner[nz // keys.shape[1]]
        narrowed = _NARROWED[nz % keys.shape[1]]
        pairs_c, pairs_s, pairs_o = [], [], []
        for s, seg in enumerate(corpus.segments):
            q, ords = seg.lookup(flat[nz])
            if q.size == 0:
                continue
            per_q = np.bincount(q, minlength=nz.size)
            n_q = per_q[q]
            ok = n_q <= MAX_RECORDS_PER_KEY  # a key that fits thousands identifies no one...
            wide = (~ok | narrowed[q]) & (n_q <= MAX_RECORDS_NARROWED)
            if wide.any():  # ...alone: beside a name, those whose name agrees are few
                ok[wide] = _name_ends_agree(cs[cand_of_query[q[wide]]],
                                            seg.sketch["h"][ords[wide]])
            pairs_c.append(cand_of_query[q[ok]])
            pairs_o.append(ords[ok])
            pairs_s.append(np.full(int(ok.sum()), s))
        if not pairs_c:
            return out
        # one uint64 per (candidate, segment, ordinal) makes de-duplication a 1-D unique
        packed = np.unique((np.concatenate(pairs_c).astype(np.uint64) << np.uint64(40))
                           | (np.concatenate(pairs_s).astype(np.uint64) << np.uint64(34))
                           | np.concatenate(pairs_o).astype(np.uint64))
        pc = (packed >> np.uint64(40)).astype(np.int64)
        ps = ((packed >> np.uint64(34)) & np.uint64(0x3F)).astype(np.int64)
        po = (packed & np.uint64((1 << 34) - 1)).astype(np.int64)
        rs = np.empty((pc.size, N_FEATURES), dtype=np.uint16)
        rl = np.empty(pc.size, dtype=np.int64)
        for s, seg in enumerate(corpus.segments):
            sel = ps == s
            if sel.any():
                sk = seg.sketch[po[sel]]
                rs[sel] = sk["h"]
                rl[sel] = sk["nlen"]
        phone_ocr = np.fromiter((r.phone is not None and r.phone.ocr for r in rows), bool, C)
        email_ocr = np.fromiter((r.email is not None and r.email.ocr for r in rows), bool, C)
        half_eq = self._half_agreement(rows, pc, rs)
        scores = compare(cs[pc], nlen[pc], rs, rl, logf[pc], cfg, **spaces,
                         phone_ocr=phone_ocr[pc], email_ocr=email_ocr[pc],
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
        field_sets = scores.agreed[best] @ (1 << np.arange(5))
        segments = corpus.segments
        for j, fs in zip(best.tolist(), field_sets.tolist(), strict=True):
            c, s, o = int(pc[j]), int(ps[j]), int(po[j])
            # score: the posterior at a neutral prior, what a match is worth on its own
            out.matches.append(Match(
                document, corpus.name, segments[s].record_id(o),
                float(odds[j] / (1.0 + total[c])), _FIELD_LISTS[fs],
                f"line {lines[c]}: {redact_row(rows[c])}", lines[c], (s, o),
                float(odds[j]), float(total[c])))
        return out

    def _half_agreement(self, rows: list, pc: np.ndarray, rs: np.ndarray) -> np.ndarray:
        """(pairs, 4): whether each half-block of a masked number that shows one digit
        fits the record's half (True where there is nothing to check). pc: sorted."""
        out = np.ones((pc.size, 4), dtype=bool)
        alts = {}
        for c in np.unique(pc).tolist():
            phone = rows[c].phone
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


_N0, _NL = F["N0"], F["NL"]


def _name_ends_agree(c: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Candidate and record sketches (rows paired): the candidate shows its surname or last
    syllable and the record has the same there (what a masked name agrees on at least)."""
    c0, cl = c[:, _N0], c[:, _NL]
    return (((c0 != 0) | (cl != 0)) & ((c0 == 0) | (c0 == r[:, _N0]))
            & ((cl == 0) | (cl == r[:, _NL])))


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
