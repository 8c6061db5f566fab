"""Layouts that say where rows are: JSON, JSON Lines, SQL INSERT dumps, HTML tables."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser

from matcher.extract.candidate import Candidate, cells_to_candidate
from matcher.roles import role_of_header

# ---------------------------------------------------------------- JSON


def _flatten(obj: object, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, str(k))
    elif isinstance(obj, list):
        if all(not isinstance(v, (dict, list)) for v in obj):
            for v in obj:
                yield prefix, str(v)
    elif obj is not None and not isinstance(obj, bool):
        yield prefix, str(obj)


def _row_dicts(obj: object) -> Iterator[dict]:
    """Every dict that holds scalar values: a record, wherever it is nested."""
    if isinstance(obj, list):
        for v in obj:
            yield from _row_dicts(v)
    elif isinstance(obj, dict):
        nested = [v for v in obj.values() if isinstance(v, list) and v and
                  isinstance(v[0], dict)]
        if any(not isinstance(v, (dict, list)) for v in obj.values()) or not nested:
            yield obj
        for v in obj.values():
            if isinstance(v, (list, dict)) and v is not obj:
                if isinstance(v, dict) and not any(isinstance(x, (dict, list)) for x in
                                                   v.values()):
                    continue  # a sub-object like {"address": {...}} belongs to its parent
                yield from _row_dicts(v)


def _dict_candidate(d: dict, line: int) -> Candidate:
    cells = [(role_of_header(k), v) for k, v in _flatten(d)]
    return cells_to_candidate(cells, line, "json")


def _row_lists(obj: object) -> list[Candidate]:
    """[[header...], [row...], ...] — spreadsheets exported as JSON."""
    from matcher.roles import looks_like_header

    if not (isinstance(obj, list) and len(obj) >= 2 and all(isinstance(r, list) for r in obj)):
        return []
    rows = [[str(v) if v is not None else "" for v in r] for r in obj]
    hints: list[str | None] = [None] * max(len(r) for r in rows)
    if looks_like_header(rows[0]):
        hints = [role_of_header(h) for h in rows[0]]
        rows = rows[1:]
    return [cells_to_candidate([(hints[i] if i < len(hints) else None, v)
                                for i, v in enumerate(r)], n + 1, "json")
            for n, r in enumerate(rows)]


_NON_SPACE = re.compile(r"\S")


def json_candidates(text: str) -> list[Candidate] | None:
    first = _NON_SPACE.search(text)  # not text.strip(): that copies every chunk of chatter
    if first is None or first.group() not in "[{":
        return None
    stripped = text.strip()
    try:
        obj = json.loads(stripped)
    except ValueError:
        return _jsonl(text)
    return _row_lists(obj) or [_dict_candidate(d, 1) for d in _row_dicts(obj)]


def _jsonl(text: str) -> list[Candidate] | None:
    out: list[Candidate] = []
    lines = text.splitlines()
    objects = 0
    for i, line in enumerate(lines, 1):
        s = line.strip().rstrip(",")
        if not s.startswith("{"):
            continue
        try:
            obj = json.loads(s)
        except ValueError:
            continue
        objects += 1
        out.extend(_dict_candidate(d, i) for d in _row_dicts(obj))
    nonblank = sum(1 for ln in lines if ln.strip())
    return out if objects and objects >= nonblank * 0.5 else None


# ---------------------------------------------------------------- SQL

_INSERT = re.compile(
    r"INSERT\s+(?:IGNORE\s+)?INTO\s+[`\"\[]?([\w.]+)[`\"\]]?\s*(\(([^)]*)\))?\s*VALUES\s*", re.I)
_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"\[]?([\w.]+)[`\"\]]?\s*\(",
                     re.I)
_IDENT = re.compile(r"[`\"\[]?(\w+)[`\"\]]?")


def _create_columns(text: str) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for m in _CREATE.finditer(text):
        depth, i, start = 1, m.end(), m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        cols = []
        for part in _split_top(text[start:i - 1]):
            word = _IDENT.match(part.strip())
            if word and word.group(1).upper() not in ("PRIMARY", "KEY", "UNIQUE", "INDEX",
                                                        "CONSTRAINT", "FOREIGN", "CHECK"):
                cols.append(word.group(1))
        tables[m.group(1).lower()] = cols
    return tables


def _split_top(body: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _tuples(text: str, pos: int) -> Iterator[tuple[int, list[str]]]:
    """Value tuples of one INSERT statement starting at ``pos``: (offset, values)."""
    n = len(text)
    i = pos
    while i < n:
        while i < n and text[i] in " \t\r\n,":
            i += 1
        if i >= n or text[i] != "(":
            return
        start = i
        i += 1
        values: list[str] = []
        cur: list[str] = []
        while i < n:
            ch = text[i]
            if ch in "'\"":
                q = ch
                i += 1
                while i < n:
                    c = text[i]
                    if c == "\\" and i + 1 < n:
                        cur.append(text[i + 1])
                        i += 2
                        continue
                    if c == q:
                        if i + 1 < n and text[i + 1] == q:
                            cur.append(q)
                            i += 2
                            continue
                        i += 1
                        break
                    cur.append(c)
                    i += 1
                continue
            if ch == ",":
                values.append("".join(cur).strip())
                cur = []
            elif ch == ")":
                values.append("".join(cur).strip())
                i += 1
                break
            else:
                cur.append(ch)
            i += 1
        yield start, [("" if v.upper() == "NULL" else v) for v in values]


def sql_candidates(text: str) -> list[Candidate] | None:
    if "insert" not in text[:1 << 20].lower() or not _INSERT.search(text):
        return None
    tables = _create_columns(text)
    out: list[Candidate] = []
    for m in _INSERT.finditer(text):
        cols = ([c.group(1) for c in _IDENT.finditer(m.group(3))] if m.group(3)
                else tables.get(m.group(1).lower(), []))
        hints = [role_of_header(c) for c in cols]
        for offset, values in _tuples(text, m.end()):
            cells = [(hints[i] if i < len(hints) else None, v) for i, v in enumerate(values)]
            out.append(cells_to_candidate(cells, text.count("\n", 0, offset) + 1, "sql"))
    return out


# ---------------------------------------------------------------- HTML

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "pre", "article",
               "section", "blockquote", "dd", "dt", "hr", "table", "tbody", "thead"}


class _TableText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[int, list[tuple[bool, str]]]]] = []
        self._stack: list[list[tuple[int, list[tuple[bool, str]]]]] = []
        self._row: list[tuple[bool, str]] | None = None
        self._cell: list[str] | None = None
        self._cell_th = False
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._stack.append([])
        elif tag == "tr" and self._stack:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_th = [], tag == "th"
        elif tag in _BLOCK_TAGS:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((self._cell_th, " ".join("".join(self._cell).split())))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._stack:
            self._stack[-1].append((self.getpos()[0], self._row))
            self._row = None
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag in _BLOCK_TAGS:
            self.text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif not self._stack:
            self.text.append(data)


def looks_html(text: str) -> bool:
    head = text[:4096].lower()
    return "<html" in head or "<table" in head or "<body" in head or (
        head.count("<") > 5 and any(t in head for t in ("<div", "<p>", "<br", "<td", "<tr")))


def html_parts(text: str) -> tuple[list[Candidate], str]:
    """Candidates from the tables, and the remaining visible text for free-text scanning."""
    parser = _TableText()
    try:
        parser.feed(text)
        parser.close()
    except Exception:
        pass
    out: list[Candidate] = []
    for table in parser.tables:
        hints: list[str | None] = []
        for line, row in table:
            if (row and all(th for th, _ in row)) or (not hints and _header_like(row)):
                hints = [role_of_header(v) for _, v in row]
                continue
            cells = [(hints[i] if i < len(hints) else None, v) for i, (_, v) in enumerate(row)]
            out.append(cells_to_candidate(cells, line, "html"))
    return out, "".join(parser.text)


def _header_like(row: list[tuple[bool, str]]) -> bool:
    from matcher.roles import looks_like_header

    return looks_like_header([v for _, v in row])
