"""The monitor against the local sites: real scheduler, real subprocess crawls, real
webhook receiver. Intervals are seconds instead of minutes."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dumpwatch.alerts import deliver_pending
from dumpwatch.monitor.config import MonitorConfig, Webhook
from dumpwatch.storage import Alert, open_database
from dumpwatch.synth import people
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from dumpwatch.testsites.webhook import WebhookReceiver
from tests.conftest import FORUM_ENV, TEST_KEY, assert_findings_reachable, run_cli


def wait_for(cond: Callable[[], bool], timeout: float = 60) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


def only_paste(config: Path) -> None:
    for p in (config / "sources").iterdir():
        if p.stem != "local-paste":
            p.unlink()


def start_monitor(home: Path, config: Path, hook: str, every: float = 2) -> subprocess.Popen:
    env = {**os.environ, "DUMPWATCH_KEY": TEST_KEY, **FORUM_ENV}
    return subprocess.Popen(
        [sys.executable, "-m", "dumpwatch", "--home", str(home), "--config", str(config), "-q",
         "run", "--webhook", hook, "--every", str(every)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def crawl_runs(home: Path) -> int:
    """Finished crawl runs, read without creating the database (SQLite or PostgreSQL)."""
    import sqlalchemy

    from dumpwatch.storage.db import database_url

    url = database_url(home)
    if url.startswith("sqlite") and not (home / "dumpwatch.db").exists():
        return 0
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sqlalchemy.text(
                "select count(*) from crawlrun where finished_at is not null")).scalar_one()
    except sqlalchemy.exc.DBAPIError:
        return 0
    finally:
        engine.dispose()


def leak_text(start: int, n: int) -> tuple[str, set[str], list]:
    ps = people(start, n)
    return "\n".join(f"{p.name},{p.phone},{p.email}" for p in ps), {p.id for p in ps}, ps


def assert_no_plaintext(payload: dict, ps: list) -> None:
    blob = json.dumps(payload, ensure_ascii=False)
    for p in ps:
        for value in (p.name, p.phone, p.phone.replace("-", ""), p.email):
            assert value not in blob


def test_new_leak_post_alerts_exactly_once(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    with LocalSites() as sites, WebhookReceiver() as hook:
        write_profiles(config, sites)
        only_paste(config)
        sites.paste.add("hello", "nothing to see")
        monitor = start_monitor(home, config, hook.url)
        try:
            assert wait_for(lambda: crawl_runs(home) >= 1, 30), monitor.stderr
            text, _ids, ps = leak_text(700, 7)
            sites.paste.add("coupang fresh 7", text, author="seller7")
            assert wait_for(lambda: len(hook.received) >= 1, 60)
            runs = crawl_runs(home)
            assert wait_for(lambda: crawl_runs(home) >= runs + 2, 30)  # two more cycles
        finally:
            monitor.send_signal(signal.SIGTERM)
            _out, err = monitor.communicate(timeout=30)
        assert monitor.returncode == 0, err
    assert len(hook.received) == 1
    alert = hook.received[0]
    assert alert["records"] == 7 and alert["verdict"] == "redistribution"
    assert alert["source"] == "local-paste" and alert["url"].endswith("/raw/p00002")
    assert set(alert["fields"]) == {"name", "phone", "email"}
    assert alert["_alert_header"] == str(alert["alert_id"])
    assert_no_plaintext(alert, ps)
    log_lines = (home / "alerts.log").read_text().splitlines()
    assert len(log_lines) == 1
    assert_no_plaintext(json.loads(log_lines[0]), ps)
    assert_findings_reachable(home)


def test_kill9_mid_crawl_then_restart(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    with LocalSites() as sites, WebhookReceiver() as hook:
        write_profiles(config, sites, timeout=20)
        only_paste(config)
        sites.paste.timeout_seconds = 4
        expected: set[str] = set()
        for i in range(4):
            text, ids, _ = leak_text(800 + 10 * i, 3)
            expected |= ids
            sites.paste.add(f"leak {i}", text)
        slow_text, slow_ids, _ = leak_text(900, 3)
        expected |= slow_ids
        sites.paste.add("slow leak", slow_text, fault="slow")
        monitor = start_monitor(home, config, hook.url, every=3)
        assert wait_for(lambda: any(r == "/raw/p00005" for r in sites.paste.requests), 30)
        monitor.kill()  # SIGKILL in the middle of the crawl
        monitor.wait(timeout=10)
        jobs = sqlite3.connect(home / "jobs.db").execute(
            "select id, next_run_time from apscheduler_jobs where id like 'crawl:%'").fetchall()
        assert [j[0] for j in jobs] == ["crawl:local-paste"]
        restarted = start_monitor(home, config, hook.url, every=3)
        try:
            assert wait_for(lambda: len(hook.received) >= 5, 90), (hook.received,
                                                                  restarted.stderr)
            runs = crawl_runs(home)
            assert wait_for(lambda: crawl_runs(home) >= runs + 1, 30)  # the schedule goes on
        finally:
            restarted.send_signal(signal.SIGTERM)
            restarted.communicate(timeout=30)
    assert_findings_reachable(home)
    found = run_cli("--home", str(home), "findings", "-f", "jsonl", "--limit", "0").stdout
    records = [json.loads(line)["record_id"] for line in found.splitlines()]
    assert sorted(records) == sorted(expected)  # none lost, none twice
    assert sorted(a["url"].rsplit("/", 1)[1] for a in hook.received) == [
        "p00001", "p00002", "p00003", "p00004", "p00005"]  # each alert once


def test_receiver_failing_then_recovering_gets_the_alert_once(tmp_path: Path) -> None:
    db = open_database(tmp_path)
    with db.session() as s:
        from dumpwatch.storage import Document

        doc = Document(content_sha256="ab" * 32)
        s.add(doc)
        s.flush()
        s.add(Alert(document_id=doc.id, corpus="c", source="s", url="http://x/1",
                    verdict="redistribution", records=3, payload=json.dumps({
                        "source": "s", "url": "http://x/1", "verdict": "redistribution",
                        "corpus": "c", "records": 3, "fields": ["phone"], "samples": []})))
        s.commit()
    with WebhookReceiver(fail_first=3) as hook:
        cfg = MonitorConfig(webhooks=[Webhook(url=hook.url)], delivery_backoff_seconds=0.05)
        assert deliver_pending(db, cfg) == 1
        assert deliver_pending(db, cfg) == 0  # nothing left to send
    assert hook.attempts == 4 and len(hook.received) == 1


def test_reformatted_repost_links_to_first_alert(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    with LocalSites() as sites:
        write_profiles(config, sites)
        text, _ids, ps = leak_text(950, 6)
        sites.paste.add("first", text)
        # the same records, re-formatted, on the forum
        sites.forum.add_thread("market", "repost", "reseller",
                               "\n".join(f"{p.phone} | {p.name}" for p in ps))
        for source in ("local-paste", "local-forum"):
            assert run_cli("--home", str(home), "--config", str(config), "crawl", source,
).returncode == 0
            assert_findings_reachable(home)
    db = open_database(home)
    with db.session() as s:
        from sqlmodel import select

        alerts = s.exec(select(Alert).order_by(Alert.id)).all()
    assert len(alerts) == 2
    assert alerts[0].repost_of is None and alerts[1].repost_of == alerts[0].id
    assert alerts[1].delivered_at is not None  # linked, never sent


def test_status_reports_sources(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    with LocalSites() as sites:
        write_profiles(config, sites)
        sites.paste.add("x", leak_text(990, 3)[0])
        run_cli("--home", str(home), "--config", str(config), "crawl", "local-paste")
    assert_findings_reachable(home)
    proc = run_cli("--home", str(home), "--config", str(config), "status", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    by_name = {r["name"]: r for r in data["sources"]}
    assert by_name["local-paste"]["last_status"] == "ok"
    assert by_name["local-paste"]["findings"] == 3 and data["alerts"] == 1
    assert by_name["onion-forum"]["last_run"] is None


@pytest.mark.parametrize("fault", ["timeout"])
def test_crawl_timeout_does_not_take_the_monitor_down(tmp_path: Path, fault: str) -> None:
    from dumpwatch.monitor import jobs

    proc_home = tmp_path / "home"
    proc_home.mkdir()
    config = tmp_path / "config"
    with LocalSites() as sites:
        write_profiles(config, sites, timeout=30)
        sites.paste.timeout_seconds = 20
        sites.paste.add("hang", "x", fault="slow")
        os.environ["DUMPWATCH_KEY"] = TEST_KEY
        t = time.monotonic()
        result = jobs.crawl_source(str(proc_home), str(config), "local-paste", 3)
        assert result["status"] == "timeout" and time.monotonic() - t < 15


def test_two_senders_at_once_deliver_once(tmp_path: Path) -> None:
    """Crawl jobs and housekeeping deliver from parallel threads: one alert, one POST."""
    import threading

    from dumpwatch.storage import Document

    db = open_database(tmp_path)
    with db.session() as s:
        doc = Document(content_sha256="cd" * 32)
        s.add(doc)
        s.flush()
        for i in range(5):
            s.add(Alert(document_id=doc.id, corpus=f"c{i}", source="s", url=f"http://x/{i}",
                        verdict="redistribution", records=1, payload=json.dumps({
                            "source": "s", "url": f"http://x/{i}", "verdict": "redistribution",
                            "corpus": f"c{i}", "records": 1, "fields": [], "samples": []})))
        s.commit()
    with WebhookReceiver() as hook:
        cfg = MonitorConfig(webhooks=[Webhook(url=hook.url)])
        threads = [threading.Thread(target=deliver_pending, args=(db, cfg)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(r["url"] for r in hook.received) == [f"http://x/{i}" for i in range(5)]


def test_demo_runs_offline_in_under_two_minutes(tmp_path: Path) -> None:
    started = time.monotonic()
    # as the README runs it: a home relative to the working directory
    proc = run_cli("--home", ".home", "demo", cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    assert elapsed < 120, elapsed
    assert proc.stdout.count("ALERT redistribution") == 6
    assert "What the monitor found" in proc.stdout and "6 alerts delivered" in proc.stderr
    # crawls stopped at the end are not failures; a source still crawling when its next
    # run is due is skipped quietly (a monitor event, not a console warning)
    assert "crawl_failed" not in proc.stderr and "running instances" not in proc.stderr
    # takedown: notices sent, at least one case moved from open to removed, report written
    assert "NOTICE XARF + DSA Art. 16" in proc.stdout and "TAKEN DOWN" in proc.stdout
    assert re.search(r"case \d+ · local-paste · KR · open → notified \(abuse@[\w.-]+\) → "
                     r"removed in \d+m\d\ds", proc.stdout), proc.stdout
    report = tmp_path / ".home" / "report.html"
    assert f"regulator report: {report}" in proc.stderr and "posts removed" in report.read_text()


def test_a_run_due_while_the_last_is_still_going_is_a_quiet_event(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """max_instances=1 skips the overlapping run: recorded as run_skipped at INFO, not
    APScheduler's WARNING on the operator's console every interval."""
    from apscheduler.triggers.interval import IntervalTrigger

    from dumpwatch.monitor.scheduler import build_scheduler

    sched = build_scheduler(tmp_path, 2)
    caplog.set_level(logging.INFO)
    sched.add_job("time:sleep", IntervalTrigger(seconds=0.3), args=[1.5], id="slow-source")
    sched.start()
    try:
        time.sleep(2.0)
    finally:
        sched.shutdown(wait=True)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not any("running instances" in r.getMessage() for r in warnings), warnings
    skipped = [json.loads(r.getMessage()) for r in caplog.records
               if r.name == "dumpwatch.monitor" and "run_skipped" in r.getMessage()]
    assert skipped and skipped[0]["job"] == "slow-source"
