"""Text of a screenshot (a leak sold as a picture of a spreadsheet), via Tesseract.

Tesseract's plain text of a table loses the table: a row comes out as words separated by
one or several spaces, an empty cell leaves no trace, and the grid lines come out as
stray glyphs (」 、 ： | _ ㅣ) glued to the cells beside them. So one run asks for both
the text (which knows where Tesseract saw spaces) and the word boxes (TSV), and the rows
are rebuilt here: tokens grouped into rows by vertical position, columns found where no
row has ink (the same x gap in every row), cells joined by tabs so the tabular extractor
sees a header and the empty cells. Words the Korean model garbled into mixed script are
re-read with the Latin model, cells of a Hangul column that came out as Latin letters
with the Korean model alone. The image never touches the disk: a screenshot of a leak is
leaked data.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from dumpwatch.errors import ArchiveError

if TYPE_CHECKING:
    from PIL.Image import Image

TIMEOUT_S = 300


@dataclass
class Token:
    """One space-separated piece of Tesseract's text, with its box in the image."""

    text: str
    left: int
    top: int
    right: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def ocr_image(data: bytes, max_pixels: int, lang: str = "kor+eng") -> str:
    """The text of an image, a table's rows as tab-separated cells; pixels checked first."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        img = PILImage.open(io.BytesIO(data))
        w, h = img.size
        if w * h > max_pixels:
            raise ArchiveError(f"image of {w}×{h} pixels is over the "
                               f"{max_pixels:,}-pixel limit")
        img.load()
    except (UnidentifiedImageError, OSError, PILImage.DecompressionBombError) as exc:
        raise ArchiveError(f"unreadable image: {exc}") from None
    if img.mode not in ("L", "RGB"):
        img = img.convert("RGB")
    # --psm 6: one uniform block of text, which keeps a table row on one line.
    out = tesseract(img, lang, 6, "tsv", "txt")
    tokens = tokens_of(out)
    if tokens is None:  # the two outputs disagree: keep Tesseract's text as it is
        return split_outputs(out)[1]
    rows = group_rows([t for t in (clean(t) for t in tokens) if t is not None])
    parts = [(cells_of(block, edges), edges) for block, edges in blocks(rows)]
    if "+" in lang:
        reread(img, parts, lambda im, one: tesseract(im, one, 6, "tsv", "txt"))
    return "".join(table_text(grid) for grid, _ in parts)


def tesseract(img: Image, lang: str, psm: int, *outputs: str) -> str:
    """Tesseract on stdin/stdout; with several ``outputs`` they come one after another."""
    cmd = ["tesseract", "stdin", "stdout", "-l", lang, "--psm", str(psm), *outputs]
    # One OpenMP thread: Tesseract's threads fight each other (and the scan's workers)
    # for the cores; a single thread per image is several times faster on a busy machine.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    buf = io.BytesIO()
    img.save(buf, "PNG")
    try:
        proc = subprocess.run(cmd, input=buf.getvalue(), capture_output=True,
                              timeout=TIMEOUT_S, env=env)
    except FileNotFoundError:
        raise ArchiveError("OCR needs tesseract (apt-get install tesseract-ocr "
                           "tesseract-ocr-kor)") from None
    except subprocess.TimeoutExpired:
        raise ArchiveError(f"OCR took longer than {TIMEOUT_S} s") from None
    if proc.returncode:
        why = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ArchiveError(f"OCR failed: {why[-1] if why else proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


# ------------------------------------------------------------------ tokens


def split_outputs(out: str) -> tuple[list[list[str]], str]:
    """Tesseract's ``tsv`` then ``txt`` outputs, from one stream: TSV rows, plain text."""
    lines = out.splitlines()
    if not lines or not lines[0].startswith("level\t"):
        return [], out
    i = 1
    while i < len(lines):
        f = lines[i].split("\t")
        if len(f) != 12 or not f[0].isdigit():
            break
        i += 1
    return [ln.split("\t") for ln in lines[1:i]], "\n".join(lines[i:]) + "\n"


def tokens_of(out: str) -> list[Token] | None:
    """Tesseract's TSV words merged into the tokens of its text output (``tsv`` then
    ``txt`` in one stream). The TSV cuts Korean into syllables ("이", "한결") with no
    record of spacing; the text knows "이한결" is one word. None if they do not line up."""
    if not out.startswith("level\t"):
        return None
    rows, text = split_outputs(out)
    words: list[Token] = []
    for f in rows:
        if f[0] == "5" and f[11].strip():
            left, top, width, height = (int(x) for x in f[6:10])
            words.append(Token(f[11].strip(), left, top, left + width, top + height))
    text_tokens = text.split()
    tokens: list[Token] = []
    w = 0
    for t in text_tokens:
        parts: list[Token] = []
        acc = ""
        while w < len(words) and len(acc) < len(t):
            parts.append(words[w])
            acc += words[w].text
            w += 1
        if acc != t:
            return None
        tokens.append(Token(t, min(p.left for p in parts), min(p.top for p in parts),
                            max(p.right for p in parts), max(p.bottom for p in parts)))
    return tokens if w == len(words) else None


# Grid lines read as glyphs: CJK brackets and commas, bars, dashes, a lone vertical or
# horizontal vowel. Stripped from the edges of a token; a token of nothing else is dropped.
_RULE = "|｜¦」「』『】【、。，,：:；;_—–―~`'\"‘’.·•ㅣㅡ[]"
_CONTENT = re.compile(r"[0-9A-Za-z가-힣*○●@#]")


def clean(tok: Token) -> Token | None:
    """``tok`` without grid-line debris at its edges (box shrunk in proportion)."""
    text = tok.text.strip(_RULE)
    if not text or not _CONTENT.search(text):
        return None
    if text == tok.text:
        return tok
    head = tok.text.index(text)
    tail = len(tok.text) - head - len(text)
    per = (tok.right - tok.left) / len(tok.text)
    return Token(text, tok.left + round(head * per), tok.top, tok.right - round(tail * per),
                 tok.bottom)


# ------------------------------------------------------------------ layout


def _em(tokens: list[Token]) -> float:
    """The height of a line of text: the lower quartile of box heights, since a grid line
    Tesseract took for part of a word stretches that word's box to twice the line."""
    heights = sorted(t.height for t in tokens)
    return max(1, heights[len(heights) // 4])


def group_rows(tokens: list[Token]) -> list[list[Token]]:
    """Tokens in rows by vertical overlap (not Tesseract's lines: a tall stray glyph can
    pull two table rows together), each row left to right."""
    if not tokens:
        return []
    em = _em(tokens)
    rows: list[list[Token]] = []
    for t in sorted(tokens, key=lambda t: t.middle):
        if rows:
            mid = statistics.median(x.middle for x in rows[-1])
            if abs(t.middle - mid) <= em / 2:
                rows[-1].append(t)
                continue
        rows.append([t])
    return [sorted(r, key=lambda t: t.left) for r in rows]


def column_edges(rows: list[list[Token]], aligned: bool = False) -> list[float]:
    """x positions between table columns: gaps that (almost) no row puts ink in — word
    spaces inside a cell move from row to row, column gaps do not. A gap of half a
    character height or more is an edge; a narrower one (a tight spreadsheet) only where
    the cells after it start at the same x, as left-aligned cells do, and it does not
    split digit groups (010 1234 5678 in every row). A cell overflowing into the next
    column on one row in ten is tolerated. ``aligned``: every edge needs the cells after
    it to start at one x (the test for rows of a table among prose)."""
    tokens = [t for r in rows for t in r]
    if len(rows) < 2 or not tokens:
        return []
    em = _em(tokens)
    left = min(t.left for t in tokens)
    right = max(t.right for t in tokens)
    cover = np.zeros(right - left + 1, np.int32)  # rows with ink at each x
    for r in rows:
        seen = np.zeros(right - left + 1, bool)
        for t in r:
            seen[t.left - left:t.right - left] = True
        cover += seen
    tol = len(rows) // 10
    # a word space here: narrow gaps must be clearly wider (a name and a phone after one
    # space in every line of a text dump is not a table)
    spaces = [b.left - a.right for r in rows for a, b in itertools.pairwise(r)
              if 0 < b.left - a.right < em / 2]
    narrow = max(2.0, 1.4 * (statistics.median(spaces) if len(spaces) >= 5 else em * 0.3))
    edges: list[float] = []
    start = None
    for x, c in enumerate(cover.tolist()):
        if c <= tol:
            start = x if start is None else start
            continue
        if start is not None and ((x - start >= em / 2 and not aligned) or (
                x - start >= narrow and _aligned_start(rows, left + x, em))):
            edges.append(left + (start + x) / 2)
        start = None
    return edges


_DIGITS = re.compile(r"^\d{1,4}$")


def _aligned_start(rows: list[list[Token]], x: int, em: float) -> bool:
    """Most rows with ink right of ``x`` start a token at ``x``, and the gap is not the
    space between groups of digits."""
    near = em / 6
    starts = 0
    digit_groups = 0
    right_of = 0
    for r in rows:
        after = [i for i, t in enumerate(r) if t.left >= x - near]
        if not after:
            continue
        right_of += 1
        i = after[0]
        if abs(r[i].left - x) <= near:
            starts += 1
            digit_groups += bool(i and _DIGITS.match(r[i - 1].text)
                                 and _DIGITS.match(r[i].text.split("-")[0]))
    return right_of >= 2 and starts >= 0.6 * right_of and digit_groups < 0.5 * starts


Block = tuple[list[list[Token]], list[float]]  # rows, and their column edges ([]: prose)


def blocks(rows: list[list[Token]]) -> list[Block]:
    """The rows in blocks, top to bottom: table bands with their own column edges, and
    prose between them. A screenshot of a sale post has a title, a pitch, a table, a
    seller's handle below; a column gap is only a gap in the rows of its own table, so
    columns are found per band. A screenshot that is one table throughout (no row runs
    across two column edges; a cell overflowing into the next column does) is one band,
    as before. Otherwise a row is a table's
    if it and its neighbours (three rows) start a cell at the same x after a gap they
    share: words of prose have gaps as wide as a column's, but not lined up. Each run of
    such rows loses its first or last row while those cross an edge of the run (a title,
    a footer), and is cut at a row inside it that crosses two (prose between tables), or
    where the rows are furthest apart if the run has no common edge (two tables)."""
    if not rows:
        return []
    edges = column_edges(rows)
    if edges and max(_crossed(r, edges) for r in rows) <= 1 and _spread(rows, edges):
        return [(rows, edges)]
    n = len(rows)
    near = _em([t for r in rows for t in r]) / 6
    tabular = [False] * n
    for k in range(n - 2):
        for e in column_edges(rows[k:k + 3], aligned=True):
            # all three start a cell there (a line of prose beside a table may have a gap
            # at its column's edge, but no word starting where the cells do)
            starts = [next((t.left for t in r if t.left > e), None) for r in rows[k:k + 3]]
            xs = [x for x in starts if x is not None]
            if len(xs) == 3 and max(xs) - min(xs) <= near:
                tabular[k:k + 3] = [True] * 3
    for k in range(1, n - 1):  # a row with its first cell filled only, inside a table
        if tabular[k - 1] and tabular[k + 1] and not tabular[k]:
            around = column_edges([rows[k - 1], rows[k + 1]], aligned=True)
            tabular[k] = bool(around) and not _crossed(rows[k], around)
    bands: list[tuple[int, int, list[float]]] = []
    i = 0
    while i < n:
        j = i
        while j < n and tabular[j]:
            j += 1
        bands += _bands(rows, i, j)
        i = j + 1
    out: list[Block] = []
    done = 0
    for a, b, e in bands:
        if done < a:
            out.append((rows[done:a], []))
        out.append((rows[a:b], e))
        done = b
    if done < n:
        out.append((rows[done:], []))
    return out


def _spread(rows: list[list[Token]], edges: list[float]) -> bool:
    """Half the rows or more have words in two columns: a table, not lines of text
    that only the longest of them reach past an edge."""
    spans = [Token("", min(t.left for t in r), 0, max(t.right for t in r), 0) for r in rows]
    return 2 * sum(_crossed([span], edges) > 0 for span in spans) >= len(rows)


def _crossed(row: list[Token], edges: list[float]) -> int:
    """How many of ``edges`` a word of ``row`` runs across."""
    return sum(any(t.left < e < t.right for t in row) for e in edges)


def _bands(rows: list[list[Token]], i: int, j: int) -> list[tuple[int, int, list[float]]]:
    """Table bands (first row, end, edges) within ``rows[i:j]``: three rows at least."""
    while j - i >= 3:
        edges = column_edges(rows[i:j])
        if not edges:  # two tables one under the other: cut at the widest space between
            if j - i < 6:
                i += 1
                continue
            k = max(range(i + 3, j - 2), key=lambda k: min(t.top for t in rows[k])
                    - max(t.bottom for t in rows[k - 1]))
            return _bands(rows, i, k) + _bands(rows, k, j)
        crossed = [_crossed(rows[k], edges) for k in range(i, j)]
        if crossed[0]:  # a title above the table
            i += 1
        elif crossed[-1]:  # a footer below it
            j -= 1
        elif max(crossed) > 1:  # a line of prose inside: across two columns or more
            k = i + max(range(j - i), key=lambda k: crossed[k])
            return _bands(rows, i, k) + _bands(rows, k + 1, j)
        elif _spread(rows[i:j], edges):
            return [(i, j, edges)]
        else:  # a gap only the longest lines reach past: lines of text above a table
            i += 1
    return []


def cells_of(rows: list[list[Token]], edges: list[float]) -> list[list[list[Token]]]:
    """Each row's tokens per column (an empty list: an empty cell)."""
    em = _em([t for r in rows for t in r]) if rows else 1
    grid = []
    for r in rows:
        cells: list[list[Token]] = [[] for _ in range(len(edges) + 1)]
        for whole in r:
            for t in split_at_edges(whole, edges, em):
                cells[sum((t.left + t.right) / 2 > e for e in edges)].append(t)
        grid.append(cells)
    return grid


def _script(ch: str) -> int:
    return 0 if "가" <= ch <= "힣" or "ㄱ" <= ch <= "ㆎ" else 1 if ch in _RULE else 2


def split_at_edges(tok: Token, edges: list[float], em: float) -> list[Token]:
    """A token Tesseract glued across a column edge ("서혜담.010-6051-6213": a name and
    a phone) cut where its script changes nearest the edge; box widths in proportion."""
    text = tok.text
    per = (tok.right - tok.left) / max(1, len(text))
    for e in edges:
        if not tok.left + em / 2 < e < tok.right - em / 2:
            continue
        want = (e - tok.left) / per
        cuts = [i for i in range(1, len(text)) if _script(text[i - 1]) != _script(text[i])]
        if not cuts:
            continue
        i = min(cuts, key=lambda i: abs(i - want))
        if abs(i - want) > max(2, len(text) / 4):
            continue
        x = tok.left + round(i * per)
        parts = [clean(Token(text[:i], tok.left, tok.top, x, tok.bottom)),
                 clean(Token(text[i:], x, tok.top, tok.right, tok.bottom))]
        return [q for p in parts if p is not None for q in split_at_edges(p, edges, em)]
    return [tok]


def table_text(grid: list[list[list[Token]]]) -> str:
    """Rows as lines; in a table (two columns or more) cells are tab-separated, an empty
    cell kept in place so every value stays under its heading."""
    out = ["\t".join(" ".join(t.text for t in c) for c in cells).rstrip("\t")
           for cells in grid]
    return "\n".join(out) + "\n" if out else ""


# ------------------------------------------------------------------ re-reading


_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")
# An e-mail the Korean model garbled: jamo, CJK brackets or Hangul inside it, or a domain
# read as digits. Used where no column says which script a cell should be in.
# Non-ASCII text that is not a plain Korean word (a heading, "없음"): jamo, CJK brackets,
# or Latin letters and digits mixed in.
_ASCII_MIXED = re.compile(r"[ㄱ-ㆎ『』「」【】]|[A-Za-z0-9@]")
_GARBLED_EMAIL = re.compile(r"@.*[^\x00-\x7f]|[^\x00-\x7f].*@|@[\d.]+$")
_EMAIL_SHAPE = re.compile(r"^[\w.+-]+@[\w-]*[A-Za-z][\w-]*(\.[\w-]+)+$")


Where = tuple[int, int, int | None]  # row, column, token (None: the whole cell)


def misread_cells(grid: list[list[list[Token]]]) -> dict[str, list[Where]]:
    """Cells to read again, by language: in a column of Hangul cells (names, addresses)
    Latin letters are where the Latin model won ("Bale" for 황채람, "SBS" for 전포대로);
    in a column of ASCII cells (e-mails, phones, ids) one mixing ASCII with Hangul, jamo
    or CJK brackets was won by the Korean model (a plain Korean word there is a
    heading). Outside a table: e-mails holding Hangul or jamo."""
    todo: dict[str, list[Where]] = {"kor": [], "eng": []}
    ncols = max((len(r) for r in grid), default=0)
    for c in range(ncols):
        cells = [(i, " ".join(t.text for t in r[c])) for i, r in enumerate(grid) if r[c]]
        hangul = sum(bool(_HANGUL.search(x)) for _, x in cells)
        ascii_ = sum(x.isascii() for _, x in cells)
        if ncols > 1 and len(cells) >= 3 and hangul >= 0.6 * len(cells):
            todo["kor"] += [(i, c, None) for i, x in cells if _LATIN.search(x)]
        elif ncols > 1 and len(cells) >= 3 and ascii_ >= 0.6 * len(cells):
            # a column of e-mails: an ASCII cell of another shape is one read as digits
            emails = sum(bool(_EMAIL_SHAPE.match(x.replace(" ", ""))) for _, x in cells)
            todo["eng"] += [(i, c, None) for i, x in cells
                            if (not x.isascii() and _ASCII_MIXED.search(x))
                            or (("@" in x or (emails >= 0.6 * len(cells) and x.isascii()))
                                and not _EMAIL_SHAPE.match(x.replace(" ", "")))]
        else:
            todo["eng"] += [(i, c, k) for i, _ in cells for k, t in enumerate(grid[i][c])
                            if _GARBLED_EMAIL.search(t.text)]
    return todo


def reread(img: Image, parts: list[tuple[list[list[list[Token]]], list[float]]],
           read: Callable[[Image, str], str]) -> None:
    """The misread cells of every block (grid and its column edges; between their
    column's edges), cut out and stacked into one image per language (one more Tesseract
    run each, not one per cell or block), replaced by what that model reads there when it
    is in the expected script (a Korean re-read: Hangul, and fewer Latin letters than
    before; "SK뷰" in an apartment's name stays)."""
    from PIL import Image as PILImage

    tokens = [t for grid, _ in parts for row in grid for cell in row for t in cell]
    if not tokens:
        return
    em = _em(tokens)
    todo: dict[str, list[tuple[list[list[list[Token]]], list[float], Where]]] = {}
    for grid, edges in parts:
        for lang, where in misread_cells(grid).items():
            todo.setdefault(lang, []).extend((grid, edges, w) for w in where)
    for lang, items in todo.items():
        if not items:
            continue
        boxes = []
        for grid, edges, (r, c, k) in items:
            part = grid[r][c] if k is None else grid[r][c][k:k + 1]
            # the row's band, not the cell's own box: a tall stray glyph stretches that
            # into the rows above and below
            mid = statistics.median(t.middle for cell in grid[r] for t in cell)
            pad = max(3, round(em / 3))
            x0, x1 = min(t.left for t in part) - pad, max(t.right for t in part) + pad
            if k is None:  # the whole cell: the box may have missed a letter at its edge
                x0 = min(x0, round(edges[c - 1]) if c else 0)
                x1 = max(x1, round(edges[c]) if c < len(edges) else img.width)
            boxes.append((max(0, x0), max(0, round(mid - em)), min(img.width, x1),
                          min(img.height, round(mid + em))))
        gap = max(b[3] - b[1] for b in boxes)
        sheet = PILImage.new(img.mode, (max(b[2] - b[0] for b in boxes) + 2 * gap,
                                        sum(b[3] - b[1] + gap for b in boxes) + gap), "white")
        spans = []
        y = gap
        for b in boxes:
            sheet.paste(img.crop(b), (gap, y))
            spans.append((y, y + b[3] - b[1]))
            y += b[3] - b[1] + gap
        lines = group_rows(tokens_of(read(sheet, lang)) or [])
        for (grid, _, (r, c, k)), (y0, y1) in zip(items, spans, strict=True):
            # the one line read nearest the middle of this cell's strip
            inside = [ln for ln in lines
                      if y0 <= statistics.median(t.middle for t in ln) <= y1]
            if not inside:
                continue
            line = min(inside, key=lambda ln: abs(
                statistics.median(t.middle for t in ln) - (y0 + y1) / 2))
            got = [t.text for t in line]
            text = " ".join(got)
            if lang == "eng":
                if not (text.isascii() and _CONTENT.search(text)):
                    continue
                text = "".join(got) if "@" in text else text
            cell = grid[r][c]
            if lang == "kor" and not (_HANGUL.search(text) and len(_LATIN.findall(text)) < len(
                    _LATIN.findall(" ".join(t.text for t in cell)))):
                continue
            part = cell if k is None else cell[k:k + 1]
            new = Token(text, min(t.left for t in part), min(t.top for t in part),
                        max(t.right for t in part), max(t.bottom for t in part))
            if k is None:
                cell[:] = [new]
            else:
                cell[k] = new
