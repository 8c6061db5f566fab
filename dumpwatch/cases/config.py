"""config/takedown.yaml: the notifier's identity, SMTP, RDAP and the re-check interval."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dumpwatch.errors import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Notifier(_Strict):
    """Who sends the notice: DSA Art. 16(2)(c) needs a name and an e-mail address."""

    name: str = "dumpwatch operator"
    email: str = "abuse-desk@dumpwatch.invalid"
    organization: str = "dumpwatch"
    domain: str = "dumpwatch.invalid"


class Smtp(_Strict):
    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    username_env: str | None = None  # credentials come from the environment, never the file
    password_env: str | None = None
    timeout: float = Field(10, gt=0)


class Rdap(_Strict):
    bootstrap: Path | None = None  # a saved IANA bootstrap (JSON); default: fetched and cached
    allow_insecure: bool = False  # http:// RDAP endpoints (only for local test servers)
    timeout: float = Field(10, gt=0)


class TakedownConfig(_Strict):
    notifier: Notifier = Notifier()
    affected_organization: str = "the data owner"
    smtp: Smtp = Smtp()
    rdap: Rdap = Rdap()
    law_enforcement: str | None = None  # default contact for .onion posts
    automated: bool = True  # notices say they were prepared by automated means
    recheck_minutes: float = Field(60, gt=0)
    auto_open: bool = False  # the monitor opens a case for every new redistribution post
    auto_send: bool = False  # ... and sends its notice at once


def load_takedown_config(config_dir: Path) -> TakedownConfig:
    path = config_dir / "takedown.yaml"
    if not path.exists():
        return TakedownConfig()
    try:
        cfg = TakedownConfig.model_validate(yaml.safe_load(path.read_text()) or {})
    except (yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()
        raise ConfigError(f"{path}: {' '.join(first[:3])}") from None
    if cfg.rdap.bootstrap is not None and not cfg.rdap.bootstrap.is_absolute():
        cfg.rdap.bootstrap = (config_dir / cfg.rdap.bootstrap).resolve()
    return cfg
