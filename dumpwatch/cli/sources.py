"""``dumpwatch crawl`` and ``dumpwatch sources``: source profiles and one-off crawls."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, cli_actor, err, state
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
    from dumpwatch.source_controls import effective_sources
    from dumpwatch.storage import open_database

    db = open_database(home)
    src = effective_sources(db, {source: sources[source]})[source]  # admins' overrides
    db.dispose()
    summary = run_source(home, src, effective_config(home, state.config))
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    errors = ", ".join(f"{k} {v}" for k, v in sorted(summary.get("errors", {}).items()))
    err.print(f"{source}: {summary.get('status')} — {summary.get('pages', 0)} pages, "
              f"{summary.get('documents', 0)} documents ({summary.get('new_documents', 0)} new), "
              f"{summary.get('new_findings', 0)} new findings, {summary.get('blocked', 0)} "
              f"blocked; errors: {errors or 'none'} ({summary.get('duration', 0)}s)")


sources_app = typer.Typer(
    help="List and validate source profiles; try one on its site; start a new one.",
    invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="markdown")
app.add_typer(sources_app, name="sources")


@sources_app.callback()
def sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output")] = False,
) -> None:
    """List and validate source profiles (config/sources/*.yaml) with their health.

    Subcommands: `sources test NAME` tries a profile on its site, `sources new` writes one.
    """
    if ctx.invoked_subcommand is not None:
        return
    from sqlmodel import select

    from crawler.profiles import load_sources
    from dumpwatch.source_controls import effective_sources, overrides
    from dumpwatch.storage import SourceState, open_database

    profiles = load_sources(state.config)  # raises with file:line: field for bad profiles
    db = open_database(state.home)
    with db.session() as s:
        health = {h.name: h for h in s.exec(select(SourceState))}
    overridden = set(overrides(db))
    profiles = effective_sources(db, profiles)
    db.dispose()
    rows = []
    for name, src in sorted(profiles.items()):
        h = health.get(name)
        rows.append({"name": name, "kind": src.kind, "engine": src.engine,
                     "base_url": src.base_url,
                     "proxy": "tor" if src.proxy == "tor" or src.onion else src.proxy,
                     "enabled": src.enabled, "every_minutes": src.schedule_minutes,
                     "retention_days": src.retention_days, "override": name in overridden,
                     "healthy": h.healthy if h else True,
                     "last_run": h.last_run_at.isoformat() if h and h.last_run_at else None})
    if as_json:
        for r in rows:
            print(json.dumps(r))
        return
    from rich.table import Table

    table = Table("name", "kind", "base url", "proxy", "on", "every", "health", "last run")
    for r in rows:
        kind = f"{r['kind']} ({r['engine']})" if r["engine"] else r["kind"]
        on = ("yes" if r["enabled"] else "no") + ("*" if r["override"] else "")
        table.add_row(r["name"], kind, r["base_url"], r["proxy"], on,
                      f"{r['every_minutes']:g} min", "ok" if r["healthy"] else "UNHEALTHY",
                      r["last_run"] or "never")
    Console().print(table)
    err.print(f"{len(rows)} profiles valid in {state.config}"
              + ("; * = admin override (sources reset NAME)" if overridden else ""))


@sources_app.command("test")
def sources_test(
    name: Annotated[str, typer.Argument(help="Source name from config/sources")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Try a forum profile on its site: one listing page, one thread, one post.

    Prints what each selector found (count, first values — redacted) and names what
    found nothing. Exit status 1 when a required selector found nothing.

    Example: dumpwatch sources test my-forum
    """
    from crawler.probe import Probe
    from crawler.profiles import load_sources

    sources = load_sources(state.config, strict=False)
    if name not in sources:
        raise ConfigError(f"no source named {name!r} in {state.config} "
                          f"(known: {', '.join(sorted(sources)) or 'none'})")
    report = Probe(sources[name]).run()
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        from rich.markup import escape

        out = Console(highlight=False, soft_wrap=True)
        for stage, url in report.pages:
            out.print(f"[bold]{stage}[/] {escape(url)}")
        for c in report.checks:
            mark = "[red]MISSING[/]" if c.missing and c.required else (
                "[yellow]none[/]" if c.missing else "[green]ok[/]")
            first = ("  first: " + " | ".join(c.first)) if c.first else ""
            out.print(f"  {mark} {c.stage:<8} {c.field:<26} {c.count:>4} × {c.yields:<10} "
                      f"{escape(c.selector + first)}")
        for note in report.notes:
            out.print(f"  note: {escape(note)}")
    if report.broken:
        err.print("broken: " + ", ".join(f"{c.field} ({c.selector}) found nothing on the "
                                         f"{c.stage} page" for c in report.broken))
        raise typer.Exit(1)
    err.print(f"{name}: every required selector found something")


NEW_PROFILE = """\
# Written by `dumpwatch sources new`; every key is explained in _template-forum.yaml.
# The engine preset (crawler/presets/{engine}.yaml) fills in the selectors; override any
# key here. Try it with: dumpwatch sources test {name}
name: {name}
engine: {engine}
base_url: {url}
schedule_minutes: 60
forum:
  boards: all                  # or a list of board URLs
# login:                       # members-only boards: names of env vars, not the secrets
#   username_env: {env}_USER
#   password_env: {env}_PASS
politeness:
  delay: 5
  concurrency: 1
  pages_per_run: 300
"""


@sources_app.command("new")
def sources_new(
    engine: Annotated[str, typer.Option(help="Engine preset, e.g. gnuboard5")],
    url: Annotated[str, typer.Option(help="The site's base URL, e.g. https://example.kr")],
    name: Annotated[str | None, typer.Option(help="Profile name [default: from the URL]")
                    ] = None,
) -> None:
    """Write a starting profile for a site running a known engine.

    Example: dumpwatch sources new --engine gnuboard5 --url https://example.kr
    """
    import re
    from urllib.parse import urlsplit

    from crawler.profiles import engines, load_source

    if engine not in engines():
        raise ConfigError(f"--engine {engine!r}: known engines are {', '.join(engines())}")
    if not re.match(r"^https?://[^/]+", url):
        raise ConfigError(f"--url {url!r}: use an http:// or https:// URL")
    host = urlsplit(url).hostname or "site"
    name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", host.removeprefix("www.")).strip("-.")
    folder = state.config / "sources" if (state.config / "sources").is_dir() or not (
        state.config.is_dir()) else state.config
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    if path.exists():
        raise ConfigError(f"{path} exists: pick another --name or edit it")
    env = re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")
    path.write_text(NEW_PROFILE.format(name=name, engine=engine, url=url.rstrip("/"),
                                       env=env), encoding="utf-8")
    try:
        load_source(path)
    except ConfigError:
        path.unlink()
        raise
    err.print(f"wrote {path}; next: dumpwatch sources test {name}")
    print(path)


def _controls():
    """The profiles and the database, for the admin commands below."""
    from crawler.profiles import load_sources
    from dumpwatch.storage import open_database

    return load_sources(state.config, strict=False), open_database(state.home)


@sources_app.command("enable")
def sources_enable(name: Annotated[str, typer.Argument(help="Source name")]) -> None:
    """Switch a source on for the monitor and workers (an override in the database).

    The running monitor picks it up within its poll interval. Undo: `sources reset NAME`.
    """
    from dumpwatch.source_controls import set_enabled

    profiles, db = _controls()
    set_enabled(db, profiles, name, True, cli_actor())
    db.dispose()
    err.print(f"{name}: enabled")


@sources_app.command("disable")
def sources_disable(name: Annotated[str, typer.Argument(help="Source name")]) -> None:
    """Switch a source off for the monitor and workers, whatever its profile says."""
    from dumpwatch.source_controls import set_enabled

    profiles, db = _controls()
    set_enabled(db, profiles, name, False, cli_actor())
    db.dispose()
    err.print(f"{name}: disabled")


@sources_app.command("retention")
def sources_retention(
    name: Annotated[str, typer.Argument(help="Source name")],
    days: Annotated[float, typer.Argument(help="Days to keep encrypted page text; 0: none")],
) -> None:
    """Set how long this source's page text is kept (encrypted) for re-scanning.

    Shortening also cuts the windows of text already kept; housekeeping purges it.
    """
    from dumpwatch.source_controls import set_retention

    profiles, db = _controls()
    _, shortened = set_retention(db, profiles, name, days, cli_actor())
    db.dispose()
    err.print(f"{name}: page text kept {days:g} days ({shortened} kept pages shortened)")


@sources_app.command("run-now")
def sources_run_now(name: Annotated[str, typer.Argument(help="Source name")]) -> None:
    """Ask the running monitor (`dumpwatch run`) to crawl NAME now.

    The monitor claims the request within its poll interval. To crawl here and wait,
    use `dumpwatch crawl NAME`.
    """
    from dumpwatch.source_controls import request_run

    profiles, db = _controls()
    req = request_run(db, profiles, name, cli_actor())
    db.dispose()
    err.print(f"{name}: run requested (request {req.id}); the monitor picks it up shortly")


@sources_app.command("reset")
def sources_reset(name: Annotated[str, typer.Argument(help="Source name")]) -> None:
    """Drop the overrides of NAME: its profile on disk applies again."""
    from dumpwatch.source_controls import reset

    profiles, db = _controls()
    reset(db, profiles, name, cli_actor())
    db.dispose()
    err.print(f"{name}: overrides dropped")
