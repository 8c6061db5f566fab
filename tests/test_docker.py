"""Container files checked without a Docker engine: hadolint, the compose-spec schema, the
non-root data folder, and a wheel that carries the migrations the image runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCKER = ROOT / "docker"
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("dockerfile", ["Dockerfile", "tor.Dockerfile"])
def test_dockerfiles_pass_hadolint(dockerfile: str) -> None:
    proc = subprocess.run([BIN / "hadolint", DOCKER / dockerfile], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_file_matches_the_compose_spec() -> None:
    proc = subprocess.run([BIN / "check-jsonschema", "--builtin-schema", "vendor.compose-spec",
                           DOCKER / "compose.yaml"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_has_every_service() -> None:
    import yaml

    services = yaml.safe_load((DOCKER / "compose.yaml").read_text())["services"]
    assert set(services) == {"monitor", "worker", "dashboard", "db", "redis", "tor"}
    assert "IsolateSOCKSAuth" in (DOCKER / "torrc").read_text()


def test_data_folder_is_owned_by_the_runtime_user_before_user_and_volume() -> None:
    lines = (DOCKER / "Dockerfile").read_text().splitlines()
    final = lines[max(i for i, ln in enumerate(lines) if ln.startswith("FROM ")):]
    text = "\n".join(final)
    chown = re.search(r"chown (\S+):\S+ /data", text)
    user = re.search(r"^USER (\S+)", text, re.M)
    assert chown and user, "the runtime stage must create /data, chown it and set USER"
    volume = re.search(r"^VOLUME .*/data", text, re.M)
    assert volume and chown.start() < user.start() < volume.start()
    uid = re.search(r"useradd .*--uid (\d+).* " + chown.group(1), text)
    assert uid and user.group(1).split(":")[0] in (uid.group(1), chown.group(1))


def test_wheel_ships_the_migrations(tmp_path: Path) -> None:
    """Built from the same files the Dockerfile's build stage copies."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("dumpwatch", "matcher", "crawler"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           tmp_path, src], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    names = zipfile.ZipFile(next(tmp_path.glob("dumpwatch-*.whl"))).namelist()
    base = "dumpwatch/storage/migrations/"
    for needed in ("env.py", "script.py.mako", "versions/0001_initial.py"):
        assert base + needed in names
