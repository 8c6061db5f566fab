"""The public command-line contract: names, flags, JSON keys, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dumpwatch.synth import people
from tests.conftest import run_cli


def test_scan_jsonl_contract(built_home: Path, tmp_path: Path) -> None:
    ps = people(40, 5)
    (tmp_path / "leak.txt").write_text("\n".join(f"{p.name} {p.phone}" for p in ps))
    (tmp_path / "chat.txt").write_text("오늘 날씨 좋네요\n")
    proc = run_cli("--home", str(built_home), "scan", "--corpus", "coupang", "--format",
                   "jsonl", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert {o["record_id"] for o in objs} == {p.id for p in ps}
    for o in objs:
        assert list(o) == ["document", "corpus", "record_id", "score", "fields", "evidence"]
        assert o["document"] == str(tmp_path / "leak.txt") and o["corpus"] == "coupang"
        assert 0 <= o["score"] <= 1 and o["fields"] == ["name", "phone"]
    assert "redistribution" in proc.stderr and "chat.txt: coupang: none" in proc.stderr


def test_summary_file_and_no_findings_exit_zero(built_home: Path, tmp_path: Path) -> None:
    (tmp_path / "chat.txt").write_text("nothing here\n")
    proc = run_cli("--home", str(built_home), "scan", "-f", "jsonl", "--summary",
                   str(tmp_path / "s.jsonl"), str(tmp_path / "chat.txt"))
    assert proc.returncode == 0 and proc.stdout == ""
    summary = json.loads((tmp_path / "s.jsonl").read_text())
    assert summary["corpora"]["coupang"]["verdict"] == "none"


def test_errors_are_one_line(built_home: Path, tmp_path: Path) -> None:
    proc = run_cli("--home", str(built_home), "scan", "--corpus", "nope", str(tmp_path))
    assert proc.returncode == 2 and "no corpus named 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = run_cli("--home", str(built_home), "scan", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    proc = run_cli("--home", str(built_home), "scan", "--format", "xml", str(tmp_path))
    assert proc.returncode == 2 and "--format" in proc.stderr


def test_wrong_key_is_refused(built_home: Path, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("010-1234-5678\n")
    proc = run_cli("--home", str(built_home), "scan", str(tmp_path),
                   env={"DUMPWATCH_KEY": "ab" * 32})
    assert proc.returncode == 2 and "another key" in proc.stderr


def test_key_file_is_created_0600_outside_home(tmp_path: Path, corpus_csv: Path) -> None:
    key_file = tmp_path / "cfg" / "key"
    args = ("--home", str(tmp_path / "home"), "--key-file", str(key_file), "corpus", "add",
            "a", str(corpus_csv))
    proc = run_cli(*args, env={"DUMPWATCH_KEY": ""})
    assert proc.returncode == 0, proc.stderr
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert not any(p.name == "key" for p in (tmp_path / "home").rglob("*"))
    key_file.chmod(0o644)
    proc = run_cli(*args, env={"DUMPWATCH_KEY": ""})
    assert proc.returncode == 2 and "chmod 600" in proc.stderr


def test_corpus_list_and_remove(tmp_path: Path, corpus_csv: Path) -> None:
    home = str(tmp_path / "home")
    assert run_cli("--home", home, "corpus", "add", "a", str(corpus_csv)).returncode == 0
    listed = run_cli("--home", home, "corpus", "list", "--json")
    assert json.loads(listed.stdout)["records"] == 20_000
    assert run_cli("--home", home, "corpus", "remove", "a", "--yes").returncode == 0
    assert run_cli("--home", home, "corpus", "list", "--json").stdout == ""


@pytest.mark.parametrize("command", [[], ["corpus"], ["corpus", "add"], ["corpus", "list"],
                                     ["corpus", "remove"], ["scan"]])
def test_every_command_has_help(command: list[str]) -> None:
    proc = run_cli(*command, "--help")
    assert proc.returncode == 0 and "Usage" in proc.stdout


def test_help_lists_every_command_in_a_data_flow_section() -> None:
    """A new top-level command must be placed in a section, or --help would hide it at the top."""
    import typer.main

    from dumpwatch.cli import app
    from dumpwatch.cli._app import SECTIONS

    placed = {name for names in SECTIONS.values() for name in names}
    registered = set(typer.main.get_command(app).commands)
    assert registered == placed
    help_text = run_cli("--help").stdout
    assert help_text.index("corpus") < help_text.index("crawl") < help_text.index("takedown")
