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
) -> None:
    """Scan documents for records of the corpora; report matches and a verdict per document.

    Example: dumpwatch scan --corpus coupang --format jsonl dumps/
    """
    from matcher.scan_files import scan_paths
    from matcher.scoring import ScoringConfig

    if fmt not in ("table", "jsonl"):
        raise ConfigError(f"--format {fmt!r}: use table or jsonl")
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
                           on_progress=lambda n: bar.advance(task, n))
        else:
            scan_paths(home, key, paths, corpora=corpus or None, config=config,
                       on_match=on_match, on_document=on_document, workers=workers or None)
    finally:
        if summary_fh not in (None, sys.stderr):
            summary_fh.close()
        out.flush()
