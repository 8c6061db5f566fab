"""The same code on PostgreSQL: a real crawl into a fresh database on a real server (the
one .ci/run started, else a throwaway cluster on 127.0.0.1; skipped when this machine has
no PostgreSQL server binaries)."""

from __future__ import annotations

import json
from pathlib import Path

from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from tests.conftest import assert_findings_reachable, run_cli


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
            assert_findings_reachable(home, env)
        assert json.loads(proc.stdout)["documents"] == 0
    found = run_cli("--home", str(home), "findings", "-f", "jsonl", env=env)
    records = {json.loads(line)["record_id"] for line in found.stdout.splitlines()}
    assert records == {p.id for p in ps}
    status = json.loads(run_cli("--home", str(home), "--config", str(config), "status",
                                "--json", env=env).stdout)
    assert status["alerts"] == 1  # identical content on two pastes: one document, one alert
    # lineage, exports and evidence run the same queries on PostgreSQL
    dumps = [json.loads(x) for x in run_cli("--home", str(home), "dumps", "-f", "jsonl",
                                            env=env).stdout.splitlines()]
    assert [(d["records"], d["posts"], d["sightings"]) for d in dumps] == [(4, 1, 2)]
    rows = [json.loads(x) for x in run_cli("--home", str(home), "export", "--format", "jsonl",
                                           env=env).stdout.splitlines()]
    assert len(rows) == 2 and {r["dump_id"] for r in rows} == {dumps[0]["id"]}
    bundle = run_cli("--home", str(home), "evidence", str(rows[0]["sighting_id"]), "--out",
                     str(tmp_path / "ev"), env=env)
    assert bundle.returncode == 0 and (Path(bundle.stdout.strip()) / "manifest.json").exists()
    assert not (home / "dumpwatch.db").exists()  # nothing went to SQLite


def test_takedown_case_and_report_on_postgres(pg_url: str, home: Path,
                                              tmp_path: Path) -> None:
    from dumpwatch.testsites.smtp import SmtpSink
    from dumpwatch.testsites.takedown import registry, write_takedown_config

    config = tmp_path / "config"
    env = {"DUMPWATCH_DB_URL": pg_url}

    def cli(*args: str):
        proc = run_cli("--home", str(home), "--config", str(config), *args, env=env)
        assert proc.returncode == 0, (args, proc.stderr)
        return proc

    with LocalSites() as sites, registry() as rdap, SmtpSink() as smtp:
        write_profiles(config, sites)
        write_takedown_config(config, rdap, smtp.port)
        ps = people(650, 5)
        post = sites.paste.add("pg sale", "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps),
                               paste_id="pg-sale")  # p00001 was seen by the other test
        cli("crawl", "local-paste")
        opened = cli("takedown", "open", f"{sites.paste_server.url}/raw/{post.id}").stdout
        case_id = opened.split()[1]
        cli("takedown", "send", case_id)
        sites.paste.remove(post.id)
        assert f"case {case_id}: removed" in cli("takedown", "recheck").stdout
    assert len(smtp.received) == 1
    figures = json.loads(cli("report", "--json").stdout)["total"]
    assert (figures["notices"], figures["removed"]) == (1, 1)  # the other test's: no case
    assert figures["median_ttr_s"] > 0
