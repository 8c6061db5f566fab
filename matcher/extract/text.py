"""Plain-text layouts: delimited tables (fast path) and free text (span grouping).

Delimited dumps are the bulk of real redistribution, so their column roles are
inferred once per document from a sample — by content, with header names as hints —
and every row is then read by index. Lines that do not fit the table, and documents
that are not tables at all, go through span scanning: typed values are found anywhere
in a line and grouped into records, a new record starting whenever a role repeats.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from itertools import islice

from matcher.extract.candidate import (
    HINT_ONLY,
    IDENTIFYING,
    Candidate,
    cells_to_candidate,
    lookupable_roles,
)
from matcher.extract.spans import SURNAMES, Span, classify_cell, find_spans, split_label
from matcher.normalize.order import parse_date
from matcher.roles import looks_like_header, role_of_header

_DELIMS = ("\t", "|", ";", ",", "  ")
_SPACES = re.compile(r"\s{2,}")
_SAMPLE_ROWS = 300
_MIN_SHARE = 0.4


def _split(line: str, delim: str) -> list[str]:
    if delim == "  ":
        return _SPACES.split(line.strip())
    if '"' in line:
        try:
            return next(csv.reader([line], delimiter=delim))
        except (csv.Error, StopIteration):
            pass
    return line.split(delim)


def _labelled(line: str) -> bool:
    kv = split_label(line)
    return kv is not None and role_of_header(kv[0]) is not None


def _choose_delimiter(lines: list[str]) -> tuple[str, int] | None:
    """The delimiter and field count shared by the most lines (at least 3 of them)."""
    best: tuple[int, str, int] | None = None
    sample = list(islice((ln for ln in lines if ln.strip()), 2000))
    for d in _DELIMS:
        counts = Counter(len(_split(ln, d)) for ln in sample if d in ln)
        if not counts:
            continue
        width, n = counts.most_common(1)[0]
        rows = [ln for ln in sample if d in ln and len(_split(ln, d)) == width][:50]
        if sum(_labelled(ln) for ln in rows) * 2 >= len(rows):
            continue  # "주소: …, 603호 (…)" lines of label blocks, not a table
        # A header vouches for a table of any length; without one, demand several rows,
        # and more consistency for two columns split by a comma or spaces (prose has those).
        headed = d in sample[0] and looks_like_header(_split(sample[0], d))
        if width < 2 or n < (2 if headed else 3) or (
                width == 2 and not headed and d not in "\t|" and n < 0.8 * len(sample)):
            continue
        if best is None or n > best[0]:
            best = (n, d, width)
    return (best[1], best[2]) if best else None


def _infer_columns(rows: list[list[str]], header: list[str] | None
                   ) -> tuple[dict[int, str], bool]:
    """Column index -> role, and whether the rows keep one order of fields (if not, each
    row is read by content: every line of some dumps puts its fields in another order)."""
    width = max(len(r) for r in rows)
    votes: list[Counter[str]] = [Counter() for _ in range(width)]
    filled = [0] * width
    for row in rows[:_SAMPLE_ROWS]:
        for j, cell in enumerate(row):
            if cell.strip():
                filled[j] += 1
                role = classify_cell(cell)
                if role:
                    votes[j][role] += 1
    hints = [role_of_header(h) for h in header] if header else [None] * width
    claims: dict[str, tuple[int, int]] = {}  # role -> (votes, column)
    for j in range(width):
        hint = hints[j] if j < len(hints) else None
        role, n = votes[j].most_common(1)[0] if votes[j] else (None, 0)
        if role is None or n < max(1, filled[j] * _MIN_SHARE):
            role, n = (hint, filled[j]) if hint in HINT_ONLY or (
                hint and hint != "id" and not votes[j]) else (None, 0)
        if role and (role not in claims or claims[role][0] < n):
            claims[role] = (n, j)
    columns = {j: role for role, (_, j) in claims.items() if role != "id"}
    if "surname" not in columns.values():
        _name_pieces(rows, columns, filled)
    if "order" not in columns.values() or "order_date" not in columns.values():
        _order_columns(rows, columns, filled, votes)
    ordered = all(votes[j][r] >= 0.9 * sum(votes[j].values())
                  for j, r in columns.items() if r in IDENTIFYING and votes[j])
    return columns, ordered


def _hangul_share(rows: list[list[str]], j: int, test: object) -> float:
    cells = [r[j].strip() for r in rows[:_SAMPLE_ROWS] if j < len(r) and r[j].strip()]
    return sum(bool(test(c)) for c in cells) / len(cells) if cells else 0.0  # type: ignore


_TEXTLIKE = re.compile(r"[가-힣A-Za-z]{2}")


def _order_columns(rows: list[list[str]], columns: dict[int, str], filled: list[int],
                   votes: list[Counter[str]]) -> None:
    """Order columns known by content: dates (2025-11-02, 25.11.02) and, beside them, the
    item text no other role claims."""
    free = [j for j in range(len(filled)) if j not in columns and filled[j] >= 2
            and not votes[j]]
    if "order_date" not in columns.values():
        for j in free:
            if _hangul_share(rows, j, lambda c: len(c) <= 24 and parse_date(c) is not None
                             and not c.isdigit()) >= 0.8:
                columns[j] = "order_date"
                free.remove(j)
                break
    if "order_date" in columns.values() and "order" not in columns.values():
        for j in free:
            if _hangul_share(rows, j, lambda c: bool(_TEXTLIKE.search(c))) >= 0.8:
                columns[j] = "order"
                break


def _name_pieces(rows: list[list[str]], columns: dict[int, str], filled: list[int]) -> None:
    """A surname column (김, 이, 남궁…) beside a given-name column: voted by content."""
    width = len(filled)
    for j in range(width):
        if j in columns or filled[j] < 2 or _hangul_share(
                rows, j, lambda c: c in SURNAMES) < 0.9:
            continue
        for k in (j + 1, j - 1):
            if 0 <= k < width and columns.get(k) in (None, "name") and _hangul_share(
                    rows, k, lambda c: 1 <= len(c) <= 2 and all("가" <= ch <= "힣" for ch in c)
            ) >= 0.9:
                for jj in [jj for jj, r in columns.items() if r == "name"]:
                    del columns[jj]
                columns[j], columns[k] = "surname", "given"
                return


def logical_lines(text: str) -> tuple[list[str], list[int]]:
    """Lines with quoted CSV fields that span line breaks joined, and each one's first
    physical line number (1-based), so evidence points at the right line."""
    physical = text.split("\n")
    # Lines before the first with an odd number of quotes are taken as they are.
    first = next((i for i, ln in enumerate(physical) if '"' in ln and ln.count('"') % 2),
                 None) if '"' in text else None
    if first is None:
        return physical, list(range(1, len(physical) + 1))
    lines: list[str] = physical[:first]
    numbers: list[int] = list(range(1, first + 1))
    pending: list[str] = []
    start = 0
    for i, line in enumerate(physical[first:], first):
        if pending:
            pending.append(line)
            joined = "\n".join(pending)
            if joined.count('"') % 2 == 0 or len(pending) > 20:
                if joined.count('"') % 2 == 0:
                    lines.append(" ".join(p.strip() for p in pending))
                    numbers.append(start + 1)
                else:  # not a quoted field after all: give the lines back as they were
                    lines.extend(pending)
                    numbers.extend(range(start + 1, start + 1 + len(pending)))
                pending = []
            continue
        if line.count('"') % 2:
            pending, start = [line], i
            continue
        lines.append(line)
        numbers.append(i + 1)
    lines.extend(pending)
    numbers.extend(range(start + 1, start + 1 + len(pending)))
    return lines, numbers


def tabular_candidates(lines: list[str], numbers: list[int] | None = None
                       ) -> tuple[list[Candidate], list[int]]:
    """Candidates from the table in ``lines``; also the indexes of lines left over."""
    numbers = numbers or list(range(1, len(lines) + 1))
    choice = _choose_delimiter(lines)
    if choice is None:
        return [], list(range(len(lines)))
    delim, width = choice
    table: list[tuple[int, list[str]]] = []
    rest: list[int] = []
    for i, ln in enumerate(lines):
        cells = _split(ln, delim) if ln.strip() else []
        if len(cells) == width:
            table.append((i, cells))
        else:
            rest.append(i)
    header = None
    if table and looks_like_header(table[0][1]):
        header = table[0][1]
        table = table[1:]
    if not table:
        return [], rest
    columns, ordered = _infer_columns([c for _, c in table], header)
    if not lookupable_roles(columns.values()):
        return [], sorted(rest + [i for i, _ in table])
    out: list[Candidate] = []
    for i, cells in table:
        if not ordered:  # fields in another order on every line: read each by content
            cand = cells_to_candidate([(None, v) for v in cells], numbers[i], "tabular")
            if cand.lookupable:
                out.append(cand)
            else:
                rest.append(i)
            continue
        cand = Candidate(line=numbers[i], layout="tabular")
        for j, role in columns.items():
            v = cells[j].strip()
            if v:
                cand.values[role] = v
        if cand.lookupable:
            out.append(cand)
        else:
            rest.append(i)  # e.g. a shifted row: let span scanning have a go
    return out, sorted(rest)


def freetext_candidates(lines: list[str], line_numbers: list[int]) -> list[Candidate]:
    """Group typed spans into records across a run of lines."""
    out: list[Candidate] = []
    cur = Candidate(layout="text")

    def flush() -> None:
        nonlocal cur
        if cur.lookupable:
            out.append(cur)
        cur = Candidate(layout="text")

    for text, line_no in zip(lines, line_numbers, strict=True):
        if not text.strip():
            flush()
            continue
        spans = find_spans(text)
        labelled = split_label(text)
        if labelled and (role := role_of_header(labelled[0])) in ("name", "order"):
            # "성명: 김 민준" is one name even though the scanner saw only "민준"
            value = _VALUE_END.split(labelled[1], maxsplit=1)[0].strip()
            spans = [s for s in spans if s.role != role] + [Span(role, 0, 0, value)]
        if not spans:
            continue
        for s in _nearest_names(spans):
            if s.role in cur.values:
                flush()
            if not cur.values:
                cur.line = line_no
            cur.values[s.role] = s.value
        if len(spans) >= 2 or not _only_value(text, spans, labelled):
            flush()  # a line is a record unless it holds one bare value ("vertical" posts)
    flush()
    return out


# A labelled value ends at a separator or where the next "key=" / "key:" begins.
_VALUE_END = re.compile(r"[;|\t]|,?\s+[A-Za-z가-힣_]{1,15}\s*[=:：]")
_RESIDUE = re.compile(r"[\s\-:：=,;|/·•*()\[\]]+")


def _only_value(text: str, spans: list, labelled: tuple[str, str] | None) -> bool:
    """Whether the line is one value, bare or behind a label ("연락처: 010-...")."""
    if labelled and role_of_header(labelled[0]):
        return True
    rest = text
    for s in spans:
        if s.end > s.start:
            rest = rest.replace(s.value, " ", 1)
    return not _RESIDUE.sub("", rest)


def _nearest_names(spans: list) -> list:
    """Drop names that compete for the same record, keeping the one next to an identifier."""
    names = [k for k, s in enumerate(spans) if s.role == "name"]
    if len(names) <= 1:
        return spans
    keep = set()
    for k, s in enumerate(spans):
        if s.role in IDENTIFYING:
            near = min(names, key=lambda n: (abs(n - k), -len(spans[n].value)))
            keep.add(near)
    if not keep:
        return spans
    # A name right before an identifier starts a record; others are chatter.
    return [s for k, s in enumerate(spans) if s.role != "name" or k in keep]
