"""Several processes writing one database at once, on SQLite and on PostgreSQL: identical
content is stored once, re-posts stored at the same moment join one dump and link to one
first alert, and alerts claimed by racing senders are sent once.

Each child process draws its synthetic records itself (``people(start, n)``), so no record
travels through a file or a pipe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import func, select

from dumpwatch.storage import Alert, Document, Dump, DumpPost, Finding, Sighting, open_database
from dumpwatch.testsites.webhook import WebhookReceiver
from tests.conftest import TEST_KEY

_STORE = """
import sys, time
from pathlib import Path
from crawler.items import DocumentItem
from crawler.pipelines.matching import MatchPipeline
from crawler.profiles import Source
from crawler.state import CrawlState
from dumpwatch.storage import open_database
from dumpwatch.synth import people
from matcher.keys import load_key
from matcher.scan import Scanner

home, start, worker, layout = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]
src = Source(name="race", kind="paste", base_url="http://127.0.0.1:9/",
             listing={"urls": ["/"]}, raw_url="/raw/{id}")
db = open_database(home)
key = load_key()
pipe = MatchPipeline(home, src, db, CrawlState(db, "race"), Scanner(home, key), key)
pipe.stats = type("Stats", (), {"inc_value": lambda *a, **k: None})()
docs = []
for d in range(3):
    ps = people(5000 + 100 * d, 12)
    if layout == "same":
        text = "\\n".join(f"{p.name},{p.phone},{p.email}" for p in ps)
    else:  # the same records re-formatted differently by each worker
        sep = [" | ", "\\t", " ; ", " / "][int(worker)]
        text = "\\n".join(f"{p.email}{sep}{p.name}{sep}{p.phone}" for p in ps)
    docs.append(DocumentItem(source="race", url=f"http://127.0.0.1:9/{worker}/{d}", text=text))
while time.time() < start:
    time.sleep(0.001)
for item in (docs if layout == "same" else docs[:1]):
    pipe.process_item(item)
db.dispose()
"""


def _race(script: str, home: Path, env: dict[str, str], *args: list[str]) -> None:
    full_env = {**os.environ, "DUMPWATCH_KEY": TEST_KEY, **env}
    start = time.time() + 3.0  # every child is past its imports and index load by then
    procs = [subprocess.Popen([sys.executable, "-c", script, str(home), str(start), *a],
                              env=full_env, stderr=subprocess.PIPE, text=True) for a in args]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), errors


def _open(home: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DUMPWATCH_DB_URL", env["DUMPWATCH_DB_URL"])
    return open_database(home)


def test_four_workers_store_the_same_documents_once(home: Path, db_env: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _race(_STORE, home, db_env, *[[str(w), "same"] for w in range(4)])
    db = _open(home, db_env, monkeypatch)
    with db.session() as s:
        assert s.exec(select(func.count(Document.id))).one() == 3
        assert s.exec(select(func.count(Sighting.id))).one() == 12  # 4 places x 3 documents
        assert s.exec(select(func.count(Finding.id))).one() == 36  # 12 records x 3, once each
        assert s.exec(select(func.count(Alert.id))).one() == 3
    db.dispose()


def test_reposts_stored_at_once_link_to_one_first_alert(home: Path, db_env: dict[str, str],
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    _race(_STORE, home, db_env, *[[str(w), "reformatted"] for w in range(4)])
    db = _open(home, db_env, monkeypatch)
    with db.session() as s:
        alerts = s.exec(select(Alert).order_by(Alert.id)).all()
        dumps = s.exec(select(Dump)).all()
        posts = s.exec(select(func.count(DumpPost.id))).one()
    db.dispose()
    assert len(dumps) == 1 and dumps[0].posts == posts == 4  # one dump, re-posted three times
    assert len(alerts) == 4
    firsts = [a for a in alerts if a.repost_of is None]
    assert len(firsts) == 1
    assert all(a.repost_of == firsts[0].id for a in alerts if a is not firsts[0])


_DELIVER = """
import sys, time
from pathlib import Path
from dumpwatch.alerts import deliver_pending
from dumpwatch.monitor.config import MonitorConfig, Webhook
from dumpwatch.storage import open_database
home, start, hook = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
db = open_database(home)
while time.time() < start:
    time.sleep(0.001)
deliver_pending(db, MonitorConfig(webhooks=[Webhook(url=hook)]))
db.dispose()
"""


def test_four_sender_processes_deliver_each_alert_once(tmp_path: Path, db_env: dict[str, str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = _open(tmp_path, db_env, monkeypatch)
    with db.session() as s:
        doc = Document(content_sha256="ef" * 32)
        s.add(doc)
        s.flush()
        for i in range(30):
            s.add(Alert(document_id=doc.id, corpus=f"c{i}", source="s", url=f"http://x/{i}",
                        verdict="redistribution", records=1, payload=json.dumps({
                            "source": "s", "url": f"http://x/{i}", "verdict": "redistribution",
                            "corpus": f"c{i}", "records": 1, "fields": [], "samples": []})))
        s.commit()
    db.dispose()
    with WebhookReceiver() as hook:
        _race(_DELIVER, tmp_path, db_env, *[[hook.url]] * 4)
    assert sorted(r["url"] for r in hook.received) == sorted(f"http://x/{i}" for i in range(30))
