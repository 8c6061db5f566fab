"""``dumpwatch db upgrade`` and ``dumpwatch db current``: the database schema."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from dumpwatch.cli._app import app, err, state, sub_app

db_app = sub_app("The database schema: show its revision, upgrade it.")
app.add_typer(db_app, name="db")


def _engine():
    from sqlmodel import create_engine

    from dumpwatch.storage.db import database_url

    return create_engine(database_url(state.home))


@db_app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Upgrade the schema (also done automatically when a command opens the database,
    unless DUMPWATCH_AUTO_MIGRATE=0). A SQLite database holding data is copied to
    dumpwatch.db.bak-REVISION first."""
    from dumpwatch.storage.migrate import schema_state
    from dumpwatch.storage.migrate import upgrade as do_upgrade

    engine = _engine()
    try:
        before = schema_state(engine).current
        after = do_upgrade(engine, revision)
    finally:
        engine.dispose()
    if before == after.current:
        err.print(f"schema already at {after.current}")
    else:
        err.print(f"schema upgraded: {before or 'empty'} -> {after.current}")


@db_app.command()
def current(
    as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False,
) -> None:
    """The schema revision of the database and the newest this dumpwatch knows."""
    from dumpwatch.storage.migrate import schema_state

    engine = _engine()
    try:
        st = schema_state(engine)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps({"current": st.current, "head": st.head,
                          "up_to_date": st.up_to_date}))
        return
    print(f"{st.current or 'empty'} (head {st.head}{', up to date' if st.up_to_date else ''})")
