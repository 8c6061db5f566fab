"""Extraction: document text -> candidate records, whatever the layout.

Layouts are tried from the most explicit to the least: JSON / JSON Lines, SQL INSERT
dumps, HTML (tables, then the page's visible text), delimited tables, free text. Each
path yields :class:`Candidate` objects holding raw values by role; normalising and
hashing them is the matcher's next step.
"""

from __future__ import annotations

import re
import unicodedata

from matcher.extract.anchors import anchored_windows
from matcher.extract.candidate import Candidate
from matcher.extract.structured import html_parts, json_candidates, looks_html, sql_candidates
from matcher.extract.text import freetext_candidates, logical_lines, tabular_candidates

__all__ = ["Candidate", "extract"]


_FULLWIDTH = re.compile(r"[\uff01-\uff5e\u3000]")


def extract(text: str, utf8: bytes | None = None) -> list[Candidate]:
    """``utf8``: the UTF-8 bytes of ``text``, if the caller has them (saves encoding)."""
    if _FULLWIDTH.search(text):  # ０１０－… and ＠: anchors and splitting expect ASCII
        text, utf8 = unicodedata.normalize("NFKC", text), None
    found = json_candidates(text)
    if found is not None:
        return [c for c in found if c.lookupable]
    found = sql_candidates(text)
    if found is not None:
        return [c for c in found if c.lookupable]
    out: list[Candidate] = []
    if looks_html(text):
        tables, text = html_parts(text)
        utf8 = None
        out.extend(c for c in tables if c.lookupable)
    lines, numbers = logical_lines(text)
    table, rest = tabular_candidates(lines, numbers)
    out.extend(table)
    if len(lines) == text.count("\n") + 1:  # no quoted field joined: the lines are the text
        joined = text
    else:
        joined, utf8 = None, None
    for window in anchored_windows(lines, rest, joined, utf8):
        out.extend(freetext_candidates([lines[i] for i in window], [numbers[i] for i in window]))
    out.sort(key=lambda c: c.line)
    return out
