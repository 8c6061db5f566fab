"""Shared helpers: cached synthetic inputs, a process-tree RSS sampler, machine facts."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
KEY = "b3" * 32  # benchmark-only key; the data is synthetic
# CPU seconds (user + system) of every process of the last run_measured's tree: on a
# shared machine, wall time depends on the others' load; this much less so. Sampled from
# /proc (each process's own time, the last value seen), because getrusage(CHILDREN) misses
# grandchildren nobody reaps, e.g. the workers of a forkserver pool.
LAST_CPU = [0.0]
LAST_CPU_MAIN = [0.0]  # of these, the command's own process (the rest: its workers)
_TICK = os.sysconf("SC_CLK_TCK")


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


def _tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Memory of a process and its descendants (workers included), as PSS where the kernel
    reports it: pages of the memory-mapped index shared by the workers count once. Each
    process's own CPU seconds so far go into ``cpu``."""
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
            if cpu is not None:
                with open(f"/proc/{p}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                cpu[p] = (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
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
    cpu: dict[int, float] = {}

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid, cpu))
            time.sleep(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    done.set()
    th.join()
    wall = time.perf_counter() - t
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the last samples miss at most 0.1 s per process; rusage covers a process too short
    # to sample
    LAST_CPU[0] = max(sum(cpu.values()), usage.ru_utime + usage.ru_stime - cpu0)
    LAST_CPU_MAIN[0] = cpu.get(proc.pid, 0.0)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, peak[0], err


def dumpwatch(*args: str) -> list[str]:
    return [sys.executable, "-m", "dumpwatch", *args]


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
