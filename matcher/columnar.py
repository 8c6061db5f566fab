"""Corpus rows as columns: pyarrow cuts the CSV, vectorised kernels settle the common values.

The per-row path (``fields.parse_row`` + ``fields.hash_row``) costs ~30 µs a record in
Python. Here a chunk of lines is parsed by pyarrow's C reader, and each column is settled
the cheapest way that gives *exactly* the same feature hashes:

- phones and e-mails in their plain forms (``010-1234-5678``, ``kim@naver.com``) by
  pyarrow string kernels; the digit blocks of a phone are table lookups (10^4 blocks);
- names, addresses and orders once per distinct value of the chunk (dictionary encoding),
  through ``parse_row`` / ``hash_row`` themselves;
- everything else (masked, full-width, OCR-ish, Excel-quoted values; names with a note)
  falls back to ``parse_row`` per value or per row, and is counted.

Field features are computed one field at a time with ``hash_row(ParsedRow(field=...))``:
``hash_row`` writes each field into its own feature columns, so the OR of the per-field
vectors is the row's vector. tests/test_columnar.py compares both paths on varied rows, so
a change in fields.py that breaks this cannot go unnoticed.

A chunk the columnar reader cannot map line-for-line (a quoted field spanning lines, a
row with the wrong number of fields, bytes that are not UTF-8, an over-long line) returns
None, and the caller processes it through the line reader, which reports bad rows by line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pv

from matcher.corpus_reader import MAX_LINE_BYTES, Layout
from matcher.fields import MAX_NAME_PARTS, N_FEATURES, F, ParsedRow, hash_row, parse_row
from matcher.keys import TAG_ADDRESS_DETAIL, TAG_PHONE, FeatureHasher, derive_array
from matcher.normalize import Address, Email
from matcher.normalize.address import _DISTRICT, PROVINCES
from matcher.normalize.ocr import misread_domain
from matcher.normalize.text import PY_WHITESPACE

# Trimmed as str.strip() does, so a trimmed cell equals the line reader's.
_PY_WHITESPACE = PY_WHITESPACE
# Plain Korean mobile numbers, ASCII separators only: the subset of parse_phone's grammar
# whose result is the groups themselves (nothing masked, nothing to undo).
_PLAIN_MOBILE = r"^0(?P<carrier>1[016789])[ .\-]*(?P<mid>[0-9]{3,4})[ .\-]*(?P<last>[0-9]{4})$"
# parse_email's fast path (its _PLAIN on the lower-cased ASCII value).
_PLAIN_EMAIL = r"^(?P<local>[a-z0-9._%+\-]+)@(?P<domain>[a-z0-9\-]+(?:\.[a-z0-9\-]+)+)$"
# A road address as shop exports write it: Hangul words (province, districts: checked by
# ColumnHasher._place), a road name ending in 로/길/거리 as parse_address's _ROAD reads it,
# a building number, and an optional ", N동 M호". Nothing else (no notes, no lot form).
_PLAIN_ROAD = (r"^(?P<pre>(?:[가-힣]+ ){0,3})(?P<road>[가-힣0-9]{1,12}(?:로|길|거리)) "
               r"(?P<bldg>[0-9]{1,5}(?:-[0-9]{1,4})?)(?:, (?P<dong>[0-9]+)동 (?P<ho>[0-9]+)호)?$")
MEMO_VALUES = 400_000
# parse_name's plain case: Hangul syllables only, no honorific suffix to strip.
_PLAIN_NAME = f"^[가-힣]{{2,{MAX_NAME_PARTS}}}$"
_HONORIFIC_END = "(?:님|씨|고객|회원)$"
_SYLLABLES = 0xD7A4 - 0xAC00
_FIELD_ROLES = ("name", "surname", "given", "phone", "email", "address", "order", "order_date")


@dataclass
class Settled:
    """How the values of a chunk were normalised (the benchmark prints the shares)."""

    vectorised: int = 0  # by pyarrow kernels and table lookups
    distinct: int = 0  # by the per-value normaliser, once per distinct value of the chunk
    fallback: int = 0  # by the per-value normaliser, value by value
    values: int = 0  # non-empty field values in all

    def add(self, other: Settled) -> None:
        self.vectorised += other.vectorised
        self.distinct += other.distinct
        self.fallback += other.fallback
        self.values += other.values


@dataclass
class ChunkColumns:
    """The role columns of a chunk's data rows, trimmed; ``blank`` marks empty lines."""

    rows: int
    blank: np.ndarray
    cols: dict[str, pa.Array] = field(default_factory=dict)


def read_chunk_supported(layout: Layout) -> bool:
    """Delimited UTF-8 files; JSON Lines and CP949 files take the line reader."""
    return layout.format == "delimited" and layout.encoding in ("utf-8", "utf-8-sig") and \
        "id" in layout.columns.values()


def read_chunk(chunk: bytes, layout: Layout) -> ChunkColumns | None:
    """Parse a chunk of whole lines; None if its rows do not map one-to-one onto its lines."""
    if not read_chunk_supported(layout):
        return None
    buf = np.frombuffer(chunk, dtype=np.uint8)
    nl = np.flatnonzero(buf == 10)
    ends = nl if chunk.endswith(b"\n") else np.append(nl, len(chunk))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    if lengths.size and int(lengths.max()) > MAX_LINE_BYTES:
        return None
    if b"\r" in chunk:  # pyarrow ends a line at a lone CR, the line reader does not
        cr_at_end = buf[np.maximum(ends - 1, 0)] == 13
        if int(np.count_nonzero(buf == 13)) != int(np.count_nonzero(cr_at_end & (lengths > 0))):
            return None
        lengths = lengths - cr_at_end
    names = [f"c{i}" for i in range(layout.width)]
    wanted = sorted(layout.columns)
    bad = [0]

    def on_invalid(_row: object) -> str:
        bad[0] += 1
        return "skip"

    try:
        table = pv.read_csv(
            pa.py_buffer(chunk),
            read_options=pv.ReadOptions(column_names=names, use_threads=False,
                                        block_size=len(chunk) + 1),
            parse_options=pv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=True,
                                          ignore_empty_lines=False,
                                          invalid_row_handler=on_invalid),
            convert_options=pv.ConvertOptions(
                include_columns=[names[i] for i in wanted],
                column_types={names[i]: pa.string() for i in wanted},
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # not UTF-8, unbalanced quotes...: the line reader says which line
    if bad[0] or table.num_rows != lengths.size:
        return None
    cols: dict[str, pa.Array] = {}
    for idx in wanted:  # a role on several columns: the last non-empty cell wins
        role = layout.columns[idx]
        col = pc.utf8_trim(table.column(names[idx]).combine_chunks(), characters=_PY_WHITESPACE)
        if role in cols:
            col = pc.if_else(pc.equal(col, ""), cols[role], col)
        cols[role] = col
    return ChunkColumns(table.num_rows, lengths == 0, cols)


def _codes(arr: pa.Array) -> tuple[np.ndarray, list[str]]:
    enc = pc.dictionary_encode(arr)
    return (enc.indices.to_numpy(zero_copy_only=False).astype(np.int64),
            enc.dictionary.to_pylist())


def _hash_strings(h: FeatureHasher, prefix: bytes, arr: pa.Array) -> np.ndarray:
    """Keyed digests of prefix + value for every value, as FeatureHasher.uncached gives."""
    return h.digests(pc.binary_join_element_wise(prefix, arr.cast(pa.binary()), b"").to_pylist())


class ColumnHasher:
    """Feature vectors for columns of values; one per worker (holds the block tables)."""

    def __init__(self, hasher: FeatureHasher, complete: Callable[[Address], Address] | None
                 = None) -> None:
        self.h = hasher
        self.complete = complete
        self._blocks: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._places: dict[str, tuple[str | None, int] | None] = {}
        self._syllables: np.ndarray | None = None
        # Names repeat across a corpus (~150k distinct in 1M records): each is parsed once
        # per worker while the memo has room (plaintext in worker memory only, as ever).
        self._memo: dict[str, dict[str, tuple[ParsedRow, np.ndarray]]] = {}
        self._memo_size = 0
        # (column, pattern) -> its extract_regex, for a scan's evidence to reuse (the same
        # regexes over the same columns cost as much again); None: not kept (ingest).
        self.extracted: dict[tuple[int, str, bool], tuple[pa.Array, pa.StructArray]] | None = None

    def extract(self, col: pa.Array, pattern: str, lower: bool = False) -> pa.StructArray:
        """``pc.extract_regex(col, pattern)`` (of the column ASCII-lower-cased, with
        ``lower``), kept while ``extracted`` is a dict."""
        g = self.extracted_groups(col, pattern, lower)
        if g is None:
            g = pc.extract_regex(pc.ascii_lower(col) if lower else col, pattern)
            if self.extracted is not None:  # the column too: its id stays unique meanwhile
                self.extracted[(id(col), pattern, lower)] = (col, g)
        return g

    def extracted_groups(self, col: pa.Array, pattern: str, lower: bool = False
                         ) -> pa.StructArray | None:
        hit = (self.extracted or {}).get((id(col), pattern, lower))
        return hit[1] if hit is not None and hit[0] is col else None

    # -------------------------------------------------------------- per distinct value
    def _row(self, values: dict[str, str]) -> tuple[ParsedRow, list[int]]:
        row = parse_row(values)
        if self.complete is not None and row.address is not None:
            row = ParsedRow(row.name, row.phone, row.email, self.complete(row.address), row.order)
        return row, hash_row(row, self.h)

    def _block_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(PM, Q0, Q1) for every 4-digit middle block, (PL, Q2, Q3) for every last block,
        PM for every 3-digit middle block: the digests fields._block_hashes takes, in one
        batch (hash_row per block cost every scan worker 0.17 s before its first chunk;
        tests/test_columnar.py checks every entry against hash_row)."""
        if self._blocks is None:
            blocks = [f"{b:04d}" for b in range(10_000)]
            halves = [f"{b:02d}" for b in range(100)]

            def digests(label: str, values: list[str]) -> np.ndarray:
                return self.h.digests([f"{label}:{v}".encode() for v in values])

            def table(kind: str, q_first: str, q_second: str) -> np.ndarray:
                first = digests(q_first, halves)
                second = digests(q_second, halves)
                b = np.arange(10_000)
                return np.stack([digests(kind, blocks), first[b // 100], second[b % 100]], 1)

            pm3 = digests("PM", [f"{b:03d}" for b in range(1_000)])
            self._blocks = (table("PM", "Q0", "Q1"), table("PL", "Q2", "Q3"), pm3)
        return self._blocks

    # -------------------------------------------------------------- the chunk
    def features(self, cols: dict[str, pa.Array], rows: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Settled]:
        """(rows, N_FEATURES) feature hashes, name lengths, identifying flags, counts."""
        feats = np.zeros((rows, N_FEATURES), dtype=np.uint64)
        nlen = np.zeros(rows, dtype=np.uint8)
        found = np.zeros(rows, dtype=bool)  # a phone or an e-mail parsed
        named = np.zeros(rows, dtype=bool)
        located = np.zeros(rows, dtype=bool)  # address located or with a unit
        dated = np.zeros(rows, dtype=bool)  # order with item and date
        stats = Settled()
        for role in _FIELD_ROLES:
            if role in cols:
                stats.values += rows - int(pc.sum(pc.equal(cols[role], "")).as_py() or 0)
        # Rows the per-field path cannot settle: cross-field rules of parse_row.
        whole = np.zeros(rows, dtype=bool)
        if "surname" in cols or "given" in cols:
            whole[:] = True
        elif "name" in cols:
            whole |= pc.match_substring_regex(cols["name"], r"^[=']|[(/,]").to_numpy(
                zero_copy_only=False)
        part = ~whole

        if "phone" in cols:
            self._phones(cols["phone"], part, feats, found, stats)
        if "email" in cols:
            self._emails(cols["email"], part, feats, found, stats)
        if "name" in cols and not whole.all():
            plain = self._names(cols["name"], part, feats, nlen, stats)
            named |= plain
            idx, codes, rows_ = self._distinct(cols["name"], part & ~plain, "name", feats,
                                               stats)
            named[idx] = np.array([r.name is not None for r in rows_], dtype=bool)[codes]
            nlen[idx] = np.array([len(r.name.parts) if r.name else 0 for r in rows_],
                                 dtype=np.uint8)[codes]
        if "address" in cols:
            # With a road <-> lot table every address is completed through parse_row's
            # path (the table adds the other form), so none is settled by the kernels.
            plain = (self._addresses(cols["address"], part, feats, located, stats)
                     if self.complete is None else np.zeros(rows, dtype=bool))
            idx, codes, rows_ = self._distinct(cols["address"], part & ~plain, "address", feats,
                                               stats)
            ok = [r.address is not None and (r.address.located or r.address.unit is not None)
                  for r in rows_]
            located[idx] = np.array(ok, dtype=bool)[codes]
        if "order" in cols or "order_date" in cols:
            self._orders(cols, part, feats, stats, dated)
        identifying = found | (named & (located | dated))

        if whole.any():
            idx = np.flatnonzero(whole)
            roles = [r for r in cols if r != "id"]
            values = {r: cols[r].take(pa.array(idx)).to_pylist() for r in roles}
            for j, i in enumerate(idx):
                row, vec = self._row({r: values[r][j] for r in roles if values[r][j]})
                feats[i] = vec
                nlen[i] = len(row.name.parts) if row.name else 0
                identifying[i] = row.identifying
                stats.fallback += sum(1 for r in roles if values[r][j])
        return feats, nlen, identifying, stats

    def _distinct(self, col: pa.Array, sel: np.ndarray, role: str, feats: np.ndarray,
                  stats: Settled) -> tuple[np.ndarray, np.ndarray, list[ParsedRow]]:
        """Normalise each distinct value of the selected rows once; its features go to all
        the rows that hold it. Returns (rows, their value codes, the parsed values)."""
        idx = np.flatnonzero(sel)
        if not idx.size:
            return idx, idx, []
        codes, uniq = _codes(col.take(pa.array(idx)))
        vecs = np.zeros((len(uniq), N_FEATURES), dtype=np.uint64)
        rows: list[ParsedRow] = []
        memo = self._memo.setdefault(role, {})
        for k, v in enumerate(uniq):
            hit = memo.get(v)
            if hit is None:
                row, vec = self._row({role: v} if v else {})
                hit = (row, np.array(vec, dtype=np.uint64))
                if self._memo_size < MEMO_VALUES:
                    memo[v] = hit
                    self._memo_size += 1
            rows.append(hit[0])
            vecs[k] = hit[1]
        feats[idx] |= vecs[codes]
        stats.distinct += int(np.count_nonzero(np.array([bool(v) for v in uniq])[codes]))
        return idx, codes, rows

    def _syllable_tables(self) -> np.ndarray:
        """(11172, MAX_NAME_PARTS + 1): N0..N3 and NL of every Hangul syllable, the digests
        fields._name_hashes takes, in one batch (hash_row per syllable cost every scan
        worker 0.29 s; tests/test_columnar.py checks every entry against hash_row)."""
        if self._syllables is None:
            chars = [chr(0xAC00 + k) for k in range(_SYLLABLES)]
            labels = [f"N{i}" for i in range(MAX_NAME_PARTS)] + ["NL"]
            self._syllables = np.stack(
                [self.h.digests([f"{lab}:{c}".encode() for c in chars]) for lab in labels], 1)
        return self._syllables

    def _names(self, col: pa.Array, part: np.ndarray, feats: np.ndarray, nlen: np.ndarray,
               stats: Settled) -> np.ndarray:
        """Names of 2-4 Hangul syllables with no honorific, settled without parse_name."""
        plain = pc.and_(pc.match_substring_regex(col, _PLAIN_NAME),
                        pc.invert(pc.match_substring_regex(col, _HONORIFIC_END)))
        plain = plain.to_numpy(zero_copy_only=False) & part
        idx = np.flatnonzero(plain)
        if not idx.size:
            return plain
        sub = pa.concat_arrays([col.take(pa.array(idx))]).cast(pa.binary())
        codes, uniq = _codes(sub.cast(pa.string()))
        full = np.array([self.h("N:" + u) for u in uniq], dtype=np.uint64)
        feats[idx, F["N"]] = full[codes]
        n = len(sub)
        offsets = np.frombuffer(sub.buffers()[1], dtype=np.int32)[sub.offset:sub.offset + n + 1]
        data = np.frombuffer(sub.buffers()[2], dtype=np.uint8)
        lens = (np.diff(offsets) // 3).astype(np.uint8)  # every syllable is 3 bytes of UTF-8

        def syllable(pos: np.ndarray) -> np.ndarray:
            code = ((data[pos].astype(np.int64) & 0xF) << 12) | \
                ((data[pos + 1].astype(np.int64) & 0x3F) << 6) | (data[pos + 2] & 0x3F)
            return code - 0xAC00

        tbl = self._syllable_tables()
        starts = offsets[:-1].astype(np.int64)
        for i in range(MAX_NAME_PARTS):
            has = lens > i
            feats[idx[has], F[f"N{i}"]] = tbl[syllable(starts[has] + 3 * i), i]
        feats[idx, F["NL"]] = tbl[syllable(offsets[1:].astype(np.int64) - 3), MAX_NAME_PARTS]
        nlen[idx] = lens
        stats.vectorised += int(idx.size)
        return plain

    def _addresses(self, col: pa.Array, part: np.ndarray, feats: np.ndarray,
                   located: np.ndarray, stats: Settled) -> np.ndarray:
        """Road addresses in the plain form "[province] [district..] road building[, N동 M호]"
        (the form shop exports write), settled without parse_address; returns which rows."""
        g = self.extract(col, _PLAIN_ROAD)
        plain = pc.is_valid(g).to_numpy(zero_copy_only=False) & part
        idx = np.flatnonzero(plain)
        if not idx.size:
            return plain
        g = g.take(pa.array(idx))
        pre_codes, pres = _codes(g.field("pre"))
        places = [self._place(p) for p in pres]
        fits = np.array([p is not None for p in places], dtype=bool)[pre_codes]
        plain[idx[~fits]] = False
        if not fits.all():
            sel = pa.array(np.flatnonzero(fits))
            idx, g, pre_codes = idx[fits], g.take(sel), pre_codes[fits]
        district_of = [p[0] if p is not None else None for p in places]
        ad = np.array([p[1] if p is not None else 0 for p in places], dtype=np.uint64)
        feats[idx, F["AD"]] = ad[pre_codes]
        road = pc.binary_join_element_wise(g.field("road"), g.field("bldg"), " ")
        road_codes, _ = _codes(road)
        uniq_roads = pc.unique(road)  # same order as the dictionary of _codes
        feats[idx, F["AR"]] = _hash_strings(self.h, b"AR:", uniq_roads)[road_codes]
        dong, ho = g.field("dong"), g.field("ho")
        has = pc.not_equal(dong, "").to_numpy(zero_copy_only=False)
        if has.any():
            sel = pa.array(np.flatnonzero(has))
            detail = pc.binary_join_element_wise(dong.take(sel), "동", ho.take(sel), "호", "")
            i_det = idx[has]
            d_codes, details = _codes(detail)
            axd = np.array([self.h("AXd:" + d) for d in details], dtype=np.uint64)
            feats[i_det, F["AX"]] = derive_array(TAG_ADDRESS_DETAIL, feats[i_det, F["AR"]],
                                                 axd[d_codes])
            dist = np.asarray(pre_codes[has])
            pairs = dist.astype(np.int64) * len(details) + d_codes
            uniq, inv = np.unique(pairs, return_inverse=True)
            au = np.zeros(uniq.size, dtype=np.uint64)
            for k, pair in enumerate(uniq):
                district = district_of[int(pair) // len(details)]
                if district is not None:  # hash_row's AU; cached, ~10^5 values in a corpus
                    au[k] = self.h(f"AU:{district}|{details[int(pair) % len(details)]}")
            feats[i_det, F["AU"]] = au[inv]
        located[idx] = True
        stats.vectorised += int(idx.size)
        return plain

    def _place(self, pre: str) -> tuple[str | None, int] | None:
        """Province and districts before the road, as parse_address reads them: (district,
        its AD hash), or None if a word there is neither (a dong, a building name...)."""
        cached = self._places.get(pre)
        if cached is not None or pre in self._places:
            return cached
        tokens = pre.split()
        i = 0
        province = PROVINCES.get(tokens[0]) if tokens else None
        if province:
            i = 1
        districts: list[str] = []
        while i < len(tokens) and len(districts) < 2 and _DISTRICT.match(tokens[i]) and \
                not tokens[i].endswith(("로", "길")):
            districts.append(tokens[i])
            i += 1
        out: tuple[str | None, int] | None = None
        if i == len(tokens):
            district = districts[-1] if districts else ("세종" if province == "세종" else None)
            ad = hash_row(ParsedRow(address=Address(province, district, None, None)),
                          self.h)[F["AD"]] if district is not None else 0
            out = (district, ad)
        self._places[pre] = out
        return out

    def _orders(self, cols: dict[str, pa.Array], part: np.ndarray, feats: np.ndarray,
                stats: Settled, dated: np.ndarray) -> None:
        item = cols.get("order")
        date = cols.get("order_date")
        if item is not None and date is not None:
            joined = pc.binary_join_element_wise(item, date, "\x00")
        else:
            joined = item if item is not None else date
        codes, uniq = _codes(joined)
        vecs = np.zeros((len(uniq), N_FEATURES), dtype=np.uint64)
        ok = np.zeros(len(uniq), dtype=bool)
        for k, v in enumerate(uniq):
            if item is not None and date is not None:
                o, _, d = v.partition("\x00")
            elif item is not None:
                o, d = v, ""
            else:
                o, d = "", v
            values = {r: x for r, x in (("order", o), ("order_date", d)) if x}
            row, vec = self._row(values)
            vecs[k] = vec
            ok[k] = row.order is not None and row.order.item is not None and \
                row.order.date is not None
        feats[part] |= vecs[codes[part]]
        dated |= part & ok[codes]
        for col in (item, date):
            if col is not None:
                stats.distinct += int(np.count_nonzero(
                    part & (col.to_numpy(zero_copy_only=False) != "")))

    def _phones(self, col: pa.Array, part: np.ndarray, feats: np.ndarray, found: np.ndarray,
                stats: Settled) -> None:
        plain = pc.match_substring_regex(col, _PLAIN_MOBILE).to_numpy(zero_copy_only=False)
        plain &= part
        idx = np.flatnonzero(plain)
        if idx.size:
            g = self.extract(col, _PLAIN_MOBILE).take(pa.array(idx))
            carrier, mid, last = (g.field(k) for k in ("carrier", "mid", "last"))
            pm, pl, pm3 = self._block_tables()
            mid_n = pc.cast(mid, pa.int32()).to_numpy()
            last_n = pc.cast(last, pa.int32()).to_numpy()
            four = pc.utf8_length(mid).to_numpy() == 4
            i4, i3 = idx[four], idx[~four]
            feats[i4[:, None], [F["PM"], F["Q0"], F["Q1"]]] = pm[mid_n[four]]
            feats[i3, F["PM"]] = pm3[mid_n[~four]]
            feats[idx[:, None], [F["PL"], F["Q2"], F["Q3"]]] = pl[last_n]
            # P as fields._phone_hash: derived from the prefix and block digests (4-digit
            # middle block), keyed over the whole number otherwise
            carrier_n = pc.cast(carrier, pa.int32()).to_numpy()
            prefix = np.array([self.h(f"Pp:+821{c % 10}") for c in range(10)], dtype=np.uint64)
            feats[i4, F["P"]] = derive_array(TAG_PHONE, prefix[carrier_n[four] % 10],
                                             feats[i4, F["PM"]], feats[i4, F["PL"]])
            if i3.size:
                sel = pa.array(np.flatnonzero(~four))
                e164 = pc.binary_join_element_wise(
                    "+821", pc.utf8_slice_codeunits(carrier.take(sel), 1), mid.take(sel),
                    last.take(sel), "")
                feats[i3, F["P"]] = _hash_strings(self.h, b"P:", e164)
            found[idx] = True
            stats.vectorised += int(idx.size)
        self._per_value(col, part & ~plain, "phone", feats, found, stats)

    def _emails(self, col: pa.Array, part: np.ndarray, feats: np.ndarray, found: np.ndarray,
                stats: Settled) -> None:
        ascii_ = pc.string_is_ascii(col)
        lower = pc.ascii_lower(col)
        plain = pc.and_(ascii_, pc.match_substring_regex(lower, _PLAIN_EMAIL))
        plain = pc.fill_null(plain, False).to_numpy(zero_copy_only=False) & part
        idx = np.flatnonzero(plain)
        if idx.size:
            sub = lower.take(pa.array(idx))
            g = self.extract(col, _PLAIN_EMAIL, lower=True).take(pa.array(idx))
            local, domain = g.field("local"), g.field("domain")
            # parse_email leaves "xxx" local parts and misread domains to the slow path
            keep = pc.invert(pc.match_substring(local, "xxx")).to_numpy(zero_copy_only=False)
            dcodes, domains = _codes(domain)
            misread = np.array([misread_domain(Email(None, "", d)) for d in domains],
                               dtype=bool)
            keep &= ~misread[dcodes]
            plain[idx[~keep]] = False
            sel = np.flatnonzero(keep)
            idx = idx[keep]
            sub = sub.take(pa.array(sel))
            local, domain = local.take(pa.array(sel)), domain.take(pa.array(sel))
            folded = sub
            for a, b in (("rn", "m"), ("o", "0"), ("i", "1"), ("l", "1")):
                folded = pc.replace_substring(folded, a, b)
            feats[idx, F["E"]] = _hash_strings(self.h, b"E:", folded)
            head = pc.binary_join_element_wise(pc.utf8_slice_codeunits(local, 0, 3), domain, "@")
            codes, uniq = _codes(head)
            cols = [F[k] for k in ("ED", "EP1", "EP2", "EP3")]
            vecs = np.zeros((len(uniq), len(cols)), dtype=np.uint64)
            for k, v in enumerate(uniq):
                prefix, _, dom = v.partition("@")
                vec = hash_row(ParsedRow(email=Email(None, prefix, dom)), self.h)
                vecs[k] = [vec[c] for c in cols]
            feats[idx[:, None], cols] = vecs[codes]
            found[idx] = True
            stats.vectorised += int(idx.size)
        self._per_value(col, part & ~plain, "email", feats, found, stats)

    def _per_value(self, col: pa.Array, sel: np.ndarray, role: str, feats: np.ndarray,
                   found: np.ndarray, stats: Settled) -> None:
        idx = np.flatnonzero(sel)
        if not idx.size:
            return
        for i, v in zip(idx, col.take(pa.array(idx)).to_pylist(), strict=True):
            if not v:
                continue
            row, vec = self._row({role: v})
            feats[i] |= np.array(vec, dtype=np.uint64)
            found[i] |= (row.phone if role == "phone" else row.email) is not None
            stats.fallback += 1
