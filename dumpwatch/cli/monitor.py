"""``dumpwatch run``, ``status`` and ``demo``: the scheduled monitor."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, err, state
from dumpwatch.errors import ConfigError


@app.command("run")
def run_cmd(
    webhook: Annotated[list[str], typer.Option(
        help="Webhook URL for alerts as JSON (repeatable; adds to config/monitor.yaml)")] = [],  # noqa: B006
    slack_webhook: Annotated[list[str], typer.Option(
        help="Slack-compatible webhook URL (repeatable)")] = [],  # noqa: B006
    every: Annotated[float | None, typer.Option(
        help="Crawl every source this often (seconds), overriding the profiles")] = None,
) -> None:
    """Run the monitor: crawl each source on its schedule, alert on redistribution.

    Stops cleanly on Ctrl-C or SIGTERM; the schedule resumes where it was on restart.
    Logs are JSON lines on stderr and in HOME/monitor.log (never leaked data).
    """
    import logging

    from crawler.profiles import load_sources
    from dumpwatch.monitor.config import Webhook, load_monitor_config, save_effective_config
    from dumpwatch.monitor.scheduler import run_monitor

    home = state.home
    state.key()
    sources = load_sources(state.config)
    if not sources:
        raise ConfigError(f"no source profiles in {state.config}/sources")
    cfg = load_monitor_config(state.config)
    cfg.webhooks += [Webhook(url=u) for u in webhook]
    cfg.webhooks += [Webhook(url=u, format="slack") for u in slack_webhook]
    save_effective_config(home, cfg)
    handlers: list[logging.Handler] = [logging.FileHandler(home / "monitor.log")]
    if not state.quiet:
        handlers.append(logging.StreamHandler())
    logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=handlers, force=True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    run_monitor(home, state.config.resolve(), sources, cfg, every)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """Sources with last and next run, health, blocked pages, findings and alerts."""
    from dumpwatch.queries import source_status

    rows, totals = source_status(state.home, state.config)
    if as_json:
        print(json.dumps({"sources": rows, **totals}, default=str))
        return
    from rich.table import Table

    table = Table("source", "health", "last run", "status", "next run", "blocked",
                  "documents", "findings")
    for r in rows:
        table.add_row(r["name"], "ok" if r["healthy"] else "UNHEALTHY",
                      str(r["last_run"] or "never")[:19], r["last_status"] or "",
                      str(r["next_run"] or "not scheduled")[:19], str(r["blocked"]),
                      str(r["documents"]), str(r["findings"]))
    Console().print(table)
    err.print(f"findings {totals['findings']}, alerts {totals['alerts']} "
              f"({totals['alerts_pending']} pending delivery)")


@app.command()
def demo(
    records: Annotated[int, typer.Option(help="Size of the synthetic corpus")] = 50_000,
    seconds: Annotated[float, typer.Option(help="How long the monitor runs")] = 45,
    every: Annotated[float, typer.Option(help="Crawl interval per source, seconds")] = 4,
) -> None:
    """See it work end to end, offline, in under a minute.

    Starts a local paste site, forum and .onion mirror, ingests a synthetic corpus, runs the
    monitor while new leak posts appear, prints alerts as they fire, then a summary.
    """
    from rich.table import Table

    from dumpwatch.demo import run_demo

    home = state.home
    key = state.key()
    summary = run_demo(home, key.source, records=records, seconds=seconds, every=every,
                       console=Console(highlight=False))
    table = Table("source", "documents", "redistributions", "records exposed",
                  title="What the monitor found")
    for name, row in sorted(summary["per_source"].items()):
        table.add_row(name, str(row["documents"]), str(row["redistributions"]),
                      str(row["records_exposed"]))
    table.add_row("[bold]all[/]", str(summary["documents"]), str(summary["redistributions"]),
                  str(summary["records_exposed"]))
    Console().print(table)
    from dumpwatch.cli.takedown import _ttr

    lines = Console(highlight=False, soft_wrap=True)
    lines.print("[bold]Takedown cases[/] (notices sent to the local SMTP server):")
    for c in summary["cases"]:
        outcome = f"open → notified ({c['contact_email'] or '?'})" if c["first_notice_at"] \
            else "open"
        outcome += (f" → removed in {_ttr(c['time_to_removal_s'])}" if c["status"] == "removed"
                    else " · still online")
        lines.print(f"  case {c['id']} · {c['source']} · {c['country'] or '?'} · {outcome}")
    err.print(f"regulator report: {summary['report']}")
    err.print(f"{summary['alerts_received']} alerts delivered to the local webhook in "
              f"{summary['seconds']}s. Explore: dumpwatch --home {home} findings | status")
