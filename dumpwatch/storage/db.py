"""Engine and session handling: SQLite in WAL mode under the home, or DUMPWATCH_DB_URL."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from dumpwatch.storage import dumps, evidence, listings, models, web  # noqa: F401 - registers


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        from dumpwatch.storage.migrate import ensure_schema

        ensure_schema(self.engine)  # one process migrates, the others wait or just verify

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(conn, _record) -> None:
    cur = conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


IN_CHUNK = 5_000  # bound parameters per IN list: SQLite allows 32,766, PostgreSQL 65,535


def batches(ids: Iterable) -> Iterator[Sequence]:
    """``ids`` (sorted, de-duplicated) in slices small enough for one IN list on any
    backend: a single list of every id breaks beyond PostgreSQL's bound-parameter limit."""
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), IN_CHUNK):
        yield ordered[i:i + IN_CHUNK]


def database_url(home: Path) -> str:
    return os.environ.get("DUMPWATCH_DB_URL") or f"sqlite:///{home / 'dumpwatch.db'}"


def open_database(home: Path) -> Database:
    return Database(database_url(home))


def write_lock(session: Session, key: str) -> None:
    """Serialise writers of ``key`` until the session's transaction ends.

    PostgreSQL: a transaction-level advisory lock on the key, so unrelated documents still
    proceed in parallel. SQLite: a no-op write as the first statement takes the database's
    write lock up front (with the busy timeout), instead of reading a snapshot first and
    failing with "database is locked" when another writer committed in between.
    """
    import zlib

    from sqlalchemy import text

    name = session.get_bind().dialect.name
    if name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:k)"),  # type: ignore[call-overload]
                     params={"k": zlib.crc32(key.encode()) - (1 << 31)})
    elif name == "sqlite":
        session.exec(text(  # type: ignore[call-overload]
            "UPDATE alembic_version SET version_num = version_num WHERE 1 = 0"))
