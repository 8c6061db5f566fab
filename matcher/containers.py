"""Files as leaks really arrive -> text documents: archives, workbooks, screenshots.

``expand_path`` / ``expand_bytes`` turn one file into the documents inside it, each named
by its path through the containers (``dump.zip/2025/고객.xlsx/Sheet1``). ``dumpwatch scan``
and the crawler both go through here, so an archive means the same on disk and online.

Decompression bombs are stopped on bytes actually produced, never on sizes an archive
declares: every decompressing stream is read through a counter shared per top-level
file (member count, total expanded bytes, expanded/compressed ratio measured against
the input bytes consumed so far), so a 10 GB bomb is refused after a few MiB of reading.
Nested archives count against the same budget, to a fixed depth.

Per-member problems (encrypted, corrupt, binary, image without OCR) come out as a
document with ``skipped`` set; a limit exceeded raises ``ArchiveLimitError`` and ends
that file's expansion, the documents already produced staying valid. Members are
streams: read each before asking for the next. Reading one may raise ``ArchiveError``
(corrupt data: skip that member) or ``ArchiveLimitError`` (stop the file).
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import lzma
import os
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from dumpwatch.errors import ArchiveError, ArchiveLimitError
from matcher.decode import looks_binary

READ = 1 << 20
# Decompressors read their input ahead of what they are asked for (zipfile reads as much
# compressed data as output requested): small output reads keep the input counter honest.
OUT_READ = 64 << 10


@dataclass(frozen=True)
class Limits:
    """Bounds per top-level file; defaults fit a full national-scale dump, not a bomb."""

    max_members: int = 10_000  # files in all archives, sheets included
    max_total_bytes: int = 16 << 30  # bytes produced by decompression, all layers
    max_ratio: float = 100.0  # produced / input consumed, checked once past ratio_floor
    ratio_floor: int = 16 << 20  # below this much output any ratio is harmless
    max_depth: int = 3  # archives inside archives
    max_nested_bytes: int = 1 << 30  # a nested zip or workbook is held in memory
    max_image_pixels: int = 40_000_000


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n}"


@dataclass
class Member:
    """One text document found in a file: read it as bytes (any charset) or see why not."""

    name: str
    stream: IO[bytes] | None = None
    skipped: str | None = None

    def read(self) -> bytes:
        assert self.stream is not None
        return self.stream.read()


class _Budget:
    """What one top-level file has cost so far; raises once a limit is crossed."""

    def __init__(self, name: str, limits: Limits) -> None:
        self.name = name
        self.limits = limits
        self.consumed = 0  # bytes read from the input itself
        self.produced = 0  # bytes produced by every decompressor
        self.members = 0
        self.reported = 0  # input bytes already handed to ``progress``
        self.size = 0  # of the input, when known: re-read headers must not count twice

    def progress(self) -> int:
        """Input bytes read since the last call: a progress bar counts the file, not what
        it expands to."""
        now = min(self.consumed, self.size) if self.size else self.consumed
        n, self.reported = max(0, now - self.reported), max(now, self.reported)
        return n

    def member(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveLimitError(f"{self.name}: refused: more than "
                                    f"{self.limits.max_members:,} members")

    def produce(self, n: int) -> None:
        self.produced += n
        lim = self.limits
        if self.produced > lim.max_total_bytes:
            raise ArchiveLimitError(
                f"{self.name}: refused: expands past {human(lim.max_total_bytes)} "
                f"(stopped after {human(self.produced)})")
        if self.produced > lim.ratio_floor and self.produced > lim.max_ratio * max(
                self.consumed, 1):
            raise ArchiveLimitError(
                f"{self.name}: refused: decompression bomb — {human(self.consumed)} expanded "
                f"to {human(self.produced)} (over {lim.max_ratio:g}×), stopped reading")


class _Counted(io.RawIOBase):
    """A readable stream whose bytes are charged to the budget (input or output side)."""

    def __init__(self, inner: IO[bytes], budget: _Budget, *, output: bool) -> None:
        self.inner = inner
        self.budget = budget
        self.output = output

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return not self.output and self.inner.seekable()

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.inner.seek(pos, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        if not self.output:  # the input file itself: no copy, no translation
            n = self.inner.readinto(buf)  # type: ignore[attr-defined]
            self.budget.consumed += n
            return n
        try:
            # Small reads: the decompressor reads its input about as far ahead as asked.
            data = self.inner.read(min(len(buf), OUT_READ))
        except (OSError, EOFError, lzma.LZMAError, zlib.error, zipfile.BadZipFile,
                tarfile.TarError, ValueError) as exc:
            raise ArchiveError(f"corrupt: {exc}") from None
        n = len(data)
        buf[:n] = data
        self.budget.produce(n)
        return n


def _buffered(inner: IO[bytes], budget: _Budget) -> io.BufferedReader:
    return io.BufferedReader(_Counted(inner, budget, output=True), OUT_READ)


# ------------------------------------------------------------------ type detection

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff")
WORKBOOK_EXT = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def sniff(head: bytes, name: str) -> str:
    """The kind of a file from its first bytes (then its name): zip, gzip, bz2, xz, tar,
    ole (old .xls), image, unsupported (7z, rar, pdf...), text or binary."""
    low = name.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] in (b"1AY&SY",
                                                                       b"\x17rE8P\x90"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole" if low.endswith((".xls", ".xlsx", ".xlt")) or not low.endswith(
            (".doc", ".ppt", ".msg")) else "unsupported:office document"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00",
                        b"MM\x00*")) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP") or (
            head[:2] == b"BM" and head[6:10] == b"\0\0\0\0"):  # text may start "BM"
        return "image"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "unsupported:7z archive"
    if head.startswith(b"Rar!"):
        return "unsupported:rar archive"
    if head.startswith(b"%PDF"):
        return "unsupported:pdf"
    if looks_binary(head):
        return "binary"
    return "text"


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were already read to sniff its type."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = head
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[no-untyped-def]
        if self.head:
            n = min(len(buf), len(self.head))
            buf[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.rest.read(len(buf))
        buf[:len(data)] = data
        return len(data)


def _head(stream: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    head = stream.read(8192)
    return head, io.BufferedReader(_Prefixed(head, stream), READ)


# ------------------------------------------------------------------ expansion


@dataclass
class _Ctx:
    budget: _Budget
    limits: Limits
    ocr: bool
    ocr_lang: str


def expand_path(path: Path, limits: Limits | None = None, *, ocr: bool = False,
                ocr_lang: str = "kor+eng", name: str | None = None,
                progress: list[Callable[[], int]] | None = None) -> Iterator[Member]:
    """Documents in a file on disk (a plain text file is one document: itself).

    ``progress`` receives a function returning the input bytes read since its last call.
    """
    name = name or str(path)
    ctx = _Ctx(_Budget(name, limits or Limits()), limits or Limits(), ocr, ocr_lang)
    if progress is not None:
        progress.append(ctx.budget.progress)
    with open(path, "rb") as fh:
        ctx.budget.size = os.fstat(fh.fileno()).st_size
        yield from _guard(_expand(_Counted(fh, ctx.budget, output=False), name, ctx, 0,
                                  seekable=True), name)


def expand_bytes(data: bytes, name: str, limits: Limits | None = None, *, ocr: bool = False,
                 ocr_lang: str = "kor+eng") -> Iterator[Member]:
    """Documents in a downloaded file; ``name`` (its file name) names them."""
    ctx = _Ctx(_Budget(name, limits or Limits()), limits or Limits(), ocr, ocr_lang)
    yield from _guard(_expand(_Counted(io.BytesIO(data), ctx.budget, output=False), name, ctx,
                              0, seekable=True), name)


def _expand(raw: IO[bytes], name: str, ctx: _Ctx, depth: int, *, seekable: bool
            ) -> Iterator[Member]:
    if seekable:
        head = raw.read(8192)
        raw.seek(0)
        stream: IO[bytes] = raw
    else:
        head, stream = _head(raw)
    kind = sniff(head, name)
    if kind in ("zip", "gzip", "bz2", "xz", "tar", "ole") and depth >= ctx.limits.max_depth \
            and depth > 0:
        yield Member(name, skipped=f"nested deeper than {ctx.limits.max_depth} archives")
        return
    if kind == "zip":
        if not seekable:
            stream = io.BytesIO(_read_bounded(stream, ctx, name))
        yield from _zip(stream, name, ctx, depth)
    elif kind in ("gzip", "bz2", "xz"):
        yield from _compressed(stream, kind, name, ctx, depth)
    elif kind == "tar":
        yield from _tar(stream, name, ctx, depth)
    elif kind == "ole":
        yield from _workbook(_read_bounded(stream, ctx, name), name, ctx)
    elif kind == "image":
        yield from _image(stream, name, ctx)
    elif kind.startswith("unsupported:"):
        yield Member(name, skipped=f"{kind.split(':', 1)[1]} not supported")
    elif kind == "binary":
        yield Member(name, skipped="binary content")
    else:
        yield Member(name, stream=stream)


def _read_bounded(stream: IO[bytes], ctx: _Ctx, name: str) -> bytes:
    """An archive or workbook that needs random access, read into memory (never to disk)."""
    cap = ctx.limits.max_nested_bytes
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise ArchiveLimitError(f"{name}: refused: a nested archive or workbook larger than "
                                f"{human(cap)}")
    return data


def _member_name(info: zipfile.ZipInfo) -> str:
    """Korean zips made on Windows carry CP949 names without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "cp949"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _is_workbook_zip(zf: zipfile.ZipFile) -> bool:
    names = set(zf.namelist())
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return True
    if "mimetype" in names:
        with zf.open("mimetype") as fh:
            return b"spreadsheet" in fh.read(200)
    return False


def _zip(stream: IO[bytes], name: str, ctx: _Ctx, depth: int) -> Iterator[Member]:
    try:
        zf = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        yield Member(name, skipped=f"broken zip: {exc}")
        return
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > ctx.limits.max_members:
            raise ArchiveLimitError(f"{name}: refused: {len(infos):,} members (limit "
                                    f"{ctx.limits.max_members:,})")
        if _is_workbook_zip(zf):
            # Workbooks are zips too: inflate every part through the budget before the
            # reader sees them, so a bomb inside an .xlsx is stopped like any other.
            for info in infos:
                with zf.open(info) as fh:
                    counted = _buffered(fh, ctx.budget)
                    while counted.read(OUT_READ):
                        pass
            stream.seek(0)
            yield from _workbook(_read_bounded(stream, ctx, name), name, ctx)
            return
        for info in infos:
            ctx.budget.member()
            mname = f"{name}/{_member_name(info)}"
            if info.flag_bits & 0x1:
                yield Member(mname, skipped="encrypted")
                continue
            try:
                fh = zf.open(info)
            except (NotImplementedError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
                yield Member(mname, skipped=f"unreadable: {exc}")
                continue
            with fh:
                yield from _guard(_expand(_buffered(fh, ctx.budget), mname, ctx, depth + 1,
                                          seekable=False), mname)


def _guard(members: Iterator[Member], name: str) -> Iterator[Member]:
    """Pass members through; a decompression error inside becomes one skipped document."""
    try:
        yield from members
    except ArchiveLimitError:
        raise
    except ArchiveError as exc:
        yield Member(name, skipped=str(exc))
    except (OSError, EOFError, lzma.LZMAError, zlib.error, tarfile.TarError,
            zipfile.BadZipFile, ValueError) as exc:
        yield Member(name, skipped=f"corrupt: {exc}")


def _compressed(stream: IO[bytes], kind: str, name: str, ctx: _Ctx, depth: int
                ) -> Iterator[Member]:
    opener = {"gzip": gzip.GzipFile, "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}[kind]
    inner = opener(fileobj=stream) if kind == "gzip" else opener(stream)  # type: ignore[operator]
    low = name.lower()
    stem = PurePosixPath(name).name
    for ext, repl in ((".tgz", ".tar"), (".tbz2", ".tar"), (".txz", ".tar"), (".gz", ""),
                      (".bz2", ""), (".xz", "")):
        if low.endswith(ext):
            stem = stem[: len(stem) - len(ext)] + repl
            break
    out = _buffered(inner, ctx.budget)
    head, out2 = _head(out)
    if sniff(head, stem) == "tar":  # dump.tar.gz: members named dump.tar.gz/member
        yield from _guard(_tar(out2, name, ctx, depth), name)
        return
    ctx.budget.member()
    yield from _guard(_expand(out2, f"{name}/{stem}", ctx, depth + 1, seekable=False), name)


def _tar(stream: IO[bytes], name: str, ctx: _Ctx, depth: int) -> Iterator[Member]:
    try:
        tf = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 (closed below)
    except tarfile.TarError as exc:
        yield Member(name, skipped=f"broken tar: {exc}")
        return
    with tf:
        for info in tf:
            if not info.isfile():
                continue
            ctx.budget.member()
            mname = f"{name}/{info.name.removeprefix('./').lstrip('/')}"
            fh = tf.extractfile(info)
            if fh is None:
                continue
            yield from _guard(_expand(fh, mname, ctx, depth + 1, seekable=False), mname)


# ------------------------------------------------------------------ workbooks


def render_cell(v: object) -> str:
    """A cell as the extractors expect it: 3.0 -> "3", dates ISO, no tabs or newlines."""
    t = type(v)
    if t is str:  # the common case first: a workbook has millions of cells
        if "\t" in v or "\n" in v or "\r" in v:  # type: ignore[operator]
            return " ".join(v.split())  # type: ignore[attr-defined]
        return v  # type: ignore[return-value]
    if t is float:
        return str(int(v)) if v.is_integer() and abs(v) < 1e16 else repr(v)  # type: ignore[attr-defined,arg-type]
    if v is None:
        return ""
    if t is bool:
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime):
        if v.hour == v.minute == v.second == v.microsecond == 0:
            return v.date().isoformat()
        return v.isoformat(sep=" ", timespec="seconds" if not v.microsecond else "auto")
    if isinstance(v, dt.date | dt.time):
        return v.isoformat()
    return str(v)


def _workbook(data: bytes, name: str, ctx: _Ctx) -> Iterator[Member]:
    """Every sheet of a workbook as one tab-separated document, empty rows left out."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own and plain errors alike
        yield Member(name, skipped=f"unreadable workbook: {type(exc).__name__}")
        return
    for sheet_name in wb.sheet_names:
        ctx.budget.member()
        mname = f"{name}/{sheet_name}"
        try:
            sheet = wb.get_sheet_by_name(sheet_name)
            lines = []
            for row in sheet.iter_rows():
                cells = [render_cell(c) for c in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    lines.append("\t".join(cells))
        except Exception as exc:
            yield Member(mname, skipped=f"unreadable sheet: {type(exc).__name__}")
            continue
        if lines:
            yield Member(mname, stream=io.BytesIO(("\n".join(lines) + "\n").encode("utf-8")))
    wb.close()


# ------------------------------------------------------------------ images


def _image(stream: IO[bytes], name: str, ctx: _Ctx) -> Iterator[Member]:
    if not ctx.ocr:
        yield Member(name, skipped="image (OCR is off: use --ocr)")
        return
    ctx.budget.member()
    try:
        text = ocr_image(stream.read(ctx.limits.max_nested_bytes), ctx.limits, ctx.ocr_lang)
    except ArchiveError as exc:
        yield Member(name, skipped=str(exc))
        return
    yield Member(name, stream=io.BytesIO(text.encode("utf-8")))


def ocr_image(data: bytes, limits: Limits, lang: str = "kor+eng") -> str:
    """Tesseract over one image, in memory (see matcher.screenshots): a table's rows come
    back as tab-separated cells."""
    from matcher.screenshots import ocr_image as read_screenshot

    return read_screenshot(data, limits.max_image_pixels, lang)
