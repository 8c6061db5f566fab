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


def test_the_fork_server_is_started_early_only_for_scans_split_across_workers(
        tmp_path: Path) -> None:
    from multiprocessing import forkserver

    from matcher.worker_pool import EARLY_START_BYTES, start_early

    small = tmp_path / "post.txt"
    small.write_text("hello\n")
    big = tmp_path / "dump.csv"
    with open(big, "wb") as fh:
        fh.truncate(EARLY_START_BYTES)  # sparse: no need to write 16 MB
    assert not start_early([small], workers=2)
    assert not start_early([big], workers=1)  # one worker: scanned in this process
    assert not start_early([tmp_path / "missing.csv"], workers=2)
    assert start_early([small, big], workers=2)
    assert forkserver._forkserver._forkserver_pid is not None  # running, ready to fork
