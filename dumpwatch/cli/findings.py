"""``dumpwatch findings``: what was found, where, when and by whom."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dumpwatch.cli._app import app, state
from dumpwatch.errors import ConfigError


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
    evidence: Annotated[Path | None, typer.Option(
        "--evidence", help="Also write an evidence bundle per sighting listed, into this "
        "folder")] = None,
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
    if evidence is not None:
        from dumpwatch.cli.evidence import write_bundles

        write_bundles(sorted({r["sighting_id"] for r in rows}), evidence, echo=False)
    if fmt == "jsonl":
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, default=str))
        return
    from rich.table import Table

    table = Table("sighting", "seen", "source", "url", "author", "verdict", "corpus",
                  "record_id", "score", "evidence", "listing")
    for r in rows:
        table.add_row(str(r["sighting_id"]), str(r["fetched_at"])[:16], r["source"], r["url"],
                      r["author"] or "", r["verdict"], r["corpus"], r["record_id"],
                      f"{r['score']:.3f}", r["evidence"], listing_summary(r["listing"]))
    Console().print(table)


def listing_summary(listing: dict | None) -> str:
    """'30,000,000 KRW · 33,700,000 claimed · sample 100 · @seller' for a table cell."""
    if not listing:
        return ""
    parts = []
    if listing["price_amount"]:
        parts.append(f"{listing['price_amount']:,.8g} {listing['price_currency'] or ''}".strip())
    if listing["claimed_records"]:
        parts.append(f"{listing['claimed_records']:,} claimed")
    if listing["sample_size"]:
        parts.append(f"sample {listing['sample_size']:,}")
    parts.extend(c["value"] for c in listing["contacts"][:2])
    if listing["breach"]:
        parts.append(f"names {listing['breach']}")
    return " · ".join(parts)
