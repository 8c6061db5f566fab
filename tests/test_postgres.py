"""The same code on PostgreSQL: a throwaway cluster on 127.0.0.1, a real crawl into it.

Skipped when this machine has no PostgreSQL server binaries or no 'postgres' user
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from tests.conftest import assert_findings_reachable, run_cli


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres user")
    if not initdb or not pg_ctl:
        pytest.skip("no PostgreSQL server binaries")
    data = Path(tempfile.mkdtemp(prefix="dw-pg-"))
    shutil.chown(data, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    port = _free_port()
    subprocess.run([*as_pg, initdb, "-D", str(data / "db"), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True)
    subprocess.run([*as_pg, pg_ctl, "-D", str(data / "db"), "-l", str(data / "log"), "-w",
                    "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, pg_ctl, "-D", str(data / "db"), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def test_crawl_findings_and_status_on_postgres(postgres_url: str, home: Path,
                                               tmp_path: Path) -> None:
    config = tmp_path / "config"
    env = {"DUMPWATCH_DB_URL": postgres_url}
    with LocalSites() as sites:
        write_profiles(config, sites)
        ps = people(600, 4)
        sites.paste.add("pg leak", "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps))
        sites.paste.add("pg leak again", "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps))
        for _ in range(2):  # the second run must find nothing new (ON CONFLICT paths)
            proc = run_cli("--home", str(home), "--config", str(config), "crawl", "local-paste",
                           "--json", env=env)
            assert proc.returncode == 0, proc.stderr
            assert_findings_reachable(home, env)
        assert json.loads(proc.stdout)["documents"] == 0
    found = run_cli("--home", str(home), "findings", "-f", "jsonl", env=env)
    records = {json.loads(line)["record_id"] for line in found.stdout.splitlines()}
    assert records == {p.id for p in ps}
    status = json.loads(run_cli("--home", str(home), "--config", str(config), "status",
                                "--json", env=env).stdout)
    assert status["alerts"] == 1  # identical content on two pastes: one document, one alert
    assert not (home / "dumpwatch.db").exists()  # nothing went to SQLite
