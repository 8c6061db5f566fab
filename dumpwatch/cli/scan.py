"""``dumpwatch scan``: match documents on disk against the corpora."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import _byte_progress, _progress_enabled, app, err, state
from dumpwatch.errors import ConfigError


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to scan")],
    corpus: Annotated[list[str], typer.Option(
        "--corpus", "-c", help="Corpus to match against (repeatable; default all)")] = [],  # noqa: B006
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
    summary: Annotated[Path | None, typer.Option(
        help="Write per-document verdicts as JSON Lines to this file ('-' = stderr)")] = None,
    assume_records: Annotated[int, typer.Option(
        help="Weigh chance as if the corpus had this many records (e.g. 33700000)")] = 0,
    workers: Annotated[int, typer.Option(help="Worker processes (0 = one per core)")] = 0,
    ocr: Annotated[bool, typer.Option(
        "--ocr", help="Read text in images (alone or in archives) with Tesseract")] = False,
    max_expanded: Annotated[str, typer.Option(
        help="Refuse an archive expanding past this size (e.g. 16G, 500M)")] = "16G",
    max_ratio: Annotated[float, typer.Option(
        help="Refuse an archive expanding more than this many times its size")] = 100.0,
    max_members: Annotated[int, typer.Option(
        help="Refuse an archive with more files (all nesting levels)")] = 10_000,
    max_depth: Annotated[int, typer.Option(help="Archives inside archives, at most")] = 3,
) -> None:
    """Scan documents for records of the corpora; report matches and a verdict per document.

    Archives (.zip .tar .tar.gz .gz .bz2 .xz, nested) and workbooks (.xlsx .xls .ods, every
    sheet) are expanded: each member is a document named archive.zip/member.csv. A
    decompression bomb is refused with one line and the scan goes on.

    Example: dumpwatch scan --corpus coupang --format jsonl dumps/
    """
    from matcher.worker_pool import start_early

    start_early(paths, workers or None)  # its imports overlap ours (see matcher/worker_pool)
    from matcher.containers import Limits
    from matcher.scan_files import scan_paths
    from matcher.scoring import ScoringConfig

    if fmt not in ("table", "jsonl"):
        raise ConfigError(f"--format {fmt!r}: use table or jsonl")
    limits = Limits(max_members=max_members, max_total_bytes=parse_size(max_expanded),
                    max_ratio=max_ratio, max_depth=max_depth)
    if ocr:
        _check_tesseract()
    home, key = state.home, state.key()
    config = ScoringConfig(assume_records=assume_records)
    out = sys.stdout
    summary_fh = None
    if summary is not None:
        summary_fh = sys.stderr if str(summary) == "-" else open(summary, "w")  # noqa: SIM115
    from dumpwatch.report import TableReport

    table = TableReport(Console(), show_all=False) if fmt == "table" else None

    def on_match(m) -> None:
        if table is not None:
            table.add(m)
        else:
            out.write(json.dumps(m.as_json(), ensure_ascii=False) + "\n")

    def on_jsonl(lines: bytes) -> None:
        if hasattr(out, "buffer"):  # already UTF-8: past the text layer (flushed first)
            out.flush()
            out.buffer.write(lines)
        else:
            out.write(lines.decode())

    def on_document(s) -> None:
        if table is not None:
            table.document(s)
        elif not state.quiet and summary_fh is not sys.stderr:
            for name, c in s.corpora.items():
                err.print(f"{s.document}: {name}: {c['verdict']} ({c['reported']} records, "
                          f"{c['matched']} matched vs {c['expected_by_chance']} by chance)")
            if s.skipped:
                err.print(f"{s.document}: skipped ({s.skipped})")
        if summary_fh is not None:
            summary_fh.write(json.dumps(s.as_json(), ensure_ascii=False) + "\n")
            summary_fh.flush()

    try:
        if _progress_enabled() and fmt == "jsonl":
            from matcher.scan_files import iter_files

            total = sum(f.stat().st_size for f in iter_files(paths) if f.is_file())
            with _byte_progress("scan") as bar:
                task = bar.add_task("scan", total=total)
                scan_paths(home, key, paths, corpora=corpus or None, config=config,
                           on_match=on_match, on_document=on_document, workers=workers or None,
                           on_progress=lambda n: bar.advance(task, n), limits=limits, ocr=ocr,
                           on_jsonl=on_jsonl)
        else:
            scan_paths(home, key, paths, corpora=corpus or None, config=config,
                       on_match=on_match, on_document=on_document, workers=workers or None,
                       limits=limits, ocr=ocr, on_jsonl=on_jsonl if table is None else None)
    finally:
        if summary_fh not in (None, sys.stderr):
            summary_fh.close()
        out.flush()


def parse_size(text: str) -> int:
    """16G, 500M, 2048K or a plain number of bytes."""
    t = text.strip().upper().removesuffix("IB").removesuffix("B")
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
    try:
        return int(float(t[:-1] if mult > 1 else t) * mult)
    except ValueError:
        raise ConfigError(f"--max-expanded {text!r}: use a size like 16G or 500M") from None


def _check_tesseract() -> None:
    import shutil

    if shutil.which("tesseract") is None:
        raise ConfigError("--ocr needs Tesseract: apt-get install tesseract-ocr "
                          "tesseract-ocr-kor")
