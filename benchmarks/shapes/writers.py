"""File formats a leak arrives in: workbooks, Excel's CSV habits, archives, screenshots.

Cells are str, int, float, datetime.date or None; a sheet is a list of rows (a title block,
blank rows and a header anywhere in it, as people lay sheets out)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import tarfile
import zipfile
from pathlib import Path

Cell = str | int | float | dt.date | None
Sheet = list[list[Cell]]

FONT = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def _text(c: Cell) -> str:
    if c is None:
        return ""
    if isinstance(c, dt.date):
        return c.isoformat()
    return str(c)


class Raw(str):
    """A cell written exactly as is, e.g. Excel's ="010-1234-5678" (no CSV quoting)."""


def csv_bytes(rows: Sheet, encoding: str = "utf-8", delimiter: str = ",",
              newline: str = "\r\n") -> bytes:
    buf = io.StringIO()
    for r in rows:
        fields = []
        for c in r:
            if isinstance(c, Raw):
                fields.append(str(c))
            else:
                one = io.StringIO()
                csv.writer(one, delimiter=delimiter, lineterminator="").writerow([_text(c)])
                fields.append(one.getvalue())
        buf.write(delimiter.join(fields) + newline)
    return buf.getvalue().encode(encoding, errors="replace")


def write_xlsx(path: Path, sheets: list[tuple[str, Sheet]], macro: bool = False) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title[:31])
        for r in rows:
            ws.append(list(r))
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if macro:  # what Excel writes for .xlsm: the macro-enabled main part content type
        data = _repack(data, "[Content_Types].xml", lambda b: b.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    path.write_bytes(data)


def _repack(data: bytes, member: str, fn) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info)
            zout.writestr(info, fn(body) if info.filename == member else body)
    return out.getvalue()


def write_xls(path: Path, sheets: list[tuple[str, Sheet]]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for title, rows in sheets:
        ws = wb.add_sheet(title[:31])
        for i, r in enumerate(rows):
            for j, c in enumerate(r):
                if c is None:
                    continue
                if isinstance(c, dt.date):
                    ws.write(i, j, c, date_style)
                else:
                    ws.write(i, j, c)
    wb.save(str(path))


def write_ods(path: Path, sheets: list[tuple[str, Sheet]]) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for title, rows in sheets:
        t = Table(name=title)
        for r in rows:
            tr = TableRow()
            for c in r:
                if c is None:
                    tc = TableCell()
                elif isinstance(c, bool | str):
                    tc = TableCell(valuetype="string")
                    tc.addElement(P(text=str(c)))
                elif isinstance(c, dt.date):
                    tc = TableCell(valuetype="date", datevalue=c.isoformat())
                    tc.addElement(P(text=c.isoformat()))
                else:
                    tc = TableCell(valuetype="float", value=c)
                    tc.addElement(P(text=str(c)))
                tr.addElement(tc)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)
    doc.save(str(path))


def write_workbook(path: Path, sheets: list[tuple[str, Sheet]]) -> None:
    ext = path.suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        write_xlsx(path, sheets, macro=ext == ".xlsm")
    elif ext == ".xls":
        write_xls(path, sheets)
    elif ext == ".ods":
        write_ods(path, sheets)
    else:
        raise ValueError(ext)


def workbook_bytes(name: str, sheets: list[tuple[str, Sheet]], tmp: Path) -> bytes:
    p = tmp / name
    write_workbook(p, sheets)
    data = p.read_bytes()
    p.unlink()
    return data


def zip_bytes(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members:
            z.writestr(name, body)
    return buf.getvalue()


def tar_bytes(members: list[tuple[str, bytes]], gz: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as t:
        for name, body in members:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            info.mtime = 1764500000
            t.addfile(info, io.BytesIO(body))
    return buf.getvalue()


def gz_bytes(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


def write_png(path: Path, rows: list[list[str]], size: int = 20, seed: int = 0) -> None:
    """A spreadsheet screenshot: grid, shaded header row, Hangul in NanumGothic."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), size)
    pad = size // 2
    widths = [max(font.getlength(r[j]) if j < len(r) else 0 for r in rows) + 2 * pad
              for j in range(max(len(r) for r in rows))]
    lh = int(size * 1.6)
    w, h = int(sum(widths)) + 2, lh * len(rows) + 2
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, w - 1, lh], fill=(221, 235, 247))
    y = 0
    for r in rows:
        x = 0.0
        for j, wd in enumerate(widths):
            d.rectangle([x, y, x + wd, y + lh], outline=(190, 190, 190))
            if j < len(r):
                d.text((x + pad, y + (lh - size) // 2), r[j], font=font, fill=(20, 20, 20))
            x += wd
        y += lh
    img.save(path)
