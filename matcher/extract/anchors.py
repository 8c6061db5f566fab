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

from matcher.extract.spans import _M, OCR_PHONE, PHONE
from matcher.normalize.text import PY_WHITESPACE

try:  # Hyperscan: every pattern in one pass over the bytes at GB/s (x86-64 wheels only)
    import hyperscan as _hs
except ImportError:  # elsewhere the regex passes below do the same job, more slowly
    _hs = None

# Emails: "@", a bracketed "at" ([at], (골뱅이)…), or "name at host dot com".
_AT_SIGN = "@"
_BRACKET_AT = re.compile(r"[\[\(\{] ?(?:at|AT|골뱅이) ?[\]\)\}]")
_DOT_WORD = " dot "
_AT_WORD = re.compile(r" at \S+ dot ")
# Road name + building number ("…로 12", "…길 3", "…거리 5", "…3가 7", "…로 지하 12"):
# proposed by the syllable the road name ends with, confirmed with the one before it.
_ROAD_END = re.compile(r"[로길리가] ?(?:지하)?\d")
# The number must read as a building number ("152", "152-3", "55번길", "3가"): Korean
# chatter puts numbers after the particle 로 all the time ("새로 3pm", "택배로 3개"), and
# each such line cost a full span scan for nothing.
_ROAD = re.compile(
    r"(?:[로길]|거리|\d가) ?(?:지하)?\d{1,5}(?:-\d+)?(?:[번길가]|(?![\dA-Za-z가-힣]))")
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


def _lines_of(text: str, positions: list[int]) -> list[int]:
    """Line index of each offset, in the order given: one sweep counting newlines, which
    costs less than the offsets of all ~100k lines of a chunk would."""
    out = [0] * len(positions)
    line = last = 0
    for i in sorted(range(len(positions)), key=positions.__getitem__):
        pos = positions[i]
        line += text.count("\n", last, pos)
        last = pos
        out[i] = line
    return out


def trace_lines(text: str, utf8: bytes | None = None) -> set[int]:
    """Indexes of the lines of ``text`` that hold a phone, email or address trace
    (``utf8``: the text's UTF-8 bytes, if the caller has them)."""
    if _hs is not None and len(text) >= PREFILTER_MIN_CHARS:
        return _trace_lines_hs(text if utf8 is None else utf8)
    return _trace_lines_re(text)


def _trace_lines_re(text: str) -> set[int]:
    phone_at: list[int] = []  # where a confirmed phone starts
    other_at: list[int] = []  # where an email or address trace is
    for m in _PHONE_TRACE.finditer(text):
        lo, hi = max(m.start() - 4, 0), m.end() + 16
        if _PHONE_HEAD.search(text, lo, hi) and (found := PHONE.search(text, lo, hi)):
            phone_at.append(found.start())
    pos = text.find(_AT_SIGN)
    while pos >= 0:
        other_at.append(pos)
        pos = text.find(_AT_SIGN, pos + 1)
    pos = text.find(_DOT_WORD)
    while pos >= 0:  # " at host dot ": look back from the rare " dot " for its " at "
        head = text.rfind("\n", 0, pos) + 1
        if _AT_WORD.search(text, head, pos + len(_DOT_WORD)):
            other_at.append(pos)
        pos = text.find(_DOT_WORD, pos + 1)
    ocr: list[tuple[int, int]] = []  # (trace, OCR'd phone it confirms)
    ocr_end = 0
    for m in _SPOTS.finditer(text):
        s = m.start()
        c = text[s]
        if c in "로길리가" and _ROAD_END.match(text, s) and (
                _ROAD.match(text, s) or (s and _ROAD.match(text, s - 1))):
            other_at.append(s)
        if c in "동리" and _LOT.match(text, s):
            other_at.append(s)
        if c in "[({" and _BRACKET_AT.match(text, s):
            other_at.append(s)
        if c in "0O" and s >= ocr_end and (t := _OCR_TRACE.match(text, s)):
            ocr_end = t.end()  # OCR traces, like finditer, never overlap one another
            found = OCR_PHONE.search(text, max(s - 1, 0), t.end() + 20)
            if found:
                ocr.append((s, found.start()))
    found_lines = _lines_of(text, phone_at + other_at + [p for pair in ocr for p in pair])
    n_phone, n_hot = len(phone_at), len(phone_at) + len(other_at)
    phones = set(found_lines[:n_phone])
    hot = set(found_lines[:n_hot])
    ocr_lines = found_lines[n_hot:]
    for k in range(0, len(ocr_lines), 2):
        if ocr_lines[k] not in phones:  # a clean phone already made this line hot
            hot.add(ocr_lines[k + 1])
    return hot


# Hyperscan proposes, the passes above decide. Its patterns are supersets of what makes a
# line hot there, without lookarounds (which it lacks): a phone or OCR'd phone as PHONE /
# OCR_PHONE match it (the line they mark is where that match starts), an "@", a bracketed
# or spelled-out "at", a road or lot number. Only the lines around its matches are then
# read by the regex passes, each region with enough lines either side (>= _MARGIN bytes)
# that every window those passes look at (a few characters around a trace) lies inside.
# Python's \s is Unicode: listed here from PY_WHITESPACE, since Hyperscan's Unicode mode
# costs 0.2 s to compile in every worker. Digits are ASCII here, where the regex passes'
# \d also takes other scripts' digits: a phone or building number written in those is not
# proposed (no Korean leak writes them; NFKC has already folded full-width ones).
_WS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"
_SEP = r"[\s.\-]".replace(r"\s", _WS[1:-1])
_PREFILTER = (
    rf"(?:\+?82{_SEP}*\(?0?1[016789]\)?|\(?01[016789]\)?){_SEP}*{_M}{{3,4}}{_SEP}*{_M}{{4}}",
    rf"0(?:2|[3-6][1-5]|70|50[2-8]|80)[{_SEP[1:-1]})]+[0-9]{{3,4}}{_SEP}+[0-9]{{4}}",
    rf"[0O]{_WS}?[1lI|]{_WS}?[0O16789](?:{_SEP}{{0,2}}[0-9OolI|SBZ]){{7,8}}",
    r"@",
    r" at \S+ dot ",
    r"[\[\(\{] ?(?:at|AT|골뱅이) ?[\]\)\}]",
    r"(?:[로길]|거리|[0-9]가) ?(?:지하)?[0-9]{1,5}(?:-[0-9]+)?(?:[번길가]|[^0-9A-Za-z가-힣]|$)",
    r"[동리] (?:산 ?)?[0-9]{1,5}(?:-[0-9]|번지)",
)
_MARGIN = 96  # bytes: 24 four-byte characters, more than any window reaches
PREFILTER_MIN_CHARS = 1 << 16  # below this, compiling and calling Hyperscan is not worth it
_db: list = []


def _database():
    if not _db:
        db = _hs.Database()
        flags = _hs.HS_FLAG_UTF8 | _hs.HS_FLAG_SOM_LEFTMOST
        db.compile(expressions=[p.encode() for p in _PREFILTER], ids=list(range(len(_PREFILTER))),
                   elements=len(_PREFILTER), flags=[flags] * len(_PREFILTER))
        _db.append(db)
    return _db[0]


def _trace_lines_hs(text: str | bytes) -> set[int]:
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    spans: list[tuple[int, int]] = []

    def on_match(_id: int, start: int, end: int, _flags: int, _ctx: object) -> None:
        spans.append((start, end))

    _database().scan(raw, match_event_handler=on_match)
    regions: list[list[int]] = []
    for start, end in sorted(spans):
        lo = raw.rfind(b"\n", 0, max(start - _MARGIN, 0)) + 1
        hi = raw.find(b"\n", end + _MARGIN)
        hi = len(raw) if hi < 0 else hi
        if regions and lo <= regions[-1][1] + 1:
            regions[-1][1] = max(regions[-1][1], hi)
        else:
            regions.append([lo, hi])
    hot: set[int] = set()
    line = last = 0
    for lo, hi in regions:
        line += raw.count(b"\n", last, lo)
        last = lo
        hot.update(line + i for i in _trace_lines_re(raw[lo:hi].decode("utf-8", "surrogatepass")))
    return hot


def anchored_windows(lines: list[str], candidates: list[int], text: str | None = None,
                     utf8: bytes | None = None) -> list[list[int]]:
    """Runs of line indexes (from ``candidates``) within CONTEXT_LINES of a trace
    (``text``: ``"\\n".join(lines)``, ``utf8``: its UTF-8 bytes, if the caller has them)."""
    if not candidates:
        return []
    hot = trace_lines("\n".join(lines) if text is None else text, utf8)
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
