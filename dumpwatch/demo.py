"""``dumpwatch demo``: the whole loop on this machine, no internet, no configuration.

Starts the local paste site, forum and .onion proxy, makes and ingests a synthetic
corpus, runs the real monitor (scheduled crawls in subprocesses) while the sites
publish new leak posts, prints alerts as the webhook receives them, then a summary.
"""

from __future__ import annotations

import os
import random
import shutil
import threading
import time
from pathlib import Path

from rich.console import Console

from dumpwatch.evaluation import LAYOUTS, person_row
from dumpwatch.synth import people, write_corpus_csv

CORPUS = "demo"


def _publisher(sites, corpus_size: int, stop: threading.Event, posts: int, gap: float) -> None:
    rng = random.Random(11)
    corpus = people(0, corpus_size)
    sites.paste.add("오늘의 잡담", "다들 주말 잘 보내세요. 날씨가 좋네요.\n")
    sites.forum.add_thread("market", "공지: 거래 규칙", "admin", "사기 거래 금지. 에스크로 이용.")
    plans = [
        ("paste", "csv_header", ("name", "phone", "email", "address", "order"), "clean", 25),
        ("forum", "post", ("name", "phone", "email"), "masked", 6),
        ("onion", "jsonl", ("name", "phone", "address"), "typo_name", 12),
        ("members", "pipe", ("name", "phone", "email"), "clean", 8),
        ("paste", "sql", ("name", "phone", "email"), "clean", 15),
        ("forum", "post", ("name", "phone"), "clean", 5),
    ]
    for kind, layout, shape, perturb, n in plans[:posts]:
        if stop.wait(gap):
            return
        rows = [person_row(p, shape, rng, perturb) for p in rng.sample(corpus, n)]
        text = LAYOUTS[layout](rows, rng)
        if kind == "paste":
            sites.paste.add(f"KR shop db {layout}", text, author="dbking")
        elif kind == "onion":
            sites.paste.add("fresh kr combo", text, author="anon")
        elif kind == "members":
            sites.forum.add_thread("members", "VIP 샘플 (회원 전용)", "vip_seller",
                                   text + "\n텔레그램 @vipdb_kr")
        else:
            sites.forum.add_thread("market", "쿠팡 고객 DB 판매합니다", "coupang_seller",
                                   text + "\n문의 텔레그램 @fresh_kr_db")


def run_demo(home: Path, key_source: str, records: int = 50_000, seconds: float = 45,
             every: float = 4, console: Console | None = None) -> dict:
    from crawler.profiles import load_sources
    from dumpwatch.monitor.config import MonitorConfig, Webhook, save_effective_config
    from dumpwatch.monitor.scheduler import run_monitor
    from dumpwatch.queries import demo_summary
    from dumpwatch.testsites import LocalSites
    from dumpwatch.testsites.profiles import write_profiles
    from dumpwatch.testsites.webhook import WebhookReceiver
    from matcher.index import list_corpora
    from matcher.ingest import add_corpus
    from matcher.keys import load_key

    out = console or Console()
    started = time.monotonic()
    from dumpwatch.storage.models import utcnow

    began = utcnow()
    for stale in ("dumpwatch.db", "dumpwatch.db-wal", "dumpwatch.db-shm", "jobs.db",
                  "alerts.log", "monitor.json", "locks", "config"):
        path = home / stale
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    key = load_key()
    if not any(m.name == CORPUS for m in list_corpora(home)):
        src = home / "synthetic-customers.csv"
        out.print(f"[bold]1.[/] {records:,} synthetic customers, ingested as keyed hashes "
                  f"(key: {key_source})")
        write_corpus_csv(src, records)
        add_corpus(home, CORPUS, src, key)
        src.unlink()  # the plaintext is gone; only the index remains
    else:
        out.print(f"[bold]1.[/] corpus '{CORPUS}' already ingested")
    os.environ.setdefault("DUMPWATCH_FORUM_USER", "watcher")
    os.environ.setdefault("DUMPWATCH_FORUM_PASS", "s3cret-pass")
    from dumpwatch.testsites.takedown import (
        NoticeDesk,
        SmtpSink,
        registry,
        write_takedown_config,
    )

    with LocalSites() as sites, WebhookReceiver() as hook, registry() as rdap, \
            SmtpSink() as smtp:
        config = home / "config"
        write_profiles(config, sites, every=every / 60)
        write_takedown_config(config, rdap, smtp.port, "auto_open: true\nauto_send: true\n")
        desk = NoticeDesk(sites, smtp, on_notice=lambda url, to: out.print(
            f"  [yellow]NOTICE[/] XARF + DSA Art. 16 + 삭제요청 for {url} → {to}"),
            on_removed=lambda url: out.print(f"  [green]TAKEN DOWN[/] by the site: {url}"))
        sources = load_sources(config)
        out.print(f"[bold]2.[/] local sites up: paste {sites.paste_server.url}, forum "
                  f"{sites.forum_server.url}, .onion mirrors via SOCKS5 127.0.0.1:"
                  f"{sites.socks.port}")
        out.print(f"[bold]3.[/] monitor running {len(sources)} sources every {every:g}s for "
                  f"{seconds:g}s while new leak posts appear…\n")

        def show(alert: dict) -> None:
            samples = "; ".join(alert.get("samples", [])[:2])
            out.print(f"  [red]ALERT[/] {alert['verdict']} · {alert['records']} records "
                      f"({', '.join(alert['fields'])}) · {alert['source']} · {alert['url']}"
                      f" · seller {alert.get('seller') or '?'}"
                      f"{' · ' + alert['contact'] if alert.get('contact') else ''}\n"
                      f"        e.g. {samples}")

        hook.on_alert = show
        cfg = MonitorConfig(webhooks=[Webhook(url=hook.url)], delivery_backoff_seconds=0.2)
        save_effective_config(home, cfg)
        stop = threading.Event()
        publisher = threading.Thread(target=_publisher, args=(
            sites, records, stop, 6, max(2.0, seconds / 8)), daemon=True)
        publisher.start()
        timer = threading.Timer(seconds, stop.set)
        timer.start()
        try:
            with desk:
                run_monitor(home, config.resolve(), sources, cfg, every=every, stop=stop)
        finally:
            stop.set()
            timer.cancel()
        from dumpwatch.monitor.jobs import deliver

        deliver(str(home), str(config))  # anything found in the last cycle
        from dumpwatch.cases.recheck import recheck_home

        recheck_home(home, config)  # one last look at the notified posts
    summary = demo_summary(home)
    summary["cases"], summary["report"] = _takedown_summary(home, config, began)
    summary["alerts_received"] = len(hook.received)
    summary["seconds"] = round(time.monotonic() - started, 1)
    return summary


def _takedown_summary(home: Path, config: Path, began) -> tuple[list[dict], str]:
    """Each case's path (open → notified → removed) and the regulator's report."""
    from datetime import timedelta

    from dumpwatch.cases.service import Cases
    from dumpwatch.regulator import build_report, profile_domains, render_html
    from dumpwatch.storage import open_database
    from dumpwatch.storage.models import utcnow

    db = open_database(home)
    try:
        cases = [c.model_dump() for c in Cases(db, config).list()]
        now = utcnow()
        report = build_report(db, began - timedelta(minutes=1), now + timedelta(minutes=1),
                              profile_domains(config))
    finally:
        db.dispose()
    path = home / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return cases, str(path)
