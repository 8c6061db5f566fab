"""The real FlaskBB, in a virtualenv of its own, served on 127.0.0.1 for the preset tests.

Why these versions: FlaskBB 2.2.0 and 3.0.0rc* (the current releases) declare Python >=3.12
but annotate with names imported only under ``TYPE_CHECKING`` in modules without
``from __future__ import annotations`` (flaskbb/plugins/manager.py: ``dist: Distribution``),
which only works with Python 3.14's deferred annotations; on 3.12/3.13 importing flaskbb
fails with ``NameError: name 'Distribution' is not defined``, and no 3.14 is available here.
So the previous release line, FlaskBB 2.0.2 (pinned 2018 dependencies), runs on Python 3.9,
with three adjustments: its MarkupSafe 1.0 sdist needs ``setuptools<46`` (it imports
``setuptools.Feature``), its kombu 4.0.2 uses ``async`` as a name (a syntax error since 3.7),
so Celery/Kombu move to the last 4.x line, and the two bundled plugins are removed because
loading them re-checks FlaskBB's exact pins. The forum itself is unmodified FlaskBB.

``python -m dumpwatch.testsites.flaskbb_real --install`` prepares the virtualenv (.ci/run
does); :class:`FlaskBBSite` starts a forum filled with given content.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

from dumpwatch.testsites.engines._base import Board, Post, Thread

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("DUMPWATCH_FLASKBB_VENV", ROOT / ".flaskbb-venv"))
APP = Path(__file__).with_name("flaskbb_app.py")
PINS = ["flaskbb==2.0.2"]
FIXES = ["celery==4.4.7", "kombu==4.6.11", "vine==1.3.0", "billiard==3.6.4.0", "amqp==2.6.1"]
PLUGINS = ["flaskbb-plugin-portal", "flaskbb-plugin-conversations"]


def python39() -> str | None:
    """A working Python 3.9 interpreter: one pyenv installed, or python3.9 on PATH (pyenv's
    shim on PATH exists even when it cannot run 3.9, so each candidate is tried)."""
    cands = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.9*/bin/python3.9")))
    cands += [c for c in [shutil.which("python3.9")] if c]
    for cand in cands:
        if subprocess.run([cand, "--version"], capture_output=True).returncode == 0:
            return cand
    return None


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ready() -> bool:
    py = venv_python()
    return py.exists() and subprocess.run(
        [str(py), "-c", "import flaskbb, werkzeug"], capture_output=True).returncode == 0


def install() -> str | None:
    """Create the virtualenv if needed; None when ready, else why it cannot be."""
    if ready():
        return None
    base = python39()
    if base is None:
        return ("FlaskBB 2.0.2 needs Python 3.9 (2.2/3.0 need 3.14 semantics); none found "
                "(python3.9 on PATH or ~/.pyenv/versions/3.9*)")
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "-q", "--disable-pip-version-check"]
    steps = [[base, "-m", "venv", str(VENV)],
             [*pip, "install", "setuptools<46", "wheel"],
             [*pip, "install", "--no-build-isolation", *PINS],
             [*pip, "install", *FIXES],
             [*pip, "uninstall", "-y", *PLUGINS]]
    for step in steps:
        proc = subprocess.run(step, capture_output=True, text=True)
        if proc.returncode != 0:
            return f"FlaskBB install step {' '.join(step[-2:])} failed: {proc.stderr[-400:]}"
    return None if ready() else "FlaskBB installed but does not import"


class FlaskBBSite:
    """The real FlaskBB with the content API of the engine test sites (``add_thread``,
    ``add_post``, ``boards``, ``requests``): content added before ``start()`` is installed
    in order (so ids match), replies added later go through the running forum."""

    engine = "flaskbb"

    def __init__(self, boards: tuple[tuple[str, str, bool], ...] = (
            ("market", "Databases", False), ("chat", "General chat", False),
            ("vip", "VIP market", True)),
                 username: str = "watcher", password: str = "s3cret-pass") -> None:
        self.boards = {slug: Board(i + 1, slug, name, members)
                       for i, (slug, name, members) in enumerate(boards)}
        self.username, self.password = username, password
        self.logins = 0  # FlaskBB keeps its own sessions; the profiles here log in never
        self.url = ""
        self._ops: list[dict] = []
        self._topics: list[Thread] = []
        self._next_post = 1
        # on a RAM disk when there is one: the forum's database holds the leak rows
        shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
        self._dir = tempfile.mkdtemp(prefix="flaskbb-", dir=shm)
        self._proc: subprocess.Popen | None = None

    def add_thread(self, board: str, title: str, author: str, body: str) -> Thread:
        assert self._proc is None, "new topics only before start()"
        t = Thread(len(self._topics) + 1, board, title)
        self._topics.append(t)
        self.boards[board].threads.append(t)
        self._ops.append({"op": "topic", "forum": board, "title": title, "author": author,
                          "text": body})
        t.posts.append(self._post(author, body))
        return t

    def add_post(self, thread_id: int, author: str, body: str) -> Post:
        thread = self._topics[thread_id - 1]
        post = self._post(author, body)
        if self._proc is None:
            self._ops.append({"op": "post", "topic": thread_id - 1, "author": author,
                              "text": body})
        else:
            import httpx

            got = httpx.post(f"{self.url}/__dumpwatch__/post", json={
                "topic_id": thread_id, "author": author, "text": body}, timeout=30).json()
            assert got["id"] == post.id, got
        thread.posts.append(post)
        return post

    def _post(self, author: str, body: str) -> Post:
        p = Post(self._next_post, author, body, datetime.now(UTC))
        self._next_post += 1
        return p

    @property
    def requests(self) -> list[str]:
        log = Path(self._dir) / "requests.log"
        return log.read_text().splitlines() if log.exists() else []

    def start(self) -> FlaskBBSite:
        content = {"users": [{"username": self.username, "password": self.password}],
                   "settings": {"posts_per_page": 3, "topics_per_page": 3},
                   "forums": [{"slug": b.slug, "title": b.name,
                               "members_only": b.members_only} for b in self.boards.values()],
                   "ops": self._ops}
        path = Path(self._dir) / "content.json"
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        self._proc = subprocess.Popen(
            [str(venv_python()), str(APP), self._dir, str(path)], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        line = self._read_line(timeout=180)
        path.unlink(missing_ok=True)  # the leak rows live on in FlaskBB's database only
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"FlaskBB did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"
        return self

    def _read_line(self, timeout: float) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        out: list[str] = []
        stdout = self._proc.stdout
        reader = threading.Thread(target=lambda: out.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        return out[0].strip() if out else ""

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        shutil.rmtree(self._dir, ignore_errors=True)


if __name__ == "__main__":
    if "--install" in sys.argv:
        problem = install()
        print(problem or f"FlaskBB ready in {VENV}")
        sys.exit(0)  # a missing interpreter is reported, not fatal: the test skips with it
