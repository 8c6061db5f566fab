"""Which lines can hold a record at all: a C-speed prefilter for sparse text.

Chatter is most of what a crawler brings back. A record needs a phone, an email or a
road address, and each of those leaves a cheap trace — a run of digits (or masked
digits), an ``@`` or bracketed "at", a road name followed by a number. One regex pass
per trace over the whole text finds them; only lines near one are scanned in full.

Each pass is written so that CPython's regex engine can skip ahead on its first
character (a literal or a small set): a pattern that opens with an alternation is
tried at every position and runs several times slower. Where that needs a wider
first step, the narrow pattern confirms at the spot (traces never cross a line, so a
confirmed spot names its line exactly as the original pattern would).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate

from matcher.extract.spans import OCR_PHONE, PHONE

# Emails: "@", a bracketed "at" ([at], (골뱅이)…), or "name at host dot com".
_AT_SIGN = "@"
_BRACKET_AT = re.compile(r"[\[\(\{] ?(?:at|AT|골뱅이) ?[\]\)\}]")
_DOT_WORD = " dot "
_AT_WORD = re.compile(r" at \S+ dot ")
# Road name + building number ("…로 12", "…길 3", "…거리 5", "…3가 7", "…로 지하 12"):
# proposed by the syllable the road name ends with, confirmed with the one before it.
_ROAD_END = re.compile(r"[로길리가] ?(?:지하)?\d")
_ROAD = re.compile(r"(?:[로길]|거리|\d가) ?(?:지하)?\d")
_LOT = re.compile(r"[동리] (?:산 ?)?\d{1,5}(?:-\d|번지)")  # legal dong + lot number
# OCR'd phones (O1O-l234-…, 010 12 34 56 78): proposed by their head, confirmed in full.
_OCR_TRACE = re.compile(r"[0O][1lI|][0O][\s.\-]{0,2}[0-9OlI|]{2}")
# Phones: a literal-led scan (hundreds of MB/s) proposes, the real phone pattern confirms,
# so order numbers and dates never pull their neighbourhood into the slow path.
_PHONE_TRACE = re.compile(
    r"0(?:1[016789]|[2-8]\d{0,2})[\s.\-)]*[\d*●○#xX]{3,4}[\s.\-]*[\d*●○#xX]{4}"
    r"|82[\s.\-]*\(?0?1[016789]")
# Every phone starts with one of these, after no ASCII digit: a quick "no" for the digit
# runs (order numbers, dates) that the trace proposes by the thousand.
_PHONE_HEAD = re.compile(r"(?<![0-9])[+8(0]")
# One pass finds where any of the last four may start: a first character from a small set
# lets the engine skip ahead, and a zero-width test per kind keeps every start (the kind's
# own pattern then confirms at the spot).
_SPOTS = re.compile(
    r"[로길리가동\[\(\{0O](?="
    r"(?<=[로길리가]) ?(?:지하)?\d"
    r"|(?<=[동리]) (?:산 ?)?\d{1,5}(?:-\d|번지)"
    r"|(?<=[\[\(\{]) ?(?:at|AT|골뱅이) ?[\]\)\}]"
    r"|(?<=[0O])[1lI|][0O][\s.\-]{0,2}[0-9OlI|]{2})")
CONTEXT_LINES = 3  # a vertical post puts name, phone and address on neighbouring lines
MAX_CONTEXT_CHARS = 32


def line_starts(lines: list[str]) -> list[int]:
    """Offset of each line in ``"\\n".join(lines)``."""
    return list(accumulate((len(ln) + 1 for ln in lines[:-1]), initial=0))


def trace_lines(text: str, starts: list[int] | None = None) -> set[int]:
    """Indexes of the lines of ``text`` that hold a phone, email or address trace
    (``starts``: each line's offset, if the caller has them)."""

    def line_of(pos: int) -> int:
        nonlocal starts
        if starts is None:
            starts = line_starts(text.split("\n"))
        return bisect_right(starts, pos) - 1

    hot: set[int] = set()
    for m in _PHONE_TRACE.finditer(text):
        lo, hi = max(m.start() - 4, 0), m.end() + 16
        if _PHONE_HEAD.search(text, lo, hi) and (found := PHONE.search(text, lo, hi)):
            hot.add(line_of(found.start()))
    phones = set(hot)
    pos = text.find(_AT_SIGN)
    while pos >= 0:
        hot.add(line_of(pos))
        pos = text.find(_AT_SIGN, pos + 1)
    pos = text.find(_DOT_WORD)
    while pos >= 0:  # " at host dot ": look back from the rare " dot " for its " at "
        line = line_of(pos)
        head = text.rfind("\n", 0, pos) + 1
        if line not in hot and _AT_WORD.search(text, head, pos + len(_DOT_WORD)):
            hot.add(line)
        pos = text.find(_DOT_WORD, pos + 1)
    ocr_end = 0
    for m in _SPOTS.finditer(text):
        s = m.start()
        c = text[s]
        if c in "로길리가" and _ROAD_END.match(text, s) and (
                _ROAD.match(text, s) or (s and _ROAD.match(text, s - 1))):
            hot.add(line_of(s))
        if c in "동리" and _LOT.match(text, s):
            hot.add(line_of(s))
        if c in "[({" and _BRACKET_AT.match(text, s):
            hot.add(line_of(s))
        if c in "0O" and s >= ocr_end and (t := _OCR_TRACE.match(text, s)):
            ocr_end = t.end()  # OCR traces, like finditer, never overlap one another
            if line_of(s) in phones:
                continue  # a clean phone already made this line hot
            found = OCR_PHONE.search(text, max(s - 1, 0), t.end() + 20)
            if found:
                hot.add(line_of(found.start()))
    return hot


def anchored_windows(lines: list[str], candidates: list[int]) -> list[list[int]]:
    """Runs of line indexes (from ``candidates``) within CONTEXT_LINES of a trace."""
    if not candidates:
        return []
    hot = trace_lines("\n".join(lines), line_starts(lines))
    if not hot:
        return []
    # candidates are distinct line indexes: all of them (free text) need no set
    keep = range(len(lines)) if len(candidates) == len(lines) else set(candidates)
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
