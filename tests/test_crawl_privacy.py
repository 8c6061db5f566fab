"""Scraped pages hold leaked data: after crawling and alerting, none of it is on disk,
unless a retention window asks for it — and then only encrypted, until it expires."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from crawler.pipelines.matching import purge_expired_text
from dumpwatch.storage import RetainedText, SourceState, open_database
from dumpwatch.storage.models import utcnow
from dumpwatch.storage.retention import retention_cipher
from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from matcher.keys import load_key
from tests.conftest import assert_findings_reachable, database_contents, run_cli


def test_no_leaked_plaintext_after_crawl_and_alert(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    ps = people(1200, 5)
    with LocalSites() as sites:
        write_profiles(config, sites)
        lines = "\n".join(f"{p.name} {p.phone} {p.email} {p.address}" for p in ps)
        sites.paste.add(f"sample {ps[0].phone} {ps[0].email}", lines, author="seller")
        proc = run_cli("--home", str(home), "--config", str(config), "crawl", "local-paste")
        assert proc.returncode == 0, proc.stderr
    assert_findings_reachable(home)
    found = run_cli("--home", str(home), "findings", "-f", "jsonl")
    assert len(found.stdout.splitlines()) == 5
    needles = []
    for p in ps:
        needles += [p.name, p.phone, p.phone.replace("-", ""), "+82" + p.phone[1:].replace(
            "-", ""), p.email, p.address.split(",")[0]]
    blobs = [f.read_bytes() for f in home.rglob("*") if f.is_file() and "corpora" not in
             f.parts]
    blobs.append((found.stdout + found.stderr + proc.stderr).encode())
    blobs.append(database_contents(home))  # on PostgreSQL it is not under the home
    for needle in needles:
        for blob in blobs:
            assert needle.encode() not in blob, needle


def test_retained_text_is_encrypted_and_purged(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    ps = people(1300, 3)
    text = "\n".join(f"{p.name},{p.phone}" for p in ps)
    with LocalSites() as sites:
        paths = write_profiles(config, sites)
        profile = paths["local-paste"]
        profile.write_text(profile.read_text() + "retention_days: 2\n")
        sites.paste.add("keep", text)
        assert run_cli("--home", str(home), "--config", str(config), "crawl",
                       "local-paste").returncode == 0
    db = open_database(home)
    with db.session() as s:
        row = s.exec(select(RetainedText)).one()
    assert ps[0].phone.encode() not in row.ciphertext
    assert retention_cipher(load_key()).decrypt(row.ciphertext).decode() == text
    assert purge_expired_text(db) == 0
    with db.session() as s:
        row.expires_at = utcnow() - timedelta(seconds=1)
        s.add(row)
        s.commit()
    assert purge_expired_text(db) == 1
    with db.session() as s:
        assert s.exec(select(RetainedText)).first() is None


def test_failing_source_becomes_unhealthy(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "sources").mkdir(parents=True)
    (config / "sources" / "dead.yaml").write_text(
        "name: dead\nkind: paste\nbase_url: http://127.0.0.1:9\nlisting:\n  urls: [/a]\n"
        "raw_url: /raw/{id}\npoliteness:\n  delay: 0\n  retries: 0\n  unhealthy_after: 3\n")
    home = tmp_path / "home"
    statuses = []
    for _ in range(3):
        proc = run_cli("--home", str(home), "--config", str(config), "crawl", "dead", "--json")
        assert proc.returncode == 0, proc.stderr
        statuses.append(json.loads(proc.stdout)["status"])
    assert statuses == ["failed"] * 3
    with open_database(home).session() as s:
        state = s.get(SourceState, "dead")
    assert state is not None and not state.healthy and state.consecutive_failures == 3
    status = json.loads(run_cli("--home", str(home), "--config", str(config), "status",
                                "--json").stdout)
    assert status["sources"][0]["healthy"] is False


def test_items_never_print_their_text() -> None:
    from crawler.items import DocumentItem

    item = DocumentItem(source="s", url="http://x/1", text="김민준 010-1234-5678")
    assert "김민준" not in repr(item) and "010" not in str(item)


def test_titles_are_masked() -> None:
    from crawler.pipelines.matching import mask_title

    masked = mask_title("김민준 외 300명 정보 010-1234-5678 kim@naver.com 팝니다")
    assert masked is not None
    assert "김민준" not in masked and "1234" not in masked and "kim@" not in masked
    assert "팝니다" in masked
