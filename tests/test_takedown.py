"""Takedown cases step by step, and what happens when a step cannot be done: RDAP or
SMTP unreachable, a malformed template. Real servers on 127.0.0.1 throughout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from dumpwatch.testsites.smtp import SmtpSink
from dumpwatch.testsites.webhook import WebhookReceiver
from tests.conftest import run_cli
from tests.takedown_helpers import (
    HOSTING_ABUSE,
    REGISTRAR_ABUSE,
    registry,
    sale_post,
    takedown_config,
)


@dataclass
class World:
    home: Path
    config: Path
    sites: LocalSites
    rdap: object
    smtp: SmtpSink
    url: str

    def cli(self, *args: str):
        return run_cli("--home", str(self.home), "--config", str(self.config), *args)

    def case(self, case_id: int = 1) -> dict:
        return json.loads(self.cli("takedown", "show", str(case_id), "--json").stdout)


@contextmanager
def world(tmp_path: Path, home: Path, start: int = 3000, extra: str = "") -> Iterator[World]:
    config = tmp_path / "config"
    with LocalSites() as sites, registry() as rdap, SmtpSink() as smtp:
        write_profiles(config, sites)
        takedown_config(config, rdap, smtp.port, extra)
        text, _ = sale_post(start, 6)
        post = sites.paste.add("DB 판매", text, author="seller")
        w = World(home, config, sites, rdap, smtp, f"{sites.paste_server.url}/raw/{post.id}")
        assert w.cli("crawl", "local-paste").returncode == 0
        yield w


def one_line_error(proc) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


def test_open_send_and_close_record_every_step(tmp_path: Path, home: Path) -> None:
    with world(tmp_path, home) as w:
        opened = w.cli("takedown", "open", w.url)
        assert opened.returncode == 0, opened.stderr
        assert f"contact {REGISTRAR_ABUSE} (rdap-domain) · country KR" in opened.stdout
        again = w.cli("takedown", "open", w.url)
        assert "already has a case" in one_line_error(again)
        sent = w.cli("takedown", "send", "1")
        assert sent.returncode == 0, sent.stderr
        assert len(w.smtp.received) == 1
        closed = w.cli("takedown", "close", "1", "--reason", "handed to police")
        assert closed.returncode == 0
    data = w.case()
    assert data["case"]["status"] == "closed"
    assert [(e["action"], e["outcome"]) for e in data["events"]] == [
        ("open", "ok"), ("contact", "ok"), ("send", "ok"), ("close", "ok")]
    assert data["events"][-1]["detail"] == "handed to police"
    (notice,) = data["notices"]
    assert notice["status"] == "sent" and notice["recipient"] == REGISTRAR_ABUSE
    listed = w.cli("takedown", "list", "--status", "closed").stdout
    assert "closed" in listed and "local-paste" in listed
    # the same steps in the audit log the dashboard shows, by the OS user from the CLI
    import getpass

    from dumpwatch.accounts import audit_log
    from dumpwatch.storage import open_database

    db = open_database(home)
    steps = [(a.actor, a.action, a.target, a.outcome) for a in reversed(audit_log(db))]
    db.dispose()
    me = f"cli:{getpass.getuser()}"
    assert steps == [(me, "case_open", "case:1", "ok"),
                     (me, "case_open", w.url, "failed"),
                     (me, "case_send", "case:1", "ok"), (me, "case_close", "case:1", "ok")]


def test_smtp_unreachable_leaves_the_case_intact_and_retriable(tmp_path: Path, home: Path
                                                               ) -> None:
    with world(tmp_path, home) as w:
        assert w.cli("takedown", "open", w.url).returncode == 0
        port = w.smtp.port
        w.smtp.__exit__()
        line = one_line_error(w.cli("takedown", "send", "1"))
        assert f"SMTP server 127.0.0.1:{port} unreachable" in line
        assert w.case()["case"]["status"] == "open"
        with SmtpSink(port=port) as smtp:
            assert w.cli("takedown", "send", "1").returncode == 0
            assert len(smtp.received) == 1
        w.smtp.__enter__()  # so the context manager can stop it
    data = w.case()
    assert data["case"]["status"] == "notified"
    assert [(e["action"], e["outcome"]) for e in data["events"]][-2:] == [
        ("send", "failed"), ("send", "ok")]
    assert [n["status"] for n in data["notices"]] == ["failed", "sent"]


def test_rdap_unreachable_is_one_line_and_retriable(tmp_path: Path, home: Path) -> None:
    with world(tmp_path, home) as w:
        w.rdap.__exit__()
        opened = w.cli("takedown", "open", w.url)
        assert opened.returncode == 0  # the case is open; the contact is looked up again
        assert "no answer from the RDAP server" in opened.stderr
        line = one_line_error(w.cli("takedown", "send", "1"))
        assert "RDAP lookup" in line and "no answer from the RDAP server" in line
        assert w.case()["case"]["status"] == "open" and not w.smtp.received
        w.rdap.server = type(w.rdap.server)(w.rdap, port=w.rdap.server.port).start()
        sent = w.cli("takedown", "send", "1")
        assert sent.returncode == 0, sent.stderr
    assert w.smtp.received[0].recipients == [REGISTRAR_ABUSE]


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("dsa.txt.j2", "Notice for {{ case.url }\n", "config/notices/dsa.txt.j2:1: unexpected"),
    ("kr.txt.j2", "{% for x in samples %}\n삭제요청\n", "config/notices/kr.txt.j2:"),
    ("xarf.json.j2", '{"category": "content", "type": "exposed_data", "source_identifier":'
                     ' "x", "reporter": {{ reporter | tojson }}, "sender": {{ reporter | '
                     'tojson }}, "url": {{ case.url | tojson }}, "data_types": ["bogus"], '
                     '"exposure_method": "paste_site"}', "XARF notice is invalid"),
])
def test_a_malformed_template_is_one_line_and_the_case_stays(
        tmp_path: Path, home: Path, name: str, text: str, expected: str) -> None:
    with world(tmp_path, home) as w:
        assert w.cli("takedown", "open", w.url).returncode == 0
        (w.config / "notices").mkdir()
        (w.config / "notices" / name).write_text(text)
        assert expected in one_line_error(w.cli("takedown", "send", "1"))
        assert not w.smtp.received
        (w.config / "notices" / name).unlink()  # fixed: the same command now works
        assert w.cli("takedown", "send", "1").returncode == 0
    events = [(e["action"], e["outcome"]) for e in w.case()["events"]]
    assert ("render", "failed") in events and events[-1] == ("send", "ok")


def test_user_template_overrides_the_default(tmp_path: Path, home: Path) -> None:
    with world(tmp_path, home) as w:
        assert w.cli("takedown", "open", w.url).returncode == 0
        (w.config / "notices").mkdir()
        (w.config / "notices" / "subject.txt.j2").write_text(
            "[{{ case.ref }}] 개인정보 게시물 삭제요청 {{ case.url }}\n")
        shown = w.cli("takedown", "show", "1", "--notice")
    assert shown.stdout.startswith(f"Subject: [DW-00001] 개인정보 게시물 삭제요청 {w.url}")


def test_profile_contact_and_webhook_channel(tmp_path: Path, home: Path) -> None:
    with WebhookReceiver() as hook, world(tmp_path, home) as w:
        profile = w.config / "sources" / "local-paste.yaml"
        profile.write_text(profile.read_text() + f"  webhook: {hook.url}\n")
        assert w.cli("takedown", "open", w.url).returncode == 0
        sent = w.cli("takedown", "send", "1", "--via", "webhook")
        assert sent.returncode == 0, sent.stderr
    (body,) = hook.received
    assert body["case"] == "DW-00001" and body["url"] == w.url
    assert body["xarf"]["type"] == "exposed_data" and "bona fide" in body["notice"]


def test_onion_post_goes_to_law_enforcement_without_rdap(tmp_path: Path, home: Path) -> None:
    with world(tmp_path, home) as w:
        profile = w.config / "sources" / "onion-paste.yaml"
        socks = f"tor_socks: 127.0.0.1:{w.sites.socks.port}"
        profile.write_text(profile.read_text().replace("tor_socks: 127.0.0.1:9150", socks))
        text, _ = sale_post(3100, 6)
        post = w.sites.paste.add("onion DB", text)
        assert w.cli("crawl", "onion-paste").returncode == 0
        onion_url = f"http://{LocalSites.PASTE_ONION}/raw/{post.id}"
        before = len(w.rdap.requests)
        opened = w.cli("takedown", "open", onion_url)
        assert opened.returncode == 0, opened.stderr
        assert "contact cyber@police.test (law-enforcement) · country onion" in opened.stdout
        assert len(w.rdap.requests) == before  # an .onion host has no RDAP
        w.sites.paste.remove(post.id)
        rechecked = w.cli("takedown", "recheck", "1")  # fetched through the SOCKS proxy
        assert "case 1: removed (HTTP 404)" in rechecked.stdout, rechecked.stderr
    assert any(r.host == LocalSites.PASTE_ONION for r in w.sites.socks.requests)


def test_edited_post_without_the_records_counts_as_removed(tmp_path: Path, home: Path
                                                           ) -> None:
    with world(tmp_path, home) as w:
        assert w.cli("takedown", "open", w.url).returncode == 0
        assert "case 1: online (unchanged)" in w.cli("takedown", "recheck").stdout
        w.sites.paste.pastes[-1].text = "이 게시물은 운영자에 의해 삭제되었습니다."
        assert "case 1: removed (matched content gone)" in w.cli("takedown", "recheck").stdout
    case = w.case()["case"]
    assert case["status"] == "removed" and case["time_to_removal_s"] > 0


def test_repost_of_a_removed_dump_reopens_the_case(tmp_path: Path, home: Path) -> None:
    with world(tmp_path, home) as w:
        assert w.cli("takedown", "open", w.url).returncode == 0
        w.sites.paste.remove(w.sites.paste.pastes[-1].id)
        assert "removed" in w.cli("takedown", "recheck").stdout
        _text, ps = sale_post(3000, 6)
        reformatted = "\n".join(f"{p.phone} | {p.name}" for p in ps[:5])  # a slice, re-laid
        repost = w.sites.paste.add("again", reformatted)
        assert w.cli("crawl", "local-paste").returncode == 0
        out = w.cli("takedown", "recheck").stdout
        assert "case 1: online" in out, out
        assert w.cli("takedown", "open", "--all").stderr.strip() == "no new cases"
    data = w.case()
    assert data["case"]["status"] == "open" and data["case"]["reopened"] == 1
    assert data["case"]["url"].endswith(f"/raw/{repost.id}")
    reopen = next(e for e in data["events"] if e["action"] == "reopen")
    assert w.url in reopen["detail"]
    # the first removal stays on the record for the report
    figures = json.loads(w.cli("report", "--json").stdout)
    assert figures["total"]["removed"] == 1 and figures["total"]["detected"] == 2
    assert figures["total"]["online"] == 1


def test_report_arguments_and_outputs(tmp_path: Path, home: Path) -> None:
    def cli(*a):
        return run_cli("--home", str(home), "--config", str(tmp_path), *a)
    assert "--from must be before --to" in one_line_error(
        cli("report", "--from", "2026-12-02", "--to", "2026-12-01"))
    assert "use a date like" in one_line_error(cli("report", "--from", "yesterday"))
    pdf = tmp_path / "r.pdf"
    html = tmp_path / "r.html"
    out = cli("report", "--pdf", str(pdf), "--html", str(html))
    assert out.returncode == 0, out.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and "No leak posts" in html.read_text()


def test_hosting_abuse_contact_when_the_registrar_has_none(tmp_path: Path, home: Path
                                                          ) -> None:
    with world(tmp_path, home) as w:
        w.rdap.domains.clear()
        opened = w.cli("takedown", "open", w.url)
    assert f"contact {HOSTING_ABUSE} (rdap-ip)" in opened.stdout, opened.stderr


def test_members_only_post_is_unreachable_not_removed(tmp_path: Path, home: Path) -> None:
    """A re-check without the crawler's session sees a login form: that says nothing
    about the post, so the case stays online."""
    with world(tmp_path, home) as w:
        text, _ = sale_post(3200, 6)
        thread = w.sites.forum.add_thread("members", "VIP DB", "vip", text)
        assert w.cli("crawl", "local-forum").returncode == 0
        cases = json.loads("[" + ",".join(
            w.cli("takedown", "list", "--json").stdout.splitlines()) + "]")
        assert cases == []  # nothing opened yet
        opened = w.cli("takedown", "open", "--all")
        assert opened.returncode == 0, opened.stderr
        forum_case = next(json.loads(line) for line in w.cli(
            "takedown", "list", "--json").stdout.splitlines()
            if f"/thread/{thread.id}" in json.loads(line)["url"])
        out = w.cli("takedown", "recheck", str(forum_case["id"])).stdout
    assert "unreachable (login required" in out, out
    assert w.case(forum_case["id"])["case"]["status"] == "open"


def test_registrable_domain_and_contact_order(tmp_path: Path) -> None:
    from crawler.profiles import Takedown
    from dumpwatch.cases.config import Rdap
    from dumpwatch.cases.rdap import find_contact, registrable_domain
    from dumpwatch.errors import ContactLookupError

    assert registrable_domain("a.b.shop.co.kr") == "shop.co.kr"
    assert registrable_domain("paste.dumpwatch.test") == "dumpwatch.test"
    with registry() as rdap:
        cfg = Rdap(bootstrap=rdap.write_bootstrap(tmp_path / "b.json"), allow_insecure=True)
        # the profile's own contact wins; RDAP still gives the hosting country
        c = find_contact("http://paste.dumpwatch.test/raw/1",
                         Takedown(contact="ts@paste.test", hosting_ip="211.43.1.1"), cfg)
        assert (c.email, c.origin, c.country) == ("ts@paste.test", "profile", "KR")
        assert rdap.requests == ["/ip/211.43.1.1"]
    with pytest.raises(ContactLookupError, match="a private address has no RDAP record"):
        find_contact("http://127.0.0.1:9/raw/1", Takedown(), cfg)


def test_iana_bootstrap_is_read_from_the_weekly_cache(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a configured bootstrap, a fresh cached copy is used (no download)."""
    from crawler.profiles import Takedown
    from dumpwatch.cases.config import Rdap
    from dumpwatch.cases.rdap import bootstrap_cache, find_contact

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with registry() as rdap:
        rdap.write_bootstrap(bootstrap_cache())
        c = find_contact("http://paste.dumpwatch.test/raw/1",
                         Takedown(hosting_ip="211.43.1.1"), Rdap(allow_insecure=True))
    assert (c.email, c.country) == (REGISTRAR_ABUSE, "KR")
