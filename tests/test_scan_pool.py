"""Scanning a file in many chunks across worker processes finds exactly what one process
finds, on the same lines: no line is cut or lost at a chunk border."""

from __future__ import annotations

from pathlib import Path

import pytest

from dumpwatch.evaluation import CHATTER
from dumpwatch.synth import people
from matcher import scan_files
from matcher.keys import SecretKey
from matcher.scan import Match
from matcher.scoring import ScoringConfig


def _scan(home: Path, key: SecretKey, path: Path, workers: int) -> list[tuple[int, str]]:
    found: list[Match] = []
    scan_files.scan_paths(home, key, [path], corpora=None, config=ScoringConfig(),
                          on_match=found.append, on_document=lambda d: None, workers=workers)
    return sorted((m.line, m.record_id) for m in found)


def test_leaked_lines_keep_their_line_numbers_across_chunks_and_workers(
        home: Path, key: SecretKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    leaks = people(0, 60)
    lines: list[str] = []
    expected: list[tuple[int, str]] = []
    for i, p in enumerate(leaks):
        lines.append(f"{p.name} {p.phone} 팝니다")  # line 1, then one every ~25 lines
        expected.append((len(lines), p.id))
        lines.extend(CHATTER[(i + k) % len(CHATTER)] for k in range(20 + i % 9))
    path = tmp_path / "forum.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 40 * 2048
    # ~2 KB chunks: fifty-odd borders fall anywhere, inside leaked lines too
    monkeypatch.setattr(scan_files, "CHUNK_BYTES", 2048)
    pooled = _scan(home, key, path, workers=2)
    assert pooled == _scan(home, key, path, workers=1)
    assert pooled == expected
