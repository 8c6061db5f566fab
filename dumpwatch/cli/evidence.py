"""``dumpwatch evidence SIGHTING_ID --out DIR``: a redacted, hashed evidence bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dumpwatch.cli._app import app, cli_audit, err, state


@app.command()
def evidence(
    sighting_ids: Annotated[list[int], typer.Argument(help="Sighting id(s), see 'findings'")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the bundles")] = Path(
        "evidence"),
) -> None:
    """Write an evidence bundle per sighting: fetch time, URL, HTTP status and headers,
    SHA-256 of the raw bytes, matched record ids, redacted samples and page, manifest."""
    write_bundles(sighting_ids, out)


def write_bundles(sighting_ids: list[int], out: Path, echo: bool = True) -> None:
    from dumpwatch.evidence import write_bundle
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    key = _key_or_none()
    try:
        for sid in sighting_ids:
            folder = write_bundle(db, sid, out, key=key)
            cli_audit("export", f"post:{sid}", detail=f"evidence bundle to {folder}")
            if echo:
                print(folder)
            else:
                err.print(f"evidence: {folder}")
    finally:
        db.dispose()


def _key_or_none():
    """The key decrypts retained page text to render it; without one, stored renderings."""
    from dumpwatch.errors import DumpwatchError
    from matcher.keys import load_key

    try:
        return load_key(state.key_file, create=False)
    except DumpwatchError as exc:
        err.print(f"note: no key ({exc}); retained pages are not rendered")
        return None
