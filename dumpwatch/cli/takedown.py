"""``dumpwatch takedown``: open, send, re-check and close takedown cases."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, audited, cli_audit, err, state, sub_app

takedown = sub_app("Takedown cases: a leaking post from notice to removal, every step recorded.")
app.add_typer(takedown, name="takedown")


@contextmanager
def _cases():
    from dumpwatch.cases.service import Cases
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    try:
        yield Cases(db, state.config)
    finally:
        db.dispose()


def _ttr(seconds: float | None) -> str:
    if seconds is None:
        return ""
    h, rem = divmod(int(seconds), 3600)
    return f"{h}h{rem // 60:02d}m" if h else f"{rem // 60}m{rem % 60:02d}s"


@takedown.command("open")
def open_cmd(
    url: Annotated[str | None, typer.Argument(help="URL of a post found by the monitor")] = None,
    sighting: Annotated[int | None, typer.Option(help="Open by sighting id instead")] = None,
    all_new: Annotated[bool, typer.Option("--all", help="Every redistribution post without a "
                                          "case")] = False,
) -> None:
    """Open a case: find the abuse contact (profile, or RDAP for domain and hosting IP)."""
    target = f"post:{sighting}" if sighting else (url or "all new")
    with audited("case_open", target), _cases() as cases:
        new, warnings = cases.open(url=url, sighting_id=sighting, all_new=all_new)
    for case in new:
        cli_audit("case_open", f"case:{case.id}", detail="; ".join(warnings))
        print(f"case {case.id} open: {case.url} · {case.records} records · contact "
              f"{case.contact_email or case.contact_form or 'unknown'} "
              f"({case.contact_origin or 'not found'}) · country {case.country or '?'}")
    for w in warnings:
        err.print(f"warning: {w}")
    if not new:
        err.print("no new cases")


@takedown.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option(
        help="open, notified, removed, closed, or online (open + notified)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines")] = False,
) -> None:
    """List cases with their status and time to removal."""
    with _cases() as cases:
        rows = cases.list(status)
    if as_json:
        for c in rows:
            print(json.dumps(c.model_dump(), default=str, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table("case", "status", "source", "url", "records", "contact", "country", "opened",
                  "time to removal")
    for c in rows:
        table.add_row(str(c.id), c.status, c.source, c.url, str(c.records),
                      c.contact_email or c.contact_form or "?", c.country or "?",
                      str(c.opened_at)[:16], _ttr(c.time_to_removal_s))
    out = Console()
    if not out.is_terminal:
        out = Console(width=200)  # piped: do not squeeze URLs into 80 columns
    out.print(table)


@takedown.command("show")
def show_cmd(
    case_id: Annotated[int, typer.Argument(help="Case id")],
    notice: Annotated[bool, typer.Option("--notice", help="Print the notice as it would be "
                                         "sent now")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """A case with every event (time, actor, action, outcome) and its notices."""
    with _cases() as cases:
        data = cases.show(case_id)
        rendered = cases.render(case_id) if notice else None
    if rendered is not None:
        print(f"Subject: {rendered.subject}\n\n{rendered.body}\n--- xarf.json ---\n"
              + json.dumps(rendered.xarf, indent=1, ensure_ascii=False))
        return
    if as_json:
        print(json.dumps(data, default=str, ensure_ascii=False))
        return
    c = data["case"]
    print(f"case {c['id']} · {c['status']} · {c['url']}\n  source {c['source']} · domain "
          f"{c['domain'] or '?'} · hosting {c['hosting_ip'] or '?'} · country "
          f"{c['country'] or '?'}\n  contact {c['contact_email'] or c['contact_form'] or '?'} "
          f"({c['contact_origin'] or 'not found'}) · {c['records']} records of {c['corpus']}\n"
          f"  detected {str(c['detected_at'])[:19]} · removed {str(c['removed_at'] or '-')[:19]}"
          f" · time to removal {_ttr(c['time_to_removal_s']) or '-'}")
    for e in data["events"]:
        print(f"  {str(e['at'])[:19]}  {e['actor']:<10} {e['action']:<8} {e['outcome']:<11} "
              f"{e['detail']}")
    for n in data["notices"]:
        print(f"  notice {n['id']}: {n['status']} by {n['channel']} to {n['recipient']} "
              f"sha256 {n['sha256'][:16]}…")


@takedown.command("send")
def send_cmd(
    case_id: Annotated[int, typer.Argument(help="Case id")],
    to: Annotated[str | None, typer.Option(help="Recipient, instead of the found contact")] = None,
    via: Annotated[str | None, typer.Option(help="smtp or webhook")] = None,
) -> None:
    """Send the notice (DSA Art. 16 + Korean request in the body, XARF v4 attached)."""
    from dumpwatch.errors import ConfigError

    if via not in (None, "smtp", "webhook"):
        raise ConfigError(f"--via {via!r}: use smtp or webhook")
    with audited("case_send", f"case:{case_id}"), _cases() as cases:
        notice = cases.send(case_id, to=to, via=via)
    cli_audit("case_send", f"case:{case_id}", detail=f"notice {notice.id} by {notice.channel}")
    print(f"case {case_id}: notice {notice.id} sent by {notice.channel} to {notice.recipient}")


@takedown.command("recheck")
def recheck_cmd(
    case_id: Annotated[int | None, typer.Argument(help="One case (default: all open)")] = None,
) -> None:
    """Re-fetch open cases' URLs now; record removed posts and re-open re-posted dumps."""
    from dumpwatch.cases.recheck import Rechecker, recheck_home
    from dumpwatch.cases.service import default_actor

    if case_id is None:
        results = recheck_home(state.home, state.config, actor=default_actor())
    else:
        from matcher.index import list_corpora
        from matcher.scan import Scanner

        scanner = Scanner(state.home, state.key()) if list_corpora(state.home) else None
        with _cases() as cases:
            results = [Rechecker(cases, scanner).check(case_id, default_actor())]
    for r in results:
        print(f"case {r.case_id}: {r.outcome} ({r.detail})")
    if not results:
        err.print("no open cases")


@takedown.command("close")
def close_cmd(
    case_id: Annotated[int, typer.Argument(help="Case id")],
    reason: Annotated[str, typer.Option(help="Why, for the record")] = "",
) -> None:
    """Close a case (no further re-checks)."""
    with audited("case_close", f"case:{case_id}"), _cases() as cases:
        cases.close(case_id, reason)
    cli_audit("case_close", f"case:{case_id}", detail=reason)
    print(f"case {case_id} closed")
