"""Scanning a file in many chunks across worker processes finds exactly what one process
finds, on the same lines: no line is cut or lost at a chunk border."""

from __future__ import annotations

from itertools import pairwise
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


@pytest.mark.parametrize("escape", [False, True])  # kernels, or json.dumps per line
@pytest.mark.parametrize("pick", ["all", "run", "gaps", "one", "unsure"])
def test_json_lines_of_a_block_are_what_json_dumps_writes(pick: str, escape: bool) -> None:
    """MatchBlock.jsonl slices a run of lines without copying and takes any other
    selection: both must give each match's json.dumps(as_json()), in the order asked."""
    import json

    import numpy as np

    from matcher.scan import MatchBlock

    quote = ' "q"' if escape else ""  # one line that json.dumps must escape
    matches = [Match("d.csv", "c", f"C{i:03d}", 1.0, ["name", "phone"],
                     f"line {i + 2}: 김*준 · 010-****-{i:04d}" + (quote if i == 7 else ""),
                     i + 2, (0, i), 1e9, 1e9) for i in range(12)]
    block = MatchBlock.of(matches)
    block.prepare_json()
    idx = {"all": np.arange(12), "run": np.arange(3, 9), "gaps": np.array([0, 2, 3, 11]),
           "one": np.array([5]), "unsure": np.arange(2, 6)}[pick]
    scores = np.full(idx.size, 1.0)
    if pick == "unsure":
        scores[1] = 0.8123456
    got = block.jsonl(idx, scores).decode().splitlines()
    want = []
    for k, i in enumerate(idx.tolist()):
        m = matches[i]
        m.score = float(scores[k])
        want.append(json.dumps(m.as_json(), ensure_ascii=False))
    assert got == want


def test_the_last_chunks_of_a_file_get_smaller_and_find_the_same(
        home: Path, key: SecretKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Towards the end of a file shared by workers, chunks shrink (so the last ones finish
    together); where a chunk ends changes nothing that is found, nor on which line."""
    from matcher.containers import Limits

    leaks = people(0, 80)
    lines: list[str] = []
    for i, p in enumerate(leaks):
        lines.append(f"{p.name} {p.phone} 팝니다")
        lines.extend(CHATTER[(i + k) % len(CHATTER)] for k in range(30))
    path = tmp_path / "forum.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(scan_files, "CHUNK_BYTES", 32 << 10)
    monkeypatch.setattr(scan_files, "MIN_CHUNK_BYTES", 2 << 10)
    sizes = [len(t.data) for t in scan_files._tasks([path], lambda d: None, Limits(), workers=2)]
    assert sum(sizes) == path.stat().st_size
    assert sizes[0] >= 32 << 10 and min(sizes[:-1]) < 8 << 10  # 32 KB first, a few KB last
    # never growing again (up to the line each chunk is completed with)
    assert all(b <= a + 256 for a, b in pairwise(sizes))
    assert _scan(home, key, path, workers=2) == _scan(home, key, path, workers=1)
