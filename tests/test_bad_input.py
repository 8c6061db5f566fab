"""Bad corpus files through the real CLI: one clear line, exit status 2, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run_cli


def _add(tmp_path: Path, path: Path, *extra: str):
    return run_cli("--home", str(tmp_path / "home"), "-q", "corpus", "add", "shop", str(path),
                   *extra)


@pytest.mark.parametrize("content,message", [
    (b"", "empty"),
    (b"\x00\x01\x02binary\x00" * 1000, "binary"),
    (os.urandom(200_000), ""),  # junk: any clear message will do
    ("이름,휴대폰\n김민준,010-1234-5678\n".encode(), "--id-column"),
    (b"just some words without structure\nmore words\n", "delimiter"),
])
def test_unusable_files_fail_cleanly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    proc = _add(tmp_path, path, "--id-column", "1") if message == "" else _add(tmp_path, path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error:")
    assert message in proc.stderr


def test_missing_file(tmp_path: Path) -> None:
    proc = _add(tmp_path, tmp_path / "nope.csv")
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


def test_200_mb_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as fh:
        fh.write(b"customer_id,name,phone\n")
        block = b"x" * (1 << 20)
        for _ in range(200):
            fh.write(block)
    proc = _add(tmp_path, path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "line 2" in proc.stderr and "longer than 1 MiB" in proc.stderr


def test_wrong_encoding_rows_are_counted_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    good = "customer_id,이름,휴대폰\nC1,김민준,010-1234-5678\n".encode()
    cp949 = "C2,이서연,010-2222-3333\n".encode("cp949")
    junk = b"C3,\xff\xff\xff\xfe,010-3333-4444\n"
    path.write_bytes(good + cp949 + junk)
    proc = _add(tmp_path, path)
    assert proc.returncode == 0, proc.stderr
    assert "2 records added" in proc.stderr and "1 rows rejected" in proc.stderr
    assert "line 4: bytes not valid in UTF-8 or CP949" in proc.stderr
