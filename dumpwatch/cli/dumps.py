"""``dumpwatch dumps [show ID]``: findings grouped into dumps by repost lineage."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, state, sub_app
from dumpwatch.cli._time import parse_when

dumps_app = sub_app("Dumps: the same records posted in several places, first seen to latest.")
dumps_app.info.no_args_is_help = False  # plain `dumpwatch dumps` lists them
app.add_typer(dumps_app, name="dumps")


@dumps_app.callback(invoke_without_command=True)
def dumps_list(
    ctx: typer.Context,
    corpus: Annotated[str | None, typer.Option(help="Only this corpus")] = None,
    since: Annotated[str | None, typer.Option(help="Seen since this UTC date")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
) -> None:
    """List dumps: first seen where and when, re-posts, records, growing or shrinking."""
    if ctx.invoked_subcommand is not None:
        return
    from dumpwatch.lineage import list_dumps
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    rows = list_dumps(db, corpus=corpus, since=parse_when(since))
    db.dispose()
    if fmt == "jsonl":
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, default=str))
        return
    from rich.table import Table

    table = Table("dump", "corpus", "records", "trend", "posts", "sightings", "first seen",
                  "first at", "sources")
    for r in rows:
        table.add_row(str(r["id"]), r["corpus"], f"{r['records']:,}", r["trend"],
                      str(r["posts"]), str(r["sightings"]), str(r["first_seen_at"])[:16],
                      r["first_url"], ", ".join(r["sources"]))
    Console().print(table)


@dumps_app.command("show")
def dumps_show(
    dump_id: Annotated[int, typer.Argument(help="Dump id from 'dumpwatch dumps'")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """One dump: where it was first seen and every re-post since."""
    from dumpwatch.lineage import dump_detail
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    d = dump_detail(db, dump_id)
    db.dispose()
    if fmt == "json":
        print(json.dumps(d, ensure_ascii=False, default=str, indent=1))
        return
    first = d["first"]
    out = Console()
    out.print(f"[bold]dump {d['id']}[/] ({d['corpus']}): {d['records']:,} records, "
              f"{d['trend']}, {d['posts']} post(s)")
    where = first or {"source": d["first_source"], "url": d["first_url"],
                      "fetched_at": d["first_seen_at"], "records": d["records"]}
    out.print(f"first seen {str(where['fetched_at'])[:16]} UTC at {where['source']}: "
              f"{where['url']} ({where['records']:,} records)", soft_wrap=True)
    for r in d["reposts"]:
        out.print(f"re-posted {str(r['fetched_at'])[:16]} UTC at {r['source']}: {r['url']} "
                  f"({r['records']:,} records, {r['shared']:,} already known)", soft_wrap=True)
