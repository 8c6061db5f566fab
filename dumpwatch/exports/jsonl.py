"""JSON Lines: one sighting row per line, every field of EXPORT_FIELDS plus record_ids."""

from __future__ import annotations

import json
from typing import IO


def write(rows: list[dict], fh: IO[str]) -> None:
    from dumpwatch.exports import EXPORT_FIELDS, JSONL_ONLY

    names = [n for n, _ in EXPORT_FIELDS + JSONL_ONLY]
    for r in rows:
        fh.write(json.dumps({n: r.get(n) for n in names}, ensure_ascii=False) + "\n")
