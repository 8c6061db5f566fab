"""The fork server scan workers come from, with the matcher already imported in it.

Not plain fork: by the time a pool is made the main process may hold threads (a progress
bar, Arrow's pool) whose locks a forked child would inherit taken. A fork server is a
fresh interpreter that imports the matcher once (~0.25 s) and forks every worker from
there; a command that knows early it will scan in parallel starts it at once, so that
import runs on the other core while the command is still setting up.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterable
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path

PRELOAD = ["matcher.scan"]
EARLY_START_BYTES = 16 << 20  # what scan_paths splits across workers (2 chunks and more)


def context() -> BaseContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_early(paths: Iterable[Path], workers: int | None = None) -> bool:
    """Start the fork server now if these paths will be scanned by several workers."""
    if (workers or os.cpu_count() or 1) <= 1:
        return False
    total = 0
    for p in paths:
        try:
            if p.is_dir():
                total = EARLY_START_BYTES  # a folder: most likely a big job
            elif p.is_file():
                total += p.stat().st_size
        except OSError:
            continue
    if total < EARLY_START_BYTES:
        return False
    context()
    forkserver.ensure_running()
    return True
