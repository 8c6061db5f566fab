"""Schema migrations: a 0.1.0 home upgrades without loss, openers never race, and every
model has its migration."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import select

from dumpwatch.errors import DatabaseError
from dumpwatch.storage import Alert, Finding, RetainedText, Sighting, SourceState, open_database
from dumpwatch.storage.db import Database
from dumpwatch.storage.migrate import head_revision, pending_changes, schema_state
from tests.conftest import run_cli

FIXTURE = Path(__file__).parent / "fixtures" / "home-0.1.0.db"
TABLES = ["sourcestate", "seenitem", "threadstate", "document", "sighting", "verdict",
          "finding", "crawlrun", "retainedtext", "alert"]


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_home_from_release_0_1_0_upgrades_without_loss(tmp_path: Path) -> None:
    db_path = tmp_path / "dumpwatch.db"
    shutil.copy(FIXTURE, db_path)
    before = _counts(db_path)
    assert all(before.values()), before  # the fixture has rows in every table
    with sqlite3.connect(db_path) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name='alembic_version'"
                                ).fetchall()  # made by create_all, no revision recorded

    db = Database(f"sqlite:///{db_path}")
    try:
        assert schema_state(db.engine).current == head_revision()
        assert pending_changes(db.engine) == []
        with db.session() as s:
            assert s.get(SourceState, "dark-forum").consecutive_failures == 3
            assert s.exec(select(Finding.record_id).order_by(Finding.record_id)).all() == [
                "C000000100", "C000000101", "C000000102"]
            assert {x.source for x in s.exec(select(Sighting))} == {"local-paste", "dark-forum"}
            assert s.exec(select(Alert)).one().records == 38
            assert s.exec(select(RetainedText)).one().ciphertext == b"gAAAAA-not-real-ciphertext"
    finally:
        db.dispose()
    assert _counts(db_path) == before
    assert (tmp_path / "dumpwatch.db.bak-0.1.0").exists()  # copy taken before upgrading


_OPEN = """
import sys, time
from pathlib import Path
from dumpwatch.storage import open_database
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
db = open_database(Path(sys.argv[1]))
with db.session() as s:
    from dumpwatch.storage import SourceState
    s.add(SourceState(name=sys.argv[3]))
    s.commit()
db.dispose()
"""


def test_four_processes_open_a_fresh_database_at_once(tmp_path: Path, db_env: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("DUMPWATCH_DB_URL", db_env["DUMPWATCH_DB_URL"])
    start = time.time() + 2.0  # all four are past their imports by then
    procs = [subprocess.Popen([sys.executable, "-c", _OPEN, str(home), str(start), f"s{i}"],
                              env=dict(os.environ), stderr=subprocess.PIPE, text=True)
             for i in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    db = open_database(home)
    try:
        assert schema_state(db.engine).up_to_date
        with db.session() as s:
            assert sorted(x.name for x in s.exec(select(SourceState))) == ["s0", "s1", "s2",
                                                                           "s3"]
    finally:
        db.dispose()


def test_models_match_migrations(tmp_path: Path, db_env: dict[str, str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A table or column added to the models without a migration fails here."""
    monkeypatch.setenv("DUMPWATCH_DB_URL", db_env["DUMPWATCH_DB_URL"])
    db = open_database(tmp_path)
    try:
        assert pending_changes(db.engine) == []
    finally:
        db.dispose()


def test_automatic_upgrade_can_be_switched_off(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUMPWATCH_AUTO_MIGRATE", "0")
    monkeypatch.setenv("DUMPWATCH_DB_URL", "")  # a new SQLite file, on either test run
    home = tmp_path / "home"
    with pytest.raises(DatabaseError, match="run `dumpwatch db upgrade`"):
        open_database(home.parent)
    env = {"DUMPWATCH_AUTO_MIGRATE": "0", "DUMPWATCH_DB_URL": ""}
    proc = run_cli("--home", str(home), "status", env=env)
    assert proc.returncode == 2 and "dumpwatch db upgrade" in proc.stderr
    assert "Traceback" not in proc.stderr
    up = run_cli("--home", str(home), "db", "upgrade", env=env)
    assert up.returncode == 0 and f"-> {head_revision()}" in up.stderr
    cur = run_cli("--home", str(home), "db", "current", env=env)
    assert cur.stdout.strip() == f"{head_revision()} (head {head_revision()}, up to date)"


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    db_path = tmp_path / "dumpwatch.db"
    Database(f"sqlite:///{db_path}").dispose()
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="9999, which this dumpwatch does not know"):
        Database(f"sqlite:///{db_path}")
