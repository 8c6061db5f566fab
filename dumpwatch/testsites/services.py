"""Throwaway PostgreSQL and Redis servers for tests, benchmarks and CI.

Both are the real Debian/upstream binaries, started in a temporary folder and reachable only
on 127.0.0.1 or a unix socket. PostgreSQL refuses to run as root, so as root the cluster
runs as the ``postgres`` user. Settings trade durability for speed (``fsync=off``): these
servers hold nothing worth keeping.

``python -m dumpwatch.testsites.services postgres DIR`` starts a cluster in DIR and prints
its URL (``.ci/run`` uses it); ``... stop DIR`` stops it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


class ServiceUnavailable(RuntimeError):
    """The server binaries (or the user to run them as) are not on this machine."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    raise ServiceUnavailable(f"no PostgreSQL server binary {name!r}")


class PostgresServer:
    """A PostgreSQL cluster in ``folder`` (a new temporary one by default)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or Path(tempfile.mkdtemp(prefix="dw-pg-"))
        self.port = 0
        self._as_pg: list[str] = []
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise ServiceUnavailable("running as root and there is no postgres user"
                                         ) from None
            self._as_pg = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> str:
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        self.folder.mkdir(parents=True, exist_ok=True)
        if self._as_pg:
            shutil.chown(self.folder, "postgres", "postgres")
        self.port = _free_port()
        subprocess.run([*self._as_pg, initdb, "-D", str(self.folder / "db"), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--no-sync"], check=True,
                       capture_output=True)
        opts = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=300 -c shared_buffers=64MB")
        subprocess.run([*self._as_pg, pg_ctl, "-D", str(self.folder / "db"), "-l",
                        str(self.folder / "log"), "-w", "-o", opts, "start"], check=True,
                       capture_output=True)
        (self.folder / "url").write_text(self.url)
        return self.url

    def stop(self) -> None:
        subprocess.run([*self._as_pg, _pg_bin("pg_ctl"), "-D", str(self.folder / "db"), "-m",
                        "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RedisServer:
    """``redis-server`` on a unix socket in a temporary folder, no persistence."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="dw-redis-"))
        self.socket = self.folder / "redis.sock"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> str:
        binary = shutil.which("redis-server")
        if not binary:
            raise ServiceUnavailable("no redis-server (apt-get install redis-server)")
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm",
             "700", "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise ServiceUnavailable("redis-server did not start")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("postgres", "stop"):
        print("usage: python -m dumpwatch.testsites.services postgres|stop DIR", file=sys.stderr)
        return 2
    server = PostgresServer(Path(argv[1]))
    if argv[0] == "stop":
        server.stop()
        return 0
    print(server.start())
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
