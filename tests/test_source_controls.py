"""Admin controls over sources, end to end: a running monitor (``dumpwatch run``) over the
local paste site obeys "run now", disable, enable and retention set from the web (as an
admin) and from the CLI (as the OS user), and every change is in the audit log."""

from __future__ import annotations

import re
import signal
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import select

from dumpwatch.accounts import add_user, audit_log, issue_token
from dumpwatch.monitor.scheduler import next_runs
from dumpwatch.storage import CrawlRequest, RetainedText, open_database
from dumpwatch.storage.models import utcnow
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from dumpwatch.testsites.webhook import WebhookReceiver
from dumpwatch.web import create_app
from tests.conftest import findings_by_url, run_cli
from tests.test_monitor import crawl_runs, leak_text, only_paste, start_monitor, wait_for


def _admin_session(client: TestClient) -> str:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"name": "root", "password": "admin-pass-12",
                                    "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    return re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text).group(1)


def _retained(home: Path) -> list[RetainedText]:
    db = open_database(home)
    with db.session() as s:
        rows = list(s.exec(select(RetainedText)))
    db.dispose()
    return rows


def test_monitor_obeys_run_now_disable_enable_and_retention(tmp_path: Path,
                                                           home: Path) -> None:
    config = tmp_path / "config"
    cli = ("--home", str(home), "--config", str(config))
    with LocalSites() as sites, WebhookReceiver() as hook:
        write_profiles(config, sites)
        only_paste(config)
        (config / "monitor.yaml").write_text("control_poll_seconds: 0.5\n")
        sites.paste.add("hello", "nothing to see")
        db = open_database(home)
        add_user(db, "root", "admin", "admin-pass-12")
        token = {"authorization": f"Bearer {issue_token(db, 'root')}"}
        monitor = start_monitor(home, config, hook.url, every=3600)  # no scheduled 2nd run
        try:
            assert wait_for(lambda: crawl_runs(home) >= 1, 30), "the first scheduled crawl"
            with TestClient(create_app(home, config), base_url="http://127.0.0.1") as web:
                csrf = _admin_session(web)
                # retention from the web: the next crawl keeps page text (encrypted) 7 days
                r = web.post("/sources/local-paste/retention", data={"days": "7"},
                             headers={"x-csrf-token": csrf}, follow_redirects=False)
                assert r.status_code == 303 and "error" not in r.headers["location"]
                text, ids, _ = leak_text(900, 6)
                sites.paste.add("coupang run-now 6", text, author="seller9")
                # run now from the web: the monitor claims it and crawls at once
                r = web.post("/sources/local-paste/run", headers={"x-csrf-token": csrf},
                             follow_redirects=False)
                assert r.status_code == 303
                assert "run queued" in web.get("/sources").text
                assert wait_for(lambda: crawl_runs(home) >= 2, 30), "run now was not obeyed"
                urls = findings_by_url(home)
                assert [u for u in urls if u.endswith("/raw/p00002")], urls
                assert set(urls[next(u for u in urls if u.endswith("/raw/p00002"))]) == ids
                kept = _retained(home)
                assert kept and all(
                    (k.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None))
                    .days >= 6 for k in kept)
                with db.session() as s:
                    req = s.exec(select(CrawlRequest)).one()
                assert (req.status, req.requested_by) == ("dispatched", "root")

                # disable from the CLI: the monitor drops the job; run now is refused
                out = run_cli(*cli, "sources", "disable", "local-paste")
                assert out.returncode == 0, out.stderr
                assert wait_for(lambda: "local-paste" not in next_runs(home), 10)
                refused = web.post("/api/v1/sources/local-paste/run", headers=token)
                assert refused.status_code == 409 and "disabled" in refused.text
                assert run_cli(*cli, "sources", "run-now", "local-paste").returncode == 2
                listed = run_cli(*cli, "sources", "--json")
                assert '"enabled": false' in listed.stdout and '"override": true' in listed.stdout

                # enable through the API: scheduled again, and crawled straight away
                runs = crawl_runs(home)
                on = web.post("/api/v1/sources/local-paste/enabled", json={"enabled": True},
                              headers=token)
                assert on.status_code == 200 and on.json()["enabled"] is True
                assert wait_for(lambda: crawl_runs(home) >= runs + 1, 30)
                assert "local-paste" in next_runs(home)

                # retention 0 from the CLI cuts the windows of text already kept
                out = run_cli(*cli, "sources", "retention", "local-paste", "0")
                assert out.returncode == 0 and "pages shortened" in out.stderr, out.stderr
                now = utcnow().replace(tzinfo=None)
                assert all(k.expires_at.replace(tzinfo=None) <= now for k in _retained(home))
        finally:
            monitor.send_signal(signal.SIGTERM)
            _out, err = monitor.communicate(timeout=30)
        assert monitor.returncode == 0, err
    assert '"run_now"' in (home / "monitor.log").read_text()
    entries = [(a.actor, a.action, a.target, a.outcome) for a in reversed(audit_log(db))]
    db.dispose()
    me = _os_actor()
    assert [e for e in entries if e[1].startswith("source_")] == [
        ("root", "source_retention", "source:local-paste", "ok"),
        ("root", "source_run", "source:local-paste", "ok"),
        (me, "source_disable", "source:local-paste", "ok"),
        ("root", "source_run", "source:local-paste", "refused"),
        (me, "source_run", "source:local-paste", "refused"),
        ("root", "source_enable", "source:local-paste", "ok"),
        (me, "source_retention", "source:local-paste", "ok"),
    ]


def _os_actor() -> str:
    import getpass
    return f"cli:{getpass.getuser()}"


def test_controls_refuse_unknown_sources_and_bad_days(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "sources").mkdir(parents=True)
    (config / "sources" / "p.yaml").write_text(
        "name: p\nkind: paste\nbase_url: http://127.0.0.1:9\nlisting:\n  urls: [/archive]\n"
        "  item_links: a.paste\n  item_id: /view/(?P<id>\\w+)\nraw_url: /raw/{id}\n")
    cli = ("--home", str(tmp_path / "h"), "--config", str(config))
    out = run_cli(*cli, "sources", "disable", "nope")
    assert out.returncode == 2 and "no source named 'nope'" in out.stderr
    out = run_cli(*cli, "sources", "retention", "--", "p", "-1")
    assert out.returncode == 2 and "0 to 3650 days" in out.stderr
    out = run_cli(*cli, "sources", "retention", "p", "99999")
    assert out.returncode == 2 and "0 to 3650 days" in out.stderr
    assert run_cli(*cli, "sources", "reset", "p").returncode == 0
