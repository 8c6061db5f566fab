"""Leak files as they arrive, built in memory for the tests, the benchmark and the sites:
workbooks, zips, nested tar.gz, screenshots of a spreadsheet, and a 10 GB zip bomb.

Nothing here touches disk unless the caller writes the bytes; records come from
``dumpwatch.synth.people`` so tests can check which were found.
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

HEADER = ["이름", "연락처", "이메일", "주소", "가입일"]


def xlsx(sheets: dict[str, Sequence[Sequence[object]]], *, constant_memory: bool = False
         ) -> bytes:
    """A real .xlsx (XlsxWriter); datetime cells get a date format, as Excel would."""
    import datetime as dt

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": not constant_memory,
                                   "constant_memory": constant_memory})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write_datetime(r, c, v, date_fmt)
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2025, 11, 3, 10, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def tar_gz_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_762_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def zip_bomb(total: int = 10 << 30, line: bytes = b"0,0,0,0\n") -> bytes:
    """A valid zip whose one member genuinely inflates to ``total`` bytes of text lines.

    Built in about a second without compressing 10 GB: a deflate stream flushed with
    Z_FULL_FLUSH forgets its history, so every further MiB of the same text compresses to
    the same bytes, and the stream is that block repeated. Zip64 headers carry the true
    sizes, so a reader that trusts nothing still has to inflate all of it to see the end.
    """
    unit = 1 << 20
    assert unit % len(line) == 0, "the line length must divide 1 MiB"
    block = line * (unit // len(line))
    n, rest = divmod(total, unit)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    second = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    third = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    assert second == third, "deflate blocks differ: cannot repeat"
    tail = comp.compress(block[:rest]) + comp.flush()
    stream = first + second * (n - 1) + tail
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(block[:rest], crc)
    return _zip64_single("dump.csv", stream, len(stream), total, crc)


def _zip64_single(name: str, data: bytes, csize: int, usize: int, crc: int) -> bytes:
    fname = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, usize, csize)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc, 0xFFFFFFFF,
                        0xFFFFFFFF, len(fname), len(extra)) + fname + extra
    cextra = struct.pack("<HHQQQ", 1, 24, usize, csize, 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0x21, crc,
                          0xFFFFFFFF, 0xFFFFFFFF, len(fname), len(cextra), 0, 0, 0, 0,
                          0) + fname + cextra
    cd_off = len(local) + len(data)
    eocd64 = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1, 1, len(central),
                         cd_off)
    loc64 = struct.pack("<IIQI", 0x07064B50, 0, cd_off + len(central), 1)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), cd_off, 0)
    return local + data + central + eocd64 + loc64 + eocd


def table_image(rows: Sequence[Sequence[str]], *, font_size: int = 28,
                grid: bool = False) -> bytes:
    """A PNG screenshot of a small spreadsheet, drawn with a Hangul font (fonts-nanum);
    ``grid``: with cell borders and a shaded header row, as Excel shows a sheet."""
    from PIL import Image, ImageDraw, ImageFont

    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if font_path is None:
        raise RuntimeError("no Hangul font: apt-get install fonts-nanum")
    font = ImageFont.truetype(font_path, font_size)
    pad = font_size // 2
    widths = [max(int(font.getlength(str(r[c]))) for r in rows) + 2 * pad
              for c in range(len(rows[0]))]
    row_h = font_size + pad
    img = Image.new("RGB", (sum(widths) + 2 * pad, row_h * len(rows) + 2 * pad), "white")
    draw = ImageDraw.Draw(img)
    for r, row in enumerate(rows):
        x = pad
        y = pad + r * row_h
        for c, cell in enumerate(row):
            if grid:
                draw.rectangle((x, y, x + widths[c], y + row_h), outline=(190, 190, 190),
                               fill=(221, 235, 247) if r == 0 else None)
            # bordered cells get Excel's inner margin: the text clear of the grid line
            draw.text((x + (pad if grid else pad // 2), y + pad // 4), str(cell), font=font,
                      fill="black")
            x += widths[c]
        draw.line((pad, y + row_h - 1, x, y + row_h - 1), fill=(200, 200, 200))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


FONT_CANDIDATES = ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
                   "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf")


def ods(sheets: dict[str, Sequence[Sequence[str]]]) -> bytes:
    """A minimal OpenDocument spreadsheet (LibreOffice's format) of text cells."""
    from xml.sax.saxutils import escape, quoteattr

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    tables = "".join(
        f"<table:table table:name={quoteattr(name)}>" + "".join(
            "<table:table-row>" + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(str(c))}'
                "</text:p></table:table-cell>" for c in row) + "</table:table-row>"
            for row in rows) + "</table:table>"
        for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} '
               f'office:version="1.2"><office:body><office:spreadsheet>{tables}'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                    zipfile.ZIP_STORED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()
