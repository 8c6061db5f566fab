"""The home directory: where corpora, the database and logs live (never the key)."""

from __future__ import annotations

import os
from pathlib import Path

from dumpwatch.errors import ConfigError


def resolve_home(option: Path | None) -> Path:
    """--home, then DUMPWATCH_HOME, then ~/.dumpwatch; created 0700 on first use. Made
    absolute: paths written under it (config files, subprocesses' arguments) must not
    depend on the directory they are read from."""
    raw = option or (Path(os.environ["DUMPWATCH_HOME"]) if os.environ.get("DUMPWATCH_HOME")
                     else Path.home() / ".dumpwatch")
    home = raw.expanduser()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"home {home} exists and is not a directory")
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(f"cannot create home directory {home}: {exc.strerror}") from None
    return home.resolve()
