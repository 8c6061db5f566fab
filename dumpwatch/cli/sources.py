"""``dumpwatch crawl`` and ``dumpwatch sources``: source profiles and one-off crawls."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, err, state
from dumpwatch.errors import ConfigError


@app.command()
def crawl(
    source: Annotated[str, typer.Argument(help="Source name from config/sources")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Crawl one source once and print a summary: pages, documents, findings, faults.

    Example: dumpwatch crawl local-paste
    """
    from crawler.profiles import load_sources
    from crawler.run import run_source

    sources = load_sources(state.config, strict=False)
    if source not in sources:
        raise ConfigError(f"no source named {source!r} in {state.config} "
                          f"(known: {', '.join(sorted(sources)) or 'none'})")
    home = state.home
    state.key()  # the pipeline hashes with it: fail now if it is missing
    from dumpwatch.monitor.config import effective_config

    summary = run_source(home, sources[source], effective_config(home, state.config))
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    errors = ", ".join(f"{k} {v}" for k, v in sorted(summary.get("errors", {}).items()))
    err.print(f"{source}: {summary.get('status')} — {summary.get('pages', 0)} pages, "
              f"{summary.get('documents', 0)} documents ({summary.get('new_documents', 0)} new), "
              f"{summary.get('new_findings', 0)} new findings, {summary.get('blocked', 0)} "
              f"blocked; errors: {errors or 'none'} ({summary.get('duration', 0)}s)")


@app.command()
def sources(
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output")] = False,
) -> None:
    """List and validate source profiles (config/sources/*.yaml) with their health."""
    from sqlmodel import select

    from crawler.profiles import load_sources
    from dumpwatch.storage import SourceState, open_database

    profiles = load_sources(state.config)  # raises with file:line: field for bad profiles
    with open_database(state.home).session() as s:
        health = {h.name: h for h in s.exec(select(SourceState))}
    rows = []
    for name, src in sorted(profiles.items()):
        h = health.get(name)
        rows.append({"name": name, "kind": src.kind, "base_url": src.base_url,
                     "proxy": "tor" if src.proxy == "tor" or src.onion else src.proxy,
                     "enabled": src.enabled, "every_minutes": src.schedule_minutes,
                     "healthy": h.healthy if h else True,
                     "last_run": h.last_run_at.isoformat() if h and h.last_run_at else None})
    if as_json:
        for r in rows:
            print(json.dumps(r))
        return
    from rich.table import Table

    table = Table("name", "kind", "base url", "proxy", "every", "health", "last run")
    for r in rows:
        table.add_row(r["name"], r["kind"], r["base_url"], r["proxy"],
                      f"{r['every_minutes']:g} min", "ok" if r["healthy"] else "UNHEALTHY",
                      r["last_run"] or "never")
    Console().print(table)
    err.print(f"{len(rows)} profiles valid in {state.config}")
