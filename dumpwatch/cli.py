"""The ``dumpwatch`` command line: a thin layer over the library.

Commands parse options, call the library and turn :class:`DumpwatchError` into one
line on stderr and exit status 2 — never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.errors import ConfigError, DumpwatchError
from dumpwatch.home import resolve_home

app = typer.Typer(
    name="dumpwatch",
    help="Find where a known breach corpus is re-posted, resold or leaked again.\n\n"
    "Corpora are stored only as keyed hashes; the key lives outside the home directory "
    "(DUMPWATCH_KEY, DUMPWATCH_KEY_FILE, or ~/.config/dumpwatch/key created 0600).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",  # reflow docstring paragraphs in --help
)
corpus_app = typer.Typer(help="Add, list and remove breach corpora.", no_args_is_help=True,
                         context_settings={"help_option_names": ["-h", "--help"]},
                         rich_markup_mode="markdown")
app.add_typer(corpus_app, name="corpus")

err = Console(stderr=True, highlight=False, soft_wrap=True)


class State:
    home_option: Path | None = None
    key_file: Path | None = None
    config_option: Path | None = None
    quiet: bool = False

    @property
    def config(self) -> Path:
        from crawler.profiles import config_dir

        return config_dir(self.config_option)

    @property
    def home(self) -> Path:
        return resolve_home(self.home_option)

    def key(self):
        from matcher.keys import load_key

        return load_key(self.key_file)


state = State()


@app.callback()
def _main(
    home: Annotated[Path | None, typer.Option(
        "--home", help="Home directory [env: DUMPWATCH_HOME; default ~/.dumpwatch]",
        show_default=False)] = None,
    key_file: Annotated[Path | None, typer.Option(
        "--key-file", help="Key file [env: DUMPWATCH_KEY_FILE]; DUMPWATCH_KEY overrides",
        show_default=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config folder with sources/*.yaml [env: DUMPWATCH_CONFIG; "
        "default ./config]", show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes")] = False,
) -> None:
    state.home_option, state.key_file, state.quiet = home, key_file, quiet
    state.config_option = config


def _progress_enabled() -> bool:
    return not state.quiet and err.is_terminal


def _byte_progress(label: str, extra: str | None = None):
    """A progress bar over bytes with rate and ETA, on stderr, gone when done."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = [TextColumn(f"[bold]{label}[/]"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn()]
    if extra:
        columns.append(TextColumn(extra))
    return Progress(*columns, TimeRemainingColumn(), console=err, transient=True)


def _parse_map(items: list[str]) -> dict[str, str]:
    from matcher.fields import ROLES

    out = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or role not in ROLES or not column:
            raise ConfigError(
                f"--map {item!r}: use role=column with role one of {', '.join(ROLES)}")
        out[role] = column
    return out


@corpus_app.command("add")
def corpus_add(
    name: Annotated[str, typer.Argument(help="Corpus name, e.g. coupang")],
    file: Annotated[Path, typer.Argument(help="CSV, TSV or JSON Lines; UTF-8 or CP949; .gz ok")],
    id_column: Annotated[str | None, typer.Option(
        help="Column (name or 1-based number) holding the owner's record id")] = None,
    map_: Annotated[list[str], typer.Option(
        "--map", help="Set a column's role: role=column (roles: id name phone email address "
        "order). Repeatable.")] = [],  # noqa: B006 - typer needs a literal default
    hash_ids: Annotated[bool, typer.Option(
        help="Store record ids as keyed hashes instead of as given")] = False,
    workers: Annotated[int, typer.Option(help="Worker processes (0 = one per core)")] = 0,
) -> None:
    """Ingest a breach corpus as keyed hashes. Re-adding a file changes nothing.

    Example: dumpwatch corpus add coupang customers.csv --id-column customer_id
    """
    from matcher.ingest import add_corpus

    home, key = state.home, state.key()
    mapping = _parse_map(map_)
    if _progress_enabled():
        with _byte_progress("ingest", "{task.fields[rows]:,} records") as bar:
            task = bar.add_task("ingest", total=file.stat().st_size if file.exists() else 0,
                                rows=0)
            report = add_corpus(home, name, file, key, id_column=id_column, mapping=mapping,
                                hash_ids=hash_ids, workers=workers or None,
                                progress=lambda d, t, r: bar.update(task, completed=d, rows=r))
    else:
        report = add_corpus(home, name, file, key, id_column=id_column, mapping=mapping,
                            hash_ids=hash_ids, workers=workers or None)
    if report.already_ingested:
        err.print(f"{file.name} is already in corpus {name!r}: nothing to do")
        return
    rate = report.records / report.seconds if report.seconds else 0
    err.print(f"corpus {name!r}: {report.records:,} records added from {file.name} "
              f"in {report.seconds:.1f}s ({rate:,.0f}/s); {report.rejected:,} rows rejected, "
              f"{report.duplicates:,} duplicate ids skipped")
    if report.rejected:
        for reason, n in report.reasons.most_common():
            err.print(f"  {n:>9,}  {reason}")
        for line_no, reason in report.examples[:10]:
            err.print(f"  line {line_no}: {reason}")
        err.print(f"  all line numbers: {report.rejects_log}")


@corpus_app.command("list")
def corpus_list(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """List the corpora in the home directory."""
    from matcher.index import list_corpora

    manifests = list_corpora(state.home)
    if as_json:
        for m in manifests:
            print(json.dumps({"name": m.name, "records": m.records, "files": len(m.files),
                              "created": m.created, "key_fingerprint": m.key_fingerprint}))
        return
    if not manifests:
        err.print("no corpora yet: dumpwatch corpus add NAME FILE")
        return
    from rich.table import Table

    table = Table("name", "records", "files", "created", "key")
    for m in manifests:
        table.add_row(m.name, f"{m.records:,}", str(len(m.files)), m.created, m.key_fingerprint)
    Console().print(table)


@corpus_app.command("remove")
def corpus_remove(
    name: str,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask")] = False,
) -> None:
    """Delete a corpus index."""
    from matcher.index import remove_corpus

    home = state.home
    if not yes and sys.stdin.isatty() and not typer.confirm(f"remove corpus {name!r}?"):
        raise typer.Exit(1)
    remove_corpus(home, name)
    err.print(f"corpus {name!r} removed")


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


@app.command()
def findings(
    source: Annotated[str | None, typer.Option(help="Only documents seen on this source")] = None,
    corpus: Annotated[str | None, typer.Option(help="Only this corpus")] = None,
    since: Annotated[str | None, typer.Option(
        help="Only findings since this UTC date/time, e.g. 2025-11-01 or 2025-11-01T10:00")] = None,
    verdict: Annotated[str | None, typer.Option(
        help="redistribution, inconclusive or none")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
    limit: Annotated[int, typer.Option(help="At most this many rows (0 = all)")] = 200,
) -> None:
    """List stored findings: which records were seen where, when, and posted by whom."""
    from datetime import UTC, datetime

    from dumpwatch.queries import stored_findings

    when = None
    if since:
        try:
            when = datetime.fromisoformat(since)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
        except ValueError:
            raise ConfigError(f"--since {since!r}: use a date like 2025-11-01") from None
    if fmt not in ("table", "jsonl"):
        raise ConfigError(f"--format {fmt!r}: use table or jsonl")
    rows = stored_findings(state.home, source=source, corpus=corpus, since=when,
                           verdict=verdict, limit=limit)
    if fmt == "jsonl":
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, default=str))
        return
    from rich.table import Table

    table = Table("seen", "source", "url", "author", "verdict", "corpus", "record_id", "score",
                  "evidence")
    for r in rows:
        table.add_row(str(r["fetched_at"])[:16], r["source"], r["url"], r["author"] or "",
                      r["verdict"], r["corpus"], r["record_id"], f"{r['score']:.3f}",
                      r["evidence"])
    Console().print(table)


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
    err.print(f"{summary['alerts_received']} alerts delivered to the local webhook in "
              f"{summary['seconds']}s. Explore: dumpwatch --home {home} findings | status")


def main() -> None:
    try:
        app()
    except DumpwatchError as exc:
        err.print(f"[red]error:[/] {exc}", markup=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
