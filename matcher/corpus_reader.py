"""Reading a breach corpus file: compression, encoding, layout, and bad rows.

The reader never raises on a bad *row*: it yields a reason with the line number and
goes on, so one broken line cannot cost the other 33 million. It raises
:class:`CorpusError` only when the *file* is unusable (missing, empty, binary, no
identifier column), before any work is done.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from dumpwatch.errors import CorpusError, CorpusFormatError
from matcher.roles import fold_header, looks_like_header, role_of_header, roles_from_headers

MAX_LINE_BYTES = 1 << 20
_SNIFF_BYTES = 256 * 1024
_DELIMITERS = (",", "\t", "|", ";")
ENCODINGS = ("utf-8", "cp949")


@dataclass(frozen=True)
class Layout:
    """How to cut a corpus line into role values; picklable for worker processes."""

    format: str  # "delimited" | "jsonl"
    encoding: str
    delimiter: str = ","
    columns: dict[int, str] = field(default_factory=dict)  # delimited: index -> role
    keys: dict[str, str] = field(default_factory=dict)  # jsonl: key -> role
    width: int = 0  # delimited: expected number of fields
    has_header: bool = True


def open_binary(path: Path) -> IO[bytes]:
    try:
        fh: IO[bytes] = open(path, "rb")  # noqa: SIM115 - returned to the caller
    except FileNotFoundError:
        raise CorpusError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory, not a corpus file") from None
    except PermissionError:
        raise CorpusError(f"{path}: permission denied") from None
    magic = fh.read(2)
    fh.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=fh)  # type: ignore[return-value]
    return fh


def decode_line(raw: bytes, preferred: str) -> str | None:
    """Decode one line, tolerating a file that mixes UTF-8 and CP949 lines."""
    for enc in (preferred, *(e for e in ENCODINGS if e != preferred)):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def _detect_encoding(sample: bytes) -> str:
    """The encoding most lines of the sample decode in; lines are decoded one by one later,
    so a file that mixes UTF-8 and CP949 rows loses only the rows valid in neither."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    lines = sample.split(b"\n")[:-1] or [sample]
    votes = dict.fromkeys(ENCODINGS, 0)
    for line in lines:
        for enc in ENCODINGS:
            try:
                line.decode(enc)
                votes[enc] += 1
                break
            except UnicodeDecodeError:
                continue
    best = max(votes, key=lambda e: votes[e])
    if votes[best] == 0 or votes[best] < len(lines) * 0.5:
        raise CorpusFormatError("most lines are neither UTF-8 nor CP949 text (is it binary?)")
    return best


_FINER = {"order": ("order_date",), "name": ("surname", "given")}


def _roles_from_map(headers: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """--map role=column, where column is a header name or a 1-based column number."""
    folded = [fold_header(h) for h in headers]
    out: dict[int, str] = {}
    for key, column in mapping.items():
        role = key.split("#")[0]
        if fold_header(column) in folded:
            idx = folded.index(fold_header(column))
        elif column.isdigit() and 1 <= int(column) <= len(headers):
            idx = int(column) - 1
        else:
            idx = -1
        if idx >= 0:
            # A role given to several columns (--map order=item --map order=date): each
            # column keeps the finer role its header names (order_date, surname, given).
            finer = role_of_header(headers[idx]) if "#" in key or role in ("order", "name") \
                else None
            out[idx] = finer if finer in _FINER.get(role, ()) else role
        else:
            raise CorpusFormatError(
                f"--map {role}={column}: no column named {column!r} "
                f"(columns: {', '.join(headers)})")
    return out


def detect_layout(path: Path, mapping: dict[str, str] | None = None,
                  id_column: str | None = None) -> Layout:
    """Look at the head of the file and decide how to read it."""
    mapping = dict(mapping or {})
    if id_column:
        mapping["id"] = id_column
    with open_binary(path) as fh:
        try:
            sample = fh.read(_SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise CorpusError(f"{path}: cannot read ({exc})") from None
    if not sample.strip():
        raise CorpusFormatError(f"{path}: the file is empty")
    if b"\x00" in sample[:65536]:
        raise CorpusFormatError(f"{path}: binary data (NUL bytes), not a CSV/TSV/JSON Lines corpus")
    encoding = _detect_encoding(sample)
    first_raw = sample.split(b"\n", 1)[0]
    if len(first_raw) >= _SNIFF_BYTES - 1:
        raise CorpusFormatError(
            f"{path}: the first line is longer than {_SNIFF_BYTES // 1024} KiB; "
            "a corpus needs one record per line")
    text = sample.decode(encoding, errors="replace")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    first = lines[0].lstrip("\ufeff").strip()
    if first.startswith("{"):
        return _jsonl_layout(path, lines, encoding, mapping)
    counts = {d: first.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        raise CorpusFormatError(
            f"{path}: no delimiter (comma, tab, pipe or semicolon) in the first line; "
            "expected CSV, TSV or JSON Lines")
    headers = next(csv.reader([first], delimiter=delimiter))
    has_header = looks_like_header(headers) or bool(
        mapping and any(not c.isdigit() for c in mapping.values()))
    if has_header:
        columns = roles_from_headers(headers)
        if mapping:
            columns = {i: r for i, r in columns.items() if r not in mapping}
            columns.update(_roles_from_map(headers, mapping))
    else:
        if not mapping:
            raise CorpusFormatError(
                f"{path}: no header row naming the columns; name them with --map, e.g. "
                "--map id=1 --map name=2 --map phone=3 (1-based column numbers)")
        columns = {int(c) - 1: r for r, c in mapping.items() if c.isdigit()}
    if "id" not in columns.values():
        raise CorpusFormatError(
            f"{path}: no record id column found among {headers if has_header else 'the columns'}; "
            "name it with --id-column COLUMN (the owner's record key)")
    if len(set(columns.values()) - {"id"}) == 0:
        raise CorpusFormatError(f"{path}: no name, phone, email or address column recognised; "
                                "name them with --map role=column")
    return Layout("delimited", encoding, delimiter, columns, {}, len(headers), has_header)


def _jsonl_layout(path: Path, lines: list[str], encoding: str,
                  mapping: dict[str, str]) -> Layout:
    keys: dict[str, str] = {}
    for line in lines[:20]:
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            for k in obj:
                role = role_of_header(str(k))
                if role and role not in keys.values() and k not in keys:
                    keys[k] = role
    if mapping:
        keys = {k: r for k, r in keys.items() if r not in mapping}
        keys.update({col: role.split("#")[0] for role, col in mapping.items()})
    if "id" not in keys.values():
        raise CorpusFormatError(f"{path}: no record id key found in the JSON objects; "
                                "name it with --id-column KEY")
    return Layout("jsonl", encoding, keys=keys)


def iter_raw_lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, raw line or None if over the size limit, bytes consumed)."""
    line_no = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            skipped = len(raw)
            while True:  # drain the rest of the over-long line without keeping it
                more = fh.readline(MAX_LINE_BYTES)
                skipped += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield line_no, None, skipped
            continue
        yield line_no, raw, len(raw)


def parse_line(layout: Layout, text: str) -> dict[str, str] | str:
    """Role values of one line, or the reason it is malformed."""
    if layout.format == "jsonl":
        try:
            obj = json.loads(text)
        except ValueError as exc:
            return f"invalid JSON ({exc.msg} at column {exc.colno})"
        if not isinstance(obj, dict):
            return "not a JSON object"
        return {role: str(obj[k]) for k, role in layout.keys.items()
                if obj.get(k) not in (None, "")}
    try:
        cells = next(csv.reader([text], delimiter=layout.delimiter))
    except csv.Error as exc:
        return f"unparseable row ({exc})"
    except StopIteration:
        return "empty row"
    if layout.width and len(cells) != layout.width:
        return f"expected {layout.width} fields, found {len(cells)}"
    out: dict[str, str] = {}
    for idx, role in layout.columns.items():
        if idx < len(cells):
            v = cells[idx].strip()
            if v:
                out[role] = v
    return out


def parse_lines(layout: Layout, texts: list[str]) -> list[dict[str, str] | str]:
    """parse_line for a batch: one csv reader for all lines instead of one per line."""
    if layout.format != "delimited":
        return [parse_line(layout, t) for t in texts]
    out: list[dict[str, str] | str] = []
    reader = csv.reader(texts, delimiter=layout.delimiter)
    items = layout.columns.items()
    width = layout.width
    for _ in texts:
        try:
            cells = next(reader)
        except csv.Error as exc:
            out.append(f"unparseable row ({exc})")
            continue
        if width and len(cells) != width:
            out.append(f"expected {width} fields, found {len(cells)}")
            continue
        out.append({role: v for idx, role in items if (v := cells[idx].strip())})
    return out
