"""Monitor settings (config/monitor.yaml), all optional, with CLI overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dumpwatch.errors import ConfigError


class Webhook(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(pattern=r"^https?://")
    format: Literal["json", "slack"] = "json"


class MonitorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhooks: list[Webhook] = []
    alert_min_verdict: Literal["redistribution", "inconclusive"] = "redistribution"
    repost_window_days: float = Field(7, ge=0)
    repost_containment: float = Field(0.8, gt=0, le=1)
    crawl_timeout_seconds: float = Field(900, gt=0)
    jitter_seconds: float = Field(0, ge=0)
    delivery_attempts: int = Field(5, ge=1)
    delivery_backoff_seconds: float = Field(0.5, ge=0)
    # how often the monitor applies admins' source overrides and "run now" requests
    control_poll_seconds: float = Field(5, gt=0)
    # breach names a sale post may use, per corpus: {coupang: [쿠팡, CPNG]} (listing.py)
    breaches: dict[str, list[str]] = {}


def load_monitor_config(config_dir: Path) -> MonitorConfig:
    path = config_dir / "monitor.yaml"
    if not path.exists():
        return MonitorConfig()
    try:
        data = yaml.safe_load(path.read_text()) or {}
        return MonitorConfig.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def save_effective_config(home: Path, cfg: MonitorConfig) -> None:
    """What ``run`` was started with (CLI webhooks included), for its jobs to read."""
    (home / "monitor.json").write_text(cfg.model_dump_json(indent=1))


def effective_config(home: Path, config_dir: Path) -> MonitorConfig:
    path = home / "monitor.json"
    if path.exists():
        return MonitorConfig.model_validate_json(path.read_text())
    return load_monitor_config(config_dir)
