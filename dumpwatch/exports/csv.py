"""CSV: one sighting row per line, the columns of EXPORT_FIELDS in order; lists joined."""

from __future__ import annotations

import csv as _csv
from typing import IO


def cell(name: str, value: object) -> object:
    if value is None:
        return ""
    if name == "contacts":
        return ";".join(f"{c['kind']}:{c['value']}" for c in value)  # type: ignore[attr-defined]
    if name == "samples":
        return " | ".join(value)  # type: ignore[arg-type]
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def write(rows: list[dict], fh: IO[str]) -> None:
    from dumpwatch.exports import EXPORT_FIELDS

    names = [n for n, _ in EXPORT_FIELDS]
    w = _csv.writer(fh, lineterminator="\n")
    w.writerow(names)
    for r in rows:
        w.writerow([cell(n, r.get(n)) for n in names])
