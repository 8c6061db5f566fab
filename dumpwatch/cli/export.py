"""``dumpwatch export --format jsonl|csv|stix|misp``: findings for other tools."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dumpwatch.cli._app import app, cli_audit, err, state
from dumpwatch.cli._time import parse_when


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f",
                                     help="jsonl, csv, stix (2.1 bundle) or misp (event)")],
    since: Annotated[str | None, typer.Option(help="Only sightings fetched since this UTC "
                                              "date/time")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source")] = None,
    dump: Annotated[int | None, typer.Option(help="Only posts of this dump")] = None,
    corpus: Annotated[str | None, typer.Option(help="Only this corpus")] = None,
    owner: Annotated[str | None, typer.Option(
        help="Corpus owner's name for STIX/MISP (default: 'Owner of the CORPUS customer "
        "data')")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default stdout)")] = None,
) -> None:
    """Export sightings with redacted evidence: one row per place and corpus (CSV and
    JSON Lines schema in the README), a STIX 2.1 bundle or a MISP event."""
    from dumpwatch.exports import FORMATS, export_rows, write_export
    from dumpwatch.storage import open_database

    if fmt not in FORMATS:
        from dumpwatch.errors import ConfigError

        raise ConfigError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    db = open_database(state.home)
    rows = export_rows(db, since=parse_when(since), source=source, dump=dump, corpus=corpus)
    db.dispose()
    if out is None:
        write_export(fmt, rows, sys.stdout, owner=owner)
    else:
        with open(out, "w", encoding="utf-8", newline="") as fh:
            write_export(fmt, rows, fh, owner=owner)
        err.print(f"{len(rows)} sighting row(s) written to {out}")
    filters = " ".join(f"{k}={v}" for k, v in (("since", since), ("source", source),
                                                ("dump", dump), ("corpus", corpus)) if v)
    cli_audit("export", "findings", detail=f"{fmt}, {len(rows)} rows to {out or 'stdout'}"
              + (f"; {filters}" if filters else ""))
