"""Shared helpers: cached synthetic inputs, a process-tree RSS sampler, machine facts."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matcher.scan import Scanner

OUT = Path(__file__).resolve().parent / "out"
KEY = "b3" * 32  # benchmark-only key; the data is synthetic
# CPU seconds (user + system) of every process of the last run_measured's tree: on a
# shared machine, wall time depends on the others' load; this much less so.
LAST_CPU = [0.0]
# Of which the command's own process (the rest: its workers), sampled while it ran. Worker
# pools started by forkserver are not the command's children, so rusage misses them: the
# process tree's CPU is sampled from /proc and LAST_CPU is the larger of the two.
LAST_MAIN_CPU = [0.0]
_TICK = os.sysconf("SC_CLK_TCK")


def _own_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def env() -> dict[str, str]:
    return {**os.environ, "DUMPWATCH_KEY": KEY}


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"{mem:.0f} GiB, Python {platform.python_version()}")


def corpus_file(records: int) -> Path:
    """A synthetic corpus of ``records`` rows, generated once and kept under out/."""
    from dumpwatch.synth import write_corpus_csv

    OUT.mkdir(exist_ok=True)
    path = OUT / f"corpus-{records}.csv"
    if not path.exists():
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        write_corpus_csv(tmp, records)
        tmp.rename(path)
        print(f"  generated {records:,} records in {time.perf_counter() - t:.0f}s "
              f"({path.stat().st_size / 2**20:.0f} MiB)", file=sys.stderr)
    return path


def _tree(pid: int) -> list[int]:
    """The process and its descendants, as /proc shows them now."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return out


def _tree_rss(pid: int) -> int:
    """Memory of a process and its descendants (workers included), as PSS where the kernel
    reports it: pages of the memory-mapped index shared by the workers count once."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            try:
                with open(f"/proc/{p}/smaps_rollup") as fh:
                    total += next(int(line.split()[1]) for line in fh
                                  if line.startswith("Pss:")) * 1024
            except (OSError, StopIteration):
                with open(f"/proc/{p}/status") as fh:
                    total += next(int(line.split()[1]) for line in fh
                                  if line.startswith("VmRSS:")) * 1024
            with open(f"/proc/{p}/task/{p}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (OSError, StopIteration):  # the process ended while being read
            continue
    return total


def run_measured(cmd: list[str], stdout=subprocess.DEVNULL,
                 extra_env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak memory (PSS) of the whole process tree in bytes, stderr)."""
    t = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = usage.ru_utime + usage.ru_stime
    proc = subprocess.Popen(cmd, env={**env(), **(extra_env or {})}, stdout=stdout,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    tree_cpu: dict[int, float] = {}

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            for p in _tree(proc.pid):
                own = _own_cpu(p)
                if own is not None:
                    tree_cpu[p] = max(tree_cpu.get(p, 0.0), own)
            # Every 0.5 s: reading smaps_rollup of processes mapping a 1 GB index costs
            # ~15 ms a round, CPU the measured run would otherwise have.
            done.wait(0.5)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t  # not the sampler's last nap (up to 0.2 s of a 2 s run)
    done.set()
    th.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = max(usage.ru_utime + usage.ru_stime - cpu0, sum(tree_cpu.values()))
    LAST_MAIN_CPU[0] = tree_cpu.get(proc.pid, 0.0)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, peak[0], err


def dumpwatch(*args: str) -> list[str]:
    return [sys.executable, "-m", "dumpwatch", *args]


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@contextmanager
def small_scanner(records: int = 5_000) -> Iterator[Scanner]:
    """A Scanner over a throw-away corpus of ``records`` synthetic customers (ids from 0),
    for the OCR evaluations; the benchmark key unless DUMPWATCH_KEY is set."""
    import tempfile

    from dumpwatch.synth import write_corpus_csv
    from matcher.ingest import add_corpus
    from matcher.keys import load_key
    from matcher.scan import Scanner

    os.environ.setdefault("DUMPWATCH_KEY", KEY)
    key = load_key()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        write_corpus_csv(home / "c.csv", records)
        add_corpus(home, "c", home / "c.csv", key, workers=1)
        (home / "c.csv").unlink()
        yield Scanner(home, key)
