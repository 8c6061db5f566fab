"""Screenshots as leaks are sold, rendered for tests and benchmarks (Pillow + a Hangul
font, fonts-nanum): a forum post of prose and tables, a messenger screen of bubbles."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dumpwatch.testsites.files import FONT_CANDIDATES

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFont import FreeTypeFont

SIZE = 20  # px: Tesseract is CPU-heavy, so the images stay small


def _font(size: int) -> FreeTypeFont:
    from PIL import ImageFont

    path = next(p for p in FONT_CANDIDATES if Path(p).exists())
    return ImageFont.truetype(path, size)


def _png(img: Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def post_image(blocks: Sequence[str | Sequence[Sequence[str]]], size: int = SIZE) -> bytes:
    """A forum post: a str is a line of prose, a list of rows a borderless table whose
    columns are a cell's width apart (as a spreadsheet pasted into a post)."""
    from PIL import Image, ImageDraw

    font = _font(size)
    pad, row_h = size // 2, size + size // 2
    widths = {}
    for k, b in enumerate(blocks):
        if not isinstance(b, str):
            widths[k] = [max(int(font.getlength(r[c])) for r in b) + 2 * pad
                         for c in range(len(b[0]))]
    width = max([int(font.getlength(b)) for b in blocks if isinstance(b, str)]
                + [sum(w) for w in widths.values()]) + 2 * pad
    height = sum(row_h * (1 if isinstance(b, str) else len(b) + 1) for b in blocks) + 2 * pad
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    y = pad
    for k, b in enumerate(blocks):
        if isinstance(b, str):
            draw.text((pad, y), b, font=font, fill="black")
            y += row_h
            continue
        y += row_h // 2
        for row in b:
            x = pad
            for cell, w in zip(row, widths[k], strict=True):
                draw.text((x, y), cell, font=font, fill="black")
                x += w
            y += row_h
        y += row_h // 2
    return _png(img)


def chat_image(title: str, messages: Sequence[tuple[str, str]], footer: str,
               size: int = SIZE) -> bytes:
    """A messenger screen: a title bar, a date divider, then bubbles of one line each with
    the time right after the bubble (so its x moves with the message's length)."""
    from PIL import Image, ImageDraw

    font, small = _font(size), _font(size - 6)
    pad, row_h = size // 2, 2 * size + size // 2
    width = max(int(font.getlength(m)) for m, _ in messages) + 160
    img = Image.new("RGB", (width, row_h * (len(messages) + 3)), (178, 199, 217))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width, row_h - 6), fill=(245, 245, 245))
    draw.text((pad, pad), title, font=font, fill="black")
    divider = "2025년 12월 1일 월요일"
    draw.text(((width - small.getlength(divider)) / 2, row_h + pad), divider, font=small,
              fill=(60, 60, 60))
    y = 2 * row_h
    for text, time in messages:
        end = 2 * pad + int(font.getlength(text)) + 2 * pad
        draw.rounded_rectangle((2 * pad, y, end, y + size + 2 * pad), radius=8, fill="white")
        draw.text((3 * pad, y + pad), text, font=font, fill="black")
        draw.text((end + pad, y + pad + 6), time, font=small, fill=(60, 60, 60))
        y += row_h
    draw.text((pad, y + pad), footer, font=font, fill=(120, 120, 120))
    return _png(img)
