"""Schema migrations (Alembic) and the rule that exactly one process applies them.

Every opener checks the database's revision against the code's head; the fast path is one
SELECT. Only when they differ does a process take the migration lock (a file lock beside a
SQLite database, a PostgreSQL advisory lock otherwise), check again, and upgrade — so four
crawl processes opening a new home at once create the tables once instead of racing in
``create_all``. The monitor upgrades before it spawns anything.

A home made before migrations existed (tables, no ``alembic_version``) is stamped with the
first revision, which is exactly that schema, then upgraded. Upgrading a SQLite database
that holds data first copies it to ``dumpwatch.db.bak-<revision>``; PostgreSQL runs the
upgrade in one transaction. ``DUMPWATCH_AUTO_MIGRATE=0`` turns the automatic upgrade off:
an opener then refuses an out-of-date database and says to run ``dumpwatch db upgrade``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, text

from dumpwatch.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"
INITIAL = "0001"  # today's schema as released in 0.1.0 (create_all, no alembic_version)
_LOCK_KEY = zlib.crc32(b"dumpwatch-schema-migration")  # advisory-lock id, stable across hosts


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def schema_state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        return SchemaState(_current(conn), head_revision())


def _is_legacy(conn: Connection) -> bool:
    """Tables from the release before migrations, but no revision recorded."""
    names = set(inspect(conn).get_table_names())
    return "alembic_version" not in names and "document" in names


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
                conn.commit()
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file closes
        yield


def _backup_sqlite(engine: Engine, revision: str) -> Path | None:
    path = engine.url.database
    if not path or path == ":memory:" or not Path(path).exists():
        return None
    target = Path(f"{path}.bak-{revision}")
    src, dst = sqlite3.connect(path), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def upgrade(engine: Engine, revision: str = "head") -> SchemaState:
    """Bring the schema to ``revision`` (default head), once, whoever else is trying."""
    with _migration_lock(engine):
        with engine.connect() as conn:
            current = _current(conn)
            legacy = current is None and _is_legacy(conn)
        head = head_revision()
        if current == head and revision == "head":
            return SchemaState(current, head)
        script = ScriptDirectory.from_config(_config())
        if current is not None:
            try:
                script.get_revision(current)
            except CommandError:
                raise DatabaseError(
                    f"the database is at schema revision {current}, which this dumpwatch does "
                    f"not know (its newest is {head}): upgrade dumpwatch, not the database"
                ) from None
        if engine.dialect.name == "sqlite" and (legacy or current is not None):
            _backup_sqlite(engine, current or "0.1.0")
        with engine.begin() as conn:
            cfg = _config(conn)
            if legacy:
                command.stamp(cfg, INITIAL)
            command.upgrade(cfg, revision)
        return schema_state(engine)


def ensure_schema(engine: Engine) -> SchemaState:
    """Called by every opener: verify the revision; upgrade (under the lock) when behind."""
    state = schema_state(engine)
    if state.up_to_date:
        return state
    if os.environ.get("DUMPWATCH_AUTO_MIGRATE", "1") == "0":
        raise DatabaseError(
            f"the database schema is at {state.current or 'nothing'}, this dumpwatch needs "
            f"{state.head}: run `dumpwatch db upgrade` (automatic upgrade is off)")
    return upgrade(engine)


def pending_changes(engine: Engine) -> list:
    """Differences between the models and the migrated schema: empty when every table and
    column has its migration (the CI check that a new table came with one)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))
