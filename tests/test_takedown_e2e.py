"""Acceptance: from a sale post on the local paste site to a removed post in the
regulator's report — real monitor, real RDAP and SMTP servers on 127.0.0.1."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import xarf

from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from dumpwatch.testsites.smtp import SmtpSink
from dumpwatch.testsites.webhook import WebhookReceiver
from tests.conftest import database_contents, run_cli
from tests.takedown_helpers import (
    PASTE_DOMAIN,
    PASTE_IP,
    REGISTRAR_ABUSE,
    plaintexts,
    registry,
    sale_post,
    takedown_config,
)
from tests.test_monitor import only_paste, start_monitor, wait_for


def cases(home: Path, config: Path) -> list[dict]:
    out = run_cli("--home", str(home), "--config", str(config), "takedown", "list", "--json")
    return [json.loads(line) for line in out.stdout.splitlines()] if out.returncode == 0 else []


def test_sale_post_is_noticed_removed_and_reported(tmp_path: Path, home: Path) -> None:
    config = tmp_path / "config"
    with LocalSites() as sites, registry() as rdap, SmtpSink() as smtp, \
            WebhookReceiver() as hook:
        write_profiles(config, sites)
        only_paste(config)
        takedown_config(config, rdap, smtp.port, "auto_open: true\nauto_send: true\n")
        sites.paste.add("hello", "nothing to see here")
        text, ps = sale_post(1200, 8)
        monitor = start_monitor(home, config, hook.url, every=2)
        try:
            post = sites.paste.add("쿠팡 고객 DB 판매", text, author="cp_seller")
            assert wait_for(lambda: len(smtp.received) >= 1, 90), monitor.stderr
            opened = cases(home, config)
            assert [c["status"] for c in opened] == ["notified"]
            sites.paste.remove(post.id)  # the site acts on the notice
            assert wait_for(lambda: [c["status"] for c in cases(home, config)] == ["removed"],
                            60)
        finally:
            monitor.send_signal(signal.SIGTERM)
            monitor.communicate(timeout=30)
    # the case: contact from the local RDAP registry, country from the hosting network
    (case,) = cases(home, config)
    assert case["url"].endswith(f"/raw/{post.id}") and case["records"] == 8
    assert case["contact_email"] == REGISTRAR_ABUSE and case["contact_origin"] == "rdap-domain"
    assert case["domain"] == PASTE_DOMAIN and case["hosting_ip"] == PASTE_IP
    assert case["country"] == "KR"
    assert f"/ip/{PASTE_IP}" in rdap.requests and "/domain/dumpwatch.test" in rdap.requests
    assert 0 < case["time_to_removal_s"] < 120
    assert case["notice_to_removal_s"] <= case["time_to_removal_s"]
    shown = json.loads(run_cli("--home", str(home), "--config", str(config), "takedown",
                               "show", str(case["id"]), "--json").stdout)
    steps = [(e["action"], e["outcome"]) for e in shown["events"]]
    assert steps[:3] == [("open", "ok"), ("contact", "ok"), ("send", "ok")]
    assert steps[-1] == ("recheck", "removed")
    assert all(e["actor"] == "monitor" and e["at"] for e in shown["events"])

    # the notice as the SMTP server received it
    (mail,) = smtp.received
    assert mail.recipients == [REGISTRAR_ABUSE]
    msg = mail.message()
    body = msg.get_body(("plain",)).get_content()
    attachment = next(p for p in msg.iter_attachments() if p.get_filename() == "xarf.json")
    parsed = xarf.parse(attachment.get_content().decode("utf-8")
                        if isinstance(attachment.get_content(), bytes)
                        else attachment.get_content())
    assert parsed.errors == [] and parsed.report is not None
    report = parsed.report.model_dump(mode="json", exclude_none=True)
    assert report["category"] == "content" and report["type"] == "exposed_data"
    assert report["url"] == case["url"] and report["record_count"] == 8
    assert report["source_identifier"] == PASTE_IP and report["country_code"] == "KR"
    # DSA Art. 16(2): exact URL, reasons, name + e-mail, good faith; automated means
    assert case["url"] in body and "8 customers of" in body
    assert "Kim Minji" in body and "privacy-desk@shop.test" in body
    assert "bona fide belief" in body and "automated means" in body
    assert "개인정보 보호법" in body and "정보통신망법" in body and "삭제" in body
    assert "@cp_db_seller" in body  # the seller's handle, not a customer's data
    assert "offered for sale at 3,000,000 KRW" in body  # from the listing extraction
    assert "the seller claims 33,700,000 records" in body
    assert max(len(line) for line in body.splitlines()) <= 100, body  # reads in any mail client

    # the regulator's report counts it
    day = datetime.now(UTC).date()
    html = tmp_path / "report.html"
    out = run_cli("--home", str(home), "--config", str(config), "report", "--from",
                  str(day - timedelta(days=1)), "--to", str(day), "--html", str(html), "--json")
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    (row,) = figures["rows"]
    assert (row["platform"], row["domain"], row["country"]) == ("local-paste", PASTE_DOMAIN,
                                                                 "KR")
    assert (row["detected"], row["records"], row["notices"], row["removed"], row["online"]) \
        == (1, 8, 1, 1, 0)
    assert row["median_ttr_s"] == row["p90_ttr_s"] == case["time_to_removal_s"]
    page = html.read_text()
    assert PASTE_DOMAIN in page and "data:image/png;base64," in page

    exports = []
    for fmt in ("jsonl", "csv", "stix", "misp"):
        path = tmp_path / f"export.{fmt}"
        done = run_cli("--home", str(home), "export", "--format", fmt, "--out", str(path))
        assert done.returncode == 0 and path.stat().st_size > 0, done.stderr
        exports.append((path.name, path.read_bytes()))

    # no plaintext of a posted record in any byte of the home, the notice, the exports
    # or the report
    files = [p for p in home.rglob("*") if p.is_file()]
    blobs = [("smtp", mail.raw), ("report.html", html.read_bytes()),
             ("report.json", out.stdout.encode()), *exports,
             *((str(f), f.read_bytes()) for f in files),
             ("database", database_contents(home))]  # on PostgreSQL not under the home
    for needle in plaintexts(ps):
        for where, blob in blobs:
            assert needle not in blob, (where, needle.decode())
