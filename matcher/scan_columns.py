"""Delimited tables read column by column: the dense-dump path of the scanner.

A re-posted dump is a table. Once the vote of :mod:`matcher.extract.text` has settled its
delimiter and column roles (on the same sample the line path votes on), every row is cut
with ``str.split`` and each role becomes one pyarrow column; the corpus-side kernels of
:class:`matcher.columnar.ColumnHasher` then normalise and hash whole columns. Rows with
values the kernels leave to the per-value parser (masked, OCR'd, landline numbers, split
or annotated names) are parsed one by one, as the line path would, because scoring needs
their parsed form (masked digits, OCR flags). Lines that are not rows of the table go
through the free-text path exactly as in :func:`matcher.extract.extract`.

Evidence is rendered from the columns only for the candidates that hit a record, with
the same redaction as :func:`matcher.redact.redact_row`. Anything this module cannot
settle the way the line path would (JSON, SQL, HTML, full-width text, a table whose rows
do not keep one order of fields) returns None, and the caller takes the line path.
tests/test_scan_columns.py holds both paths to the same matches, record by record.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from matcher.columnar import (
    _HONORIFIC_END,
    _PLAIN_EMAIL,
    _PLAIN_MOBILE,
    _PLAIN_NAME,
    _PLAIN_ROAD,
    _PY_WHITESPACE,
    ColumnHasher,
)
from matcher.extract import _FULLWIDTH
from matcher.extract.anchors import anchored_windows
from matcher.extract.candidate import IDENTIFYING, NAME_ROLES, ORDER_ROLES, lookupable_roles
from matcher.extract.structured import _INSERT, looks_html
from matcher.extract.text import (
    _SAMPLE_ROWS,
    _choose_delimiter,
    _infer_columns,
    _split,
    freetext_candidates,
    logical_lines,
)
from matcher.fields import N_FEATURES, ParsedRow, hash_row, parse_row
from matcher.keys import FeatureHasher
from matcher.normalize.address import PROVINCES
from matcher.redact import redact_address, redact_name, redact_row
from matcher.roles import looks_like_header

if TYPE_CHECKING:
    from matcher.scan import CandidateRows

# Below this many rows a table is cheaper line by line (pyarrow's fixed costs dominate).
MIN_TABLE_ROWS = 32
PREFIX_CHARS = 1 << 16  # a document whose head holds no table is not tried as one
# Lines around the rows left over from the table that the free-text pass sees: more than
# its context (3 lines) plus what a trace can span, so its windows are the same as over
# the whole text.
REST_MARGIN = 8
_WHOLE_ROW = r"^[=']|[(/,]"  # ColumnHasher's rows for parse_row as a whole (name notes...)


class ScanColumnHasher(ColumnHasher):
    """ColumnHasher that also says which rows it settled value by value."""

    def __init__(self, hasher: FeatureHasher) -> None:
        super().__init__(hasher, None)
        self.nonempty: dict[str, np.ndarray] = {}
        self.slow: np.ndarray | None = None

    def _per_value(self, col: pa.Array, sel: np.ndarray, role: str, feats: np.ndarray,
                   found: np.ndarray, stats: object) -> None:  # type: ignore[override]
        if self.slow is not None:
            self.slow |= sel & self.nonempty[role]
        super()._per_value(col, sel, role, feats, found, stats)  # type: ignore[arg-type]


class _Table:
    """The rows of a voted table that can be looked up, as role columns."""

    def __init__(self, cols: dict[str, pa.Array], lines: np.ndarray,
                 rest: list) -> None:
        self.cols = cols
        self.lines = lines
        self.rest = rest  # free-text candidates from the lines that are not table rows


def read_table(text: str) -> _Table | None:
    """The document as a voted table, or None where extract() would not read it as one
    (or where its first 64 KB hold no table: free text goes straight to the line path)."""
    if _choose_delimiter(text[:PREFIX_CHARS].split("\n")) is None:
        return None
    if _FULLWIDTH.search(text):
        return None
    head = text.lstrip()[:1]
    if not head or head in "[{":
        return None
    if "insert" in text[:1 << 20].lower() and _INSERT.search(text):
        return None
    if looks_html(text):
        return None
    lines, numbers = logical_lines(text)
    choice = _choose_delimiter(lines)
    if choice is None:
        return None
    delim, width = choice
    # as tabular_candidates cuts them: _split, and no cells for a blank line
    if delim in ("  ", "\t"):
        split = [_split(ln, delim) if ln.strip() else [] for ln in lines]
    else:  # no whitespace delimiter: _split is str.split, or csv for a line with quotes
        split = _split_all(lines, delim)
        if split is None:
            split = [ln.split(delim) for ln in lines]
            if '"' in text:
                _split_quoted(lines, split, delim)
    widths = np.fromiter(map(len, split), np.int64, len(split))
    tab = np.flatnonzero(widths == width)
    if not tab.size:
        return None
    header = None
    if looks_like_header(split[tab[0]]):
        header = split[tab[0]]
        tab = tab[1:]
    if tab.size < MIN_TABLE_ROWS:
        return None
    columns, ordered = _infer_columns([split[i] for i in tab[:_SAMPLE_ROWS].tolist()], header)
    if not ordered or not lookupable_roles(columns.values()):
        return None
    first, last = int(tab[0]), int(tab[-1])
    rows = split[first:last + 1] if last - first + 1 == tab.size else [split[i] for i in tab]
    by_column = list(zip(*rows, strict=True))  # every row `width` wide
    cols = {role: pc.utf8_trim(pa.array(by_column[j], pa.string()), characters=_PY_WHITESPACE)
            for j, role in columns.items()}
    filled = {r: pc.not_equal(c, "").to_numpy(zero_copy_only=False) for r, c in cols.items()}

    def any_of(roles: tuple[str, ...]) -> np.ndarray:
        out = np.zeros(tab.size, dtype=bool)
        for r in roles:
            if r in filled:
                out |= filled[r]
        return out

    ok = any_of(IDENTIFYING) | (any_of(NAME_ROLES) & any_of(ORDER_ROLES))  # lookupable
    rest = np.union1d(np.flatnonzero(widths != width), tab[~ok])
    if not ok.all():
        mask = pa.array(ok)
        cols = {r: c.filter(mask) for r, c in cols.items()}
    number = np.asarray(numbers, dtype=np.int64)
    return _Table(cols, number[tab[ok]], _rest_candidates(lines, numbers, rest))


def _split_all(lines: list[str], delim: str) -> list[list[str]] | None:
    """Every line cut by one csv reader (C speed): what _split gives each, as long as
    every row comes from exactly one line (a line without quotes is then cut at every
    delimiter, as str.split does; a blank line has no cells). None: cut line by line."""
    try:
        reader = csv.reader(lines, delimiter=delim)
        rows = list(reader)
    except csv.Error:  # a NUL, a bare CR, an over-long field: _split decides per line
        return None
    return rows if len(rows) == len(lines) == reader.line_num else None


def _split_quoted(lines: list[str], split: list[list[str]], delim: str) -> None:
    """_split for the lines with quotes, by one csv reader over all of them: the same
    cells as a reader per line as long as every row comes from exactly one line (checked
    by the reader's line count; otherwise, or on a csv error, line by line after all)."""
    quoted = [i for i, ln in enumerate(lines) if '"' in ln]
    if not quoted:
        return
    try:
        reader = csv.reader([lines[i] for i in quoted], delimiter=delim)
        rows = []
        for k, row in enumerate(reader, 1):
            if reader.line_num != k:
                raise csv.Error("a quoted field ran past its line")
            rows.append(row)
        if len(rows) != len(quoted):
            raise csv.Error("lines without a row")
    except csv.Error:
        rows = [_split(lines[i], delim) for i in quoted]
    for i, row in zip(quoted, rows, strict=True):
        split[i] = row


def _rest_candidates(lines: list[str], numbers: list[int], rest: np.ndarray) -> list:
    """extract()'s free-text pass over the leftover lines, run on the neighbourhoods of
    those lines only (a dense table would otherwise be regex-scanned in full again)."""
    out: list = []
    if not rest.size:
        return out
    last = len(lines) - 1
    ranges: list[list[int]] = []
    for i in rest.tolist():
        lo, hi = max(i - REST_MARGIN, 0), min(i + REST_MARGIN, last)
        if ranges and lo <= ranges[-1][1] + 1:
            ranges[-1][1] = hi
        else:
            ranges.append([lo, hi])
    for lo, hi in ranges:
        sub = lines[lo:hi + 1]
        keep = rest[(rest >= lo) & (rest <= hi)] - lo
        for window in anchored_windows(sub, keep.tolist()):
            out.extend(freetext_candidates([sub[i] for i in window],
                                           [numbers[lo + i] for i in window]))
    return out


def columnar_candidates(text: str, ch: ScanColumnHasher) -> CandidateRows | None:
    """The document's candidate rows, or None: take the line path."""
    try:
        table = read_table(text)
    except (UnicodeEncodeError, pa.ArrowException):  # a lone surrogate has no UTF-8 form
        return None
    if table is None:
        return None
    return _candidates(table, ch)


def _candidates(table: _Table, ch: ScanColumnHasher) -> CandidateRows:
    from matcher.scan import CandidateRows, parse_candidates, rows_from_parsed

    cols, n = table.cols, int(table.lines.size)
    ch.extracted = {}  # this document's regex groups, for its evidence (the last one's go)
    feats = np.zeros((n, N_FEATURES), dtype=np.uint64)
    nlen = np.zeros(n, dtype=np.uint8)
    ident = np.zeros(n, dtype=bool)
    if "surname" in cols or "given" in cols:
        whole = np.ones(n, dtype=bool)
    elif "name" in cols:
        whole = pc.match_substring_regex(cols["name"], _WHOLE_ROW).to_numpy(
            zero_copy_only=False)
    else:
        whole = np.zeros(n, dtype=bool)
    part = np.flatnonzero(~whole)
    if part.size:
        sel = pa.array(~whole) if whole.any() else None
        sub = {r: c.filter(sel) if sel is not None else c for r, c in cols.items()}
        ch.nonempty = {r: pc.not_equal(c, "").to_numpy(zero_copy_only=False)
                       for r, c in sub.items()}
        ch.slow = np.zeros(part.size, dtype=bool)
        try:
            f, nl, idf, _ = ch.features(sub, int(part.size))
            slow = part[ch.slow]
        finally:
            ch.slow = None
        feats[part], nlen[part], ident[part] = f, nl, idf
        whole[slow] = True
    parsed: dict[int, ParsedRow] = {}
    special = np.flatnonzero(whole)
    if special.size:
        take = pa.array(special)
        values = {r: c.take(take).to_pylist() for r, c in cols.items()}
        for k, i in enumerate(special.tolist()):
            row = parse_row({r: v[k] for r, v in values.items() if v[k]})
            parsed[i] = row
            feats[i] = hash_row(row, ch.h)
            nlen[i] = len(row.name.parts) if row.name else 0
            ident[i] = row.identifying or bool(row.name and (row.phone or row.email))
    keep = np.flatnonzero(ident)
    T = int(keep.size)
    digits = np.zeros(T, dtype=np.int64)
    phone_ocr = np.zeros(T, dtype=bool)
    email_ocr = np.zeros(T, dtype=bool)
    pos = {int(i): k for k, i in enumerate(keep.tolist())} if parsed else {}
    kept_parsed: dict[int, ParsedRow] = {}
    for i, row in parsed.items():
        k = pos.get(i)
        if k is None:
            continue
        kept_parsed[k] = row
        if row.phone is not None:
            digits[k] = sum(c.isdigit() for c in row.phone.shown) if row.phone.shown else 0
            phone_ocr[k] = row.phone.ocr
        if row.email is not None:
            email_ocr[k] = row.email.ocr
    render = _Evidence(cols, keep, kept_parsed, ch)
    rest_rows, rest_lines = parse_candidates(table.rest)
    if not rest_rows:
        return CandidateRows(feats[keep], nlen[keep], table.lines[keep], digits, phone_ocr,
                             email_ocr, kept_parsed, render)
    other = rows_from_parsed(rest_rows, rest_lines, ch.h)

    def evidence(idx: np.ndarray) -> list[str]:
        out: list[str] = [""] * idx.size
        mine = idx < T
        for j, s in zip(np.flatnonzero(mine).tolist(), render(idx[mine]), strict=True):
            out[j] = s
        for j, s in zip(np.flatnonzero(~mine).tolist(), other.evidence(idx[~mine] - T),
                        strict=True):
            out[j] = s
        return out

    kept_parsed.update({T + i: r for i, r in other.parsed.items()})
    return CandidateRows(
        np.concatenate([feats[keep], other.feats]), np.concatenate([nlen[keep], other.nlen]),
        np.concatenate([table.lines[keep], other.lines]),
        np.concatenate([digits, other.digits]), np.concatenate([phone_ocr, other.phone_ocr]),
        np.concatenate([email_ocr, other.email_ocr]), kept_parsed, evidence)


class _Evidence:
    """redact_row's text for table rows, rendered from the columns on demand: pyarrow
    string kernels for the values the column kernels settled, the parsers for the rest."""

    def __init__(self, cols: dict[str, pa.Array], rows: np.ndarray,
                 parsed: dict[int, ParsedRow], ch: ScanColumnHasher) -> None:
        self.cols, self.rows, self.parsed, self.ch = cols, rows, parsed, ch

    def __call__(self, idx: np.ndarray) -> list[str]:
        if not idx.size:
            return []
        take = pa.array(self.rows[idx])
        get = {r: c.take(take) for r, c in self.cols.items()}

        def groups(role: str, pattern: str, lower: bool = False) -> pa.StructArray:
            """The hashing pass's regex groups for these rows, or the regex run on them."""
            g = self.ch.extracted_groups(self.cols[role], pattern, lower)
            if g is not None:
                return g.take(take)
            return pc.extract_regex(pc.ascii_lower(get[role]) if lower else get[role], pattern)

        parts = []
        if "name" in get:
            parts.append(_names(get["name"]))
        if "phone" in get:
            parts.append(_phones(groups("phone", _PLAIN_MOBILE)))
        if "email" in get:
            parts.append(_emails(groups("email", _PLAIN_EMAIL, lower=True)))
        if "address" in get:
            parts.append(self._addresses(get["address"], groups("address", _PLAIN_ROAD)))
        if "order" in get or "order_date" in get:
            parts.append(_orders(get.get("order"), get.get("order_date")))
        if parts:
            # " · " before each value present, the first one cut off (null_handling="skip"
            # of binary_join_element_wise drops rows in pyarrow 2x: not used)
            marked = [pc.if_else(pc.is_valid(p), pc.binary_join_element_wise(" · ", p, ""), "")
                      for p in parts]
            out = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*marked, ""), 3).to_pylist()
            if len(out) != idx.size:
                raise AssertionError("evidence rows lost")
        else:
            out = [""] * idx.size
        if self.parsed:
            for k, c in enumerate(idx.tolist()):
                row = self.parsed.get(c)
                if row is not None:
                    out[k] = redact_row(row)
        return out

    def _addresses(self, col: pa.Array, g: pa.StructArray) -> pa.Array:
        key = pc.if_else(pc.is_valid(g), pc.binary_join_element_wise(
            "\x01", g.field("pre"), ""), col)  # plain: its place only; else the whole value
        return _per_distinct(key, self._address)

    def _address(self, key: str) -> str | None:
        if key.startswith("\x01"):
            pre = key[1:]
            place = self.ch._place(pre)
            if place is not None:
                tokens = pre.split()
                province = PROVINCES.get(tokens[0]) if tokens else None
                return " ".join(p for p in (province, place[0]) if p) + " ***"
            return None  # not settled by the kernel: the row was parsed (self.parsed)
        if not key:
            return None
        addr = parse_row({"address": key}).address
        return redact_address(addr) if addr is not None else None


def _per_distinct(col: pa.Array, fn: Callable[[str], str | None]) -> pa.Array:
    """fn over each distinct value once; null where it gives None."""
    enc = pc.dictionary_encode(col)
    values = pa.array([fn(v) for v in enc.dictionary.to_pylist()], pa.string())
    return values.take(enc.indices)


def _names(col: pa.Array) -> pa.Array:
    """redact_name: plain Hangul names by kernels (김*, 김*준, 김**준), others parsed."""
    plain = pc.and_(pc.match_substring_regex(col, _PLAIN_NAME),
                    pc.invert(pc.match_substring_regex(col, _HONORIFIC_END)))
    n = pc.utf8_length(col)
    first = pc.utf8_slice_codeunits(col, 0, 1)
    last = pc.utf8_slice_codeunits(col, -1)
    stars = pc.if_else(pc.equal(n, 4), "**", "*")
    kernel = pc.binary_join_element_wise(first, stars, pc.if_else(pc.equal(n, 2), "", last),
                                         "")
    if pc.all(plain).as_py():
        return kernel
    other = _per_distinct(pc.if_else(plain, "", col), _name)
    return pc.if_else(plain, kernel, other)


def _name(value: str) -> str | None:
    if not value:
        return None
    name = parse_row({"name": value}).name
    return redact_name(name) if name is not None else None


def _phones(g: pa.StructArray) -> pa.Array:
    """redact_phone of plain mobile numbers (other phones are parsed per row), from the
    column's _PLAIN_MOBILE groups."""
    carrier, mid, last = g.field("carrier"), g.field("mid"), g.field("last")
    other = pc.binary_join_element_wise(
        "+821", pc.if_else(pc.equal(pc.utf8_length(mid), 4), "*****", "****"), last, "")
    out = pc.if_else(pc.equal(carrier, "10"), pc.binary_join_element_wise("010-****-", last, ""),
                     other)
    return pc.if_else(pc.is_valid(g), out, pa.scalar(None, pa.string()))  # empty cells


def _emails(g: pa.StructArray) -> pa.Array:
    """redact_email of plain addresses (others are parsed per row), from the lower-cased
    column's _PLAIN_EMAIL groups."""
    out = pc.binary_join_element_wise(pc.utf8_slice_codeunits(g.field("local"), 0, 2),
                                      "***@", g.field("domain"), "")
    return pc.if_else(pc.is_valid(g), out, pa.scalar(None, pa.string()))  # empty cells


def _orders(item: pa.Array | None, date: pa.Array | None) -> pa.Array:
    if item is not None and date is not None:
        joined = pc.binary_join_element_wise(item, date, "\x00")
    else:
        joined = item if item is not None else date
        joined = pc.binary_join_element_wise(joined, "", "\x00") if item is not None else \
            pc.binary_join_element_wise("", joined, "\x00")
    return _per_distinct(joined, _order)


def _order(value: str) -> str | None:
    item, _, date = value.partition("\x00")
    if not item and not date:
        return None
    row = parse_row({k: v for k, v in (("order", item), ("order_date", date)) if v})
    return "주문 ***" if row.order is not None else None
