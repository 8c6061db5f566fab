"""``dumpwatch report``: the regulator's report over a period."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, cli_audit, err, state
from dumpwatch.errors import ConfigError


def _when(value: str | None, option: str, default: datetime) -> datetime:
    if not value:
        return default
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r}: use a date like 2026-12-01") from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


@app.command("report")
def report_cmd(
    start: Annotated[str | None, typer.Option(
        "--from", help="Start (UTC date or date-time) [default: 30 days ago]")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="End, exclusive; a bare date means the end of that day [default: now]")]
    = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report here")]
    = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write a PDF report here")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Figures as JSON on stdout")] = False,
) -> None:
    """Leak posts detected and removed per platform, domain and hosting country.

    Posts detected, records exposed, notices sent, removed, median and p90 time to
    removal, still online; with a chart of detections and removals over time.
    """
    from dumpwatch.regulator import (
        build_report,
        duration,
        profile_domains,
        render_html,
        render_pdf,
    )
    from dumpwatch.storage import open_database

    now = datetime.now(UTC)
    to = _when(end, "--to", now)
    if end and len(end) == 10:
        to += timedelta(days=1)
    frm = _when(start, "--from", to - timedelta(days=30))
    if frm >= to:
        raise ConfigError("--from must be before --to")
    domains = profile_domains(state.config)
    db = open_database(state.home)
    try:
        rep = build_report(db, frm, to, domains)
    finally:
        db.dispose()
    if html:
        html.write_text(render_html(rep), encoding="utf-8")
        err.print(f"wrote {html}")
    if pdf:
        render_pdf(rep, pdf)
        err.print(f"wrote {pdf}")
    outputs = ", ".join(str(p) for p in (html, pdf) if p) or ("json" if as_json else "table")
    cli_audit("export", "regulator_report",
              detail=f"{frm:%Y-%m-%d %H:%M} to {to:%Y-%m-%d %H:%M} -> {outputs}")
    if as_json:
        print(json.dumps(rep.as_dict(), ensure_ascii=False))
        return
    if html or pdf:
        return
    from rich.table import Table

    table = Table("platform", "domain", "country", "detected", "records", "notices", "removed",
                  "median TTR", "p90 TTR", "online",
                  title=f"{frm:%Y-%m-%d %H:%M} – {to:%Y-%m-%d %H:%M} UTC")
    for r in [*rep.rows, rep.total]:
        table.add_row(r.platform, r.domain, r.country, str(r.detected), f"{r.records:,}",
                      str(r.notices), str(r.removed), duration(r.median_ttr_s),
                      duration(r.p90_ttr_s), str(r.online))
    out = Console()
    Console(width=None if out.is_terminal else 200).print(table)
