"""The same code on PostgreSQL: a real crawl into a fresh database on a real server (the
one .ci/run started, else a throwaway cluster on 127.0.0.1; skipped when this machine has
no PostgreSQL server binaries)."""

from __future__ import annotations

import json
from pathlib import Path

from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from tests.conftest import run_cli


def test_crawl_findings_and_status_on_postgres(pg_url: str, home: Path,
                                               tmp_path: Path) -> None:
    config = tmp_path / "config"
    env = {"DUMPWATCH_DB_URL": pg_url}
    with LocalSites() as sites:
        write_profiles(config, sites)
        ps = people(600, 4)
        sites.paste.add("pg leak", "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps))
        sites.paste.add("pg leak again", "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps))
        for _ in range(2):  # the second run must find nothing new (ON CONFLICT paths)
            proc = run_cli("--home", str(home), "--config", str(config), "crawl", "local-paste",
                           "--json", env=env)
            assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["documents"] == 0
    found = run_cli("--home", str(home), "findings", "-f", "jsonl", env=env)
    records = {json.loads(line)["record_id"] for line in found.stdout.splitlines()}
    assert records == {p.id for p in ps}
    status = json.loads(run_cli("--home", str(home), "--config", str(config), "status",
                                "--json", env=env).stdout)
    assert status["alerts"] == 1  # identical content on two pastes: one document, one alert
    assert not (home / "dumpwatch.db").exists()  # nothing went to SQLite
