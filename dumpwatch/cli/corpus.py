"""``dumpwatch corpus add|list|remove``: breach corpora as keyed-hash indexes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import (
    _byte_progress,
    _parse_map,
    _progress_enabled,
    app,
    err,
    state,
    sub_app,
)

corpus_app = sub_app("Add, list and remove breach corpora.")
app.add_typer(corpus_app, name="corpus")


def _first_of_each_role(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        role = item.partition("=")[0]
        if role not in seen:
            seen.add(role)
            out.append(item)
    return out


def _repeated_roles(items: list[str]) -> dict[str, str]:
    """--map order=item --map order=date: later columns of a role as "order#2", "order#3"
    (each keeps the finer role its header names, e.g. the order date)."""
    count: dict[str, int] = {}
    out = {}
    for item in items:
        role, _, column = item.partition("=")
        count[role] = count.get(role, 0) + 1
        if count[role] > 1:
            out[f"{role}#{count[role]}"] = column
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
    address_table: Annotated[Path | None, typer.Option(
        help="Road <-> lot-number lookup CSV (시도명,시군구명,법정읍면동명,지번본번,지번부번,"
        "도로명,건물본번,건물부번): addresses gain their other form, so lot and building "
        "numbers compare exactly")] = None,
) -> None:
    """Ingest a breach corpus as keyed hashes. Re-adding a file changes nothing.

    Example: dumpwatch corpus add coupang customers.csv --id-column customer_id
    """
    from matcher.ingest import add_corpus

    home, key = state.home, state.key()
    mapping = _parse_map(_first_of_each_role(map_))
    mapping.update(_repeated_roles(map_))
    if _progress_enabled():
        with _byte_progress("ingest", "{task.fields[rows]:,} records") as bar:
            task = bar.add_task("ingest", total=file.stat().st_size if file.exists() else 0,
                                rows=0)
            report = add_corpus(home, name, file, key, id_column=id_column, mapping=mapping,
                                hash_ids=hash_ids, workers=workers or None,
                                progress=lambda d, t, r: bar.update(task, completed=d, rows=r),
                                address_table=address_table)
    else:
        report = add_corpus(home, name, file, key, id_column=id_column, mapping=mapping,
                            hash_ids=hash_ids, workers=workers or None,
                            address_table=address_table)
    if report.address_table is not None:
        t = report.address_table
        err.print(f"address table {address_table}: {t.rows:,} buildings, {t.rejected:,} bad rows")
        for line_no, reason in t.errors[:10]:
            err.print(f"  line {line_no}: {reason}")
    if report.already_ingested:
        err.print(f"{file.name} is already in corpus {name!r}: nothing to do")
        return
    rate = report.records / report.seconds if report.seconds else 0
    err.print(f"corpus {name!r}: {report.records:,} records added from {file.name} "
              f"in {report.seconds:.1f}s ({rate:,.0f}/s); {report.rejected:,} rows rejected, "
              f"{report.duplicates:,} duplicate ids skipped")
    if (st := report.settled).values:
        err.print(f"  values normalised: {st.vectorised / st.values:.1%} by column kernels, "
                  f"{st.distinct / st.values:.1%} once per distinct value, "
                  f"{st.fallback / st.values:.1%} value by value (fallback)")
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
