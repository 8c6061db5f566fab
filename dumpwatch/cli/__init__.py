"""The ``dumpwatch`` command line: a thin layer over the library.

Commands parse options, call the library and turn :class:`DumpwatchError` into one
line on stderr and exit status 2 — never a traceback. One module per command group;
importing a module registers its commands on the root app.
"""

from __future__ import annotations

import sys

import dumpwatch.cli.dumps  # registers
import dumpwatch.cli.evidence  # registers
import dumpwatch.cli.export  # noqa: F401 - registers
from dumpwatch.cli import corpus, findings, monitor, scan, sources  # noqa: F401 - registers
from dumpwatch.cli import db as _db  # noqa: F401 - registers
from dumpwatch.cli import regulator as regulator  # registers ``report``
from dumpwatch.cli import takedown as takedown  # registers ``takedown``
from dumpwatch.cli import web as web  # registers ``serve`` and ``user``
from dumpwatch.cli import worker as _worker  # noqa: F401 - registers
from dumpwatch.cli._app import app, err
from dumpwatch.errors import DumpwatchError

__all__ = ["app", "main"]


def main() -> None:
    try:
        app()
    except DumpwatchError as exc:
        err.print(f"[red]error:[/] {exc}", markup=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
