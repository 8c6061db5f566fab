"""Which lines can hold a record at all: a C-speed prefilter for sparse text.

Chatter is most of what a crawler brings back. A record needs a phone, an email or a
road address, and each of those leaves a cheap trace — a run of digits (or masked
digits), an ``@`` or bracketed "at", a road name followed by a number. One regex pass
per trace over the whole text finds them; only lines near one are scanned in full.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from matcher.extract.spans import OCR_PHONE, PHONE

_TRACES = (
    re.compile(r"@|[\[\(\{] ?(?:at|AT|골뱅이) ?[\]\)\}]| at \S+ dot "),  # emails
    re.compile(r"(?:[로길]|거리|\d가) ?(?:지하)?\d"),  # road name + building number
    re.compile(r"[동리] (?:산 ?)?\d{1,5}(?:-\d|번지)"),  # legal dong + lot number
)
# OCR'd phones (O1O-l234-…, 010 12 34 56 78): proposed by their head, confirmed in full.
_OCR_TRACE = re.compile(r"[0O][1lI|][0O][\s.\-]{0,2}[0-9OlI|]{2}")
# Phones: a literal-led scan (hundreds of MB/s) proposes, the real phone pattern confirms,
# so order numbers and dates never pull their neighbourhood into the slow path.
_PHONE_TRACE = re.compile(
    r"0(?:1[016789]|[2-8]\d{0,2})[\s.\-)]*[\d*●○#xX]{3,4}[\s.\-]*[\d*●○#xX]{4}"
    r"|82[\s.\-]*\(?0?1[016789]")
CONTEXT_LINES = 3  # a vertical post puts name, phone and address on neighbouring lines
MAX_CONTEXT_CHARS = 32


def line_starts(lines: list[str]) -> list[int]:
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return starts


def anchored_windows(lines: list[str], candidates: list[int]) -> list[list[int]]:
    """Runs of line indexes (from ``candidates``) within CONTEXT_LINES of a trace."""
    if not candidates:
        return []
    text = "\n".join(lines)
    starts = line_starts(lines)
    hot: set[int] = set()
    for m in _PHONE_TRACE.finditer(text):
        found = PHONE.search(text, max(m.start() - 4, 0), m.end() + 16)
        if found:
            hot.add(bisect_right(starts, found.start()) - 1)
    for m in _OCR_TRACE.finditer(text):
        line = bisect_right(starts, m.start()) - 1
        if line in hot:
            continue  # a clean phone already made this line hot
        found = OCR_PHONE.search(text, max(m.start() - 1, 0), m.end() + 20)
        if found:
            hot.add(bisect_right(starts, found.start()) - 1)
    for pattern in _TRACES:
        for m in pattern.finditer(text):
            first = bisect_right(starts, m.start()) - 1
            last = bisect_right(starts, m.end() - 1) - 1
            hot.update(range(first, last + 1))
    if not hot:
        return []
    keep = set(candidates)
    near: set[int] = set()
    for i in hot:
        for j in range(i - CONTEXT_LINES, i + CONTEXT_LINES + 1):
            # A neighbour without a trace of its own can only add a bare name or a labelled
            # value to a vertical record, and such lines are short; a long one is chatter.
            if j in keep and (j in hot or len(lines[j]) <= MAX_CONTEXT_CHARS):
                near.add(j)
    windows: list[list[int]] = []
    for i in sorted(near):
        if windows and i == windows[-1][-1] + 1:
            windows[-1].append(i)
        else:
            windows.append([i])
    return windows
