"""Shared fixtures: a key from the environment, a home directory, a built corpus.

The session corpus is built once (20,000 synthetic records) and reused read-only by
every test that only scans; tests that write make their own home.

With ``DUMPWATCH_TEST_PG`` set to a PostgreSQL server's URL (``DUMPWATCH_CI_POSTGRES=1
.ci/run`` starts one and runs the suite a second time that way), every test gets its own
fresh database on it through ``DUMPWATCH_DB_URL`` — cloned from a template migrated once
per session — instead of SQLite.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import pytest

from dumpwatch.synth import write_corpus_csv
from matcher.ingest import add_corpus
from matcher.keys import SecretKey, load_key

TEST_KEY = "5a" * 32
CORPUS_SIZE = 20_000


@pytest.fixture(autouse=True)
def _key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUMPWATCH_KEY", TEST_KEY)


PG_SERVER = os.environ.get("DUMPWATCH_TEST_PG")
_db_numbers = itertools.count()


def _admin(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                           autocommit=True)


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def pg_server() -> str:
    """A PostgreSQL server's admin URL: the one CI started, else a throwaway cluster."""
    if PG_SERVER:
        yield PG_SERVER
        return
    from dumpwatch.testsites.services import PostgresServer, ServiceUnavailable

    server = PostgresServer()
    try:
        url = server.start()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    """A database migrated to head once, cloned for each test (much faster than migrating)."""
    from dumpwatch.storage.db import Database

    name = f"dw_tpl_{os.getpid()}"
    with _admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    Database(_with_database(pg_server, name)).dispose()
    yield name
    with _admin(pg_server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def new_pg_database(server: str, template: str = "template0") -> tuple[str, str]:
    name = f"dw_{os.getpid()}_{next(_db_numbers)}"
    with _admin(server) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    return name, _with_database(server, name)


def drop_pg_database(server: str, name: str) -> None:
    with _admin(server) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture()
def pg_url(pg_server: str) -> str:
    """A fresh, empty PostgreSQL database (on every run, not only the PostgreSQL one)."""
    name, url = new_pg_database(pg_server)
    yield url
    drop_pg_database(pg_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Run a test on both backends, each time on a fresh, empty database: pass this as the
    environment of the processes under test ("" means the home's SQLite file)."""
    if request.param == "sqlite":
        return {"DUMPWATCH_DB_URL": ""}
    return {"DUMPWATCH_DB_URL": request.getfixturevalue("pg_url")}


@pytest.fixture(scope="module")
def module_database(request: pytest.FixtureRequest) -> str | None:
    """For a home shared by a module's tests (a module-scoped fixture that crawls once):
    on the PostgreSQL run, one database that lives as long as that home, as the home's
    SQLite file does on the SQLite run. Request it from that fixture, before it writes."""
    if not PG_SERVER:
        yield None
        return
    template = request.getfixturevalue("pg_template")
    name, url = new_pg_database(PG_SERVER, template)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DUMPWATCH_DB_URL", url)
        yield url
    drop_pg_database(PG_SERVER, name)


@pytest.fixture(autouse=True)
def _database(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the PostgreSQL run, point DUMPWATCH_DB_URL at a database of this test's own (or
    its module's, when the test uses a home shared through ``module_database``)."""
    if not PG_SERVER or "module_database" in request.fixturenames:
        yield
        return
    template = request.getfixturevalue("pg_template")
    name, url = new_pg_database(PG_SERVER, template)
    monkeypatch.setenv("DUMPWATCH_DB_URL", url)
    yield
    drop_pg_database(PG_SERVER, name)


def db_rows(home: Path, sql: str, **params: object) -> list[tuple]:
    """Rows of one SQL query on the home's database, whichever backend it is on (a test
    reading ``dumpwatch.db`` with sqlite3 would read nothing on the PostgreSQL run)."""
    import sqlalchemy

    from dumpwatch.storage.db import database_url

    engine = sqlalchemy.create_engine(database_url(home))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sqlalchemy.text(sql), params)]
    finally:
        engine.dispose()


def database_contents(home: Path) -> bytes:
    """Every value stored in the home's database, as bytes to search for plaintext: on
    PostgreSQL the data lives outside the home, where a scan of its files cannot see it.
    Text is UTF-8, binary columns raw (a dump would hex-encode them and hide a needle)."""
    import sqlalchemy

    from dumpwatch.storage.db import database_url

    engine = sqlalchemy.create_engine(database_url(home))
    out = bytearray()
    try:
        meta = sqlalchemy.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                for row in conn.execute(table.select()):
                    for v in row:
                        out += v if isinstance(v, bytes | memoryview) else str(v).encode()
                        out += b"\x00"
    finally:
        engine.dispose()
    return bytes(out)


def _redis_server():
    """A real redis-server on a free loopback port (skips where none is installed)."""
    from dumpwatch.testsites.services import RedisServer, ServiceUnavailable

    server = RedisServer()
    try:
        url = server.start()
    except ServiceUnavailable as exc:
        pytest.skip(str(exc))
    yield url
    server.stop()


redis_url = pytest.fixture(_redis_server, name="redis_url")  # a fresh server per test
module_redis_url = pytest.fixture(_redis_server, scope="module", name="module_redis_url")


@pytest.fixture(scope="session")
def key() -> SecretKey:
    os.environ["DUMPWATCH_KEY"] = TEST_KEY
    return load_key()


@pytest.fixture(scope="session")
def corpus_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "coupang.csv"
    write_corpus_csv(path, CORPUS_SIZE)
    return path


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, corpus_csv: Path, key: SecretKey
               ) -> Path:
    home = tmp_path_factory.mktemp("home")
    add_corpus(home, "coupang", corpus_csv, key, workers=1)
    return home


FORUM_ENV = {"DUMPWATCH_FORUM_USER": "watcher", "DUMPWATCH_FORUM_PASS": "s3cret-pass"}


@pytest.fixture()
def home(tmp_path: Path, built_home: Path) -> Path:
    """A fresh home (own database and state) that shares the session's built corpus."""
    h = tmp_path / "home"
    (h / "corpora").mkdir(parents=True)
    os.symlink(built_home / "corpora" / "coupang", h / "corpora" / "coupang")
    return h


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    full_env = {**os.environ, "DUMPWATCH_KEY": TEST_KEY, **FORUM_ENV, **(env or {})}
    return subprocess.run([sys.executable, "-m", "dumpwatch", *args], capture_output=True,
                          text=True, env=full_env, input=input, timeout=300, cwd=cwd)


def assert_findings_reachable(home: Path, env: dict[str, str] | None = None) -> None:
    """Every stored finding is listed by ``dumpwatch findings``, through a sighting: a
    finding whose document lost its sighting would be invisible to its users."""
    from sqlalchemy import text

    from dumpwatch.storage.db import Database, database_url

    # the database the CLI below uses: env's DUMPWATCH_DB_URL ("" = the home's SQLite),
    # else this process's (the PostgreSQL run sets one per test)
    env = env or {}
    url = env["DUMPWATCH_DB_URL"] if "DUMPWATCH_DB_URL" in env else database_url(home)
    db = Database(url or f"sqlite:///{home / 'dumpwatch.db'}")
    with db.session() as s:
        orphans = s.exec(text(  # type: ignore[call-overload]
            "select count(*) from finding f where not exists "
            "(select 1 from sighting g where g.document_id = f.document_id)")).one()[0]
        stored = {tuple(r) for r in s.exec(text(  # type: ignore[call-overload]
            "select f.corpus, f.record_id, g.url from finding f "
            "join sighting g on g.document_id = f.document_id"))}
    db.dispose()
    assert orphans == 0, f"{orphans} findings have no sighting"
    proc = run_cli("--home", str(home), "findings", "-f", "jsonl", "--limit", "0", env=env)
    assert proc.returncode == 0, proc.stderr
    listed = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {(r["corpus"], r["record_id"], r["url"]) for r in listed} == stored
    assert len(listed) == len(stored), "a finding is listed twice for one place"


CHROMIUM = "/usr/lib/chromium/chromium-headless-shell"  # Debian's; never `playwright install`


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches Debian's headless Chromium with flags that work as root."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--disable-component-update"]}


def crawl(home: Path, config: Path, source: str) -> dict:
    """``dumpwatch crawl SOURCE --json`` as a user runs it; every finding stays listable."""
    proc = run_cli("--home", str(home), "--config", str(config), "crawl", source, "--json")
    assert proc.returncode == 0, proc.stderr
    assert_findings_reachable(home)
    return json.loads(proc.stdout)


def findings_by_url(home: Path) -> dict[str, set[str]]:
    """``dumpwatch findings`` as URL -> record ids."""
    proc = run_cli("--home", str(home), "findings", "-f", "jsonl", "--limit", "0")
    assert proc.returncode == 0, proc.stderr
    out: dict[str, set[str]] = defaultdict(set)
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        out[row["url"]].add(row["record_id"])
    return dict(out)


def watch(r, action) -> list[str]:
    """Every command Redis executes while ``action`` runs, as MONITOR shows them."""
    lines: list[str] = []
    with r.monitor() as m:
        ready = threading.Event()

        def listen() -> None:
            ready.set()
            for cmd in m.listen():
                lines.append(f"{cmd['client_type']} {cmd['command']}")
                if "STOP-WATCHING" in cmd["command"]:
                    return

        t = threading.Thread(target=listen)
        t.start()
        ready.wait()
        action()
        r.echo("STOP-WATCHING")
        t.join(10)
    return lines
