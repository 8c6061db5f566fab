"""The root Typer app, the global options and helpers every command group shares."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from typer.core import TyperGroup

from dumpwatch.errors import ConfigError
from dumpwatch.home import resolve_home

# --help follows the data flow (corpus → collection → findings → removal → operation), not
# the order in which command modules happen to be imported.
SECTIONS: dict[str, tuple[str, ...]] = {
    "Corpus and matching": ("corpus", "scan"),
    "Collection": ("sources", "crawl", "run", "status", "worker", "demo"),
    "Findings": ("findings", "dumps", "evidence", "export"),
    "Removal and reporting": ("takedown", "report"),
    "Operation": ("serve", "user", "db"),
}
_ORDER = {name: i for i, name in enumerate(n for names in SECTIONS.values() for n in names)}
_PANEL = {name: panel for panel, names in SECTIONS.items() for name in names}


class _DataFlowGroup(TyperGroup):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, command in self.commands.items():
            # An unset panel is None on groups but a DefaultPlaceholder on commands.
            if name in _PANEL and not isinstance(getattr(command, "rich_help_panel", None), str):
                command.rich_help_panel = _PANEL[name]  # type: ignore[attr-defined]

    def list_commands(self, ctx) -> list[str]:
        return sorted(self.commands, key=lambda n: (_ORDER.get(n, len(_ORDER)), n))


app = typer.Typer(
    name="dumpwatch",
    cls=_DataFlowGroup,
    help="Find where a known breach corpus is re-posted, resold or leaked again.\n\n"
    "Corpora are stored only as keyed hashes; the key lives outside the home directory "
    "(DUMPWATCH_KEY, DUMPWATCH_KEY_FILE, or ~/.config/dumpwatch/key created 0600).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",  # reflow docstring paragraphs in --help
)

err = Console(stderr=True, highlight=False, soft_wrap=True)


class State:
    home_option: Path | None = None
    key_file: Path | None = None
    config_option: Path | None = None
    quiet: bool = False

    @property
    def config(self) -> Path:
        from crawler.profiles import config_dir

        return config_dir(self.config_option)

    @property
    def home(self) -> Path:
        return resolve_home(self.home_option)

    def key(self):
        from matcher.keys import load_key

        return load_key(self.key_file)


state = State()


def cli_actor() -> str:
    """Who the audit log names for a change made from the CLI: the OS user, marked."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers with an arbitrary uid)
        import os

        return f"cli:uid{os.getuid()}"


def cli_audit(action: str, target: str = "", *, outcome: str = "ok", detail: str = "") -> None:
    """An audit-log row for a CLI export or state change, as the web writes for its own."""
    from dumpwatch.accounts import audit
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    try:
        audit(db, cli_actor(), action, target, outcome=outcome, remote="cli", detail=detail)
    finally:
        db.dispose()


@contextmanager
def audited(action: str, target: str = ""):
    """Audit a CLI step: ``ok`` when the block ends, ``failed`` (and re-raise) on an error."""
    from dumpwatch.errors import DumpwatchError

    try:
        yield
    except DumpwatchError as exc:
        cli_audit(action, target, outcome="failed", detail=str(exc))
        raise


@app.callback()
def _main(
    home: Annotated[Path | None, typer.Option(
        "--home", help="Home directory [env: DUMPWATCH_HOME; default ~/.dumpwatch]",
        show_default=False)] = None,
    key_file: Annotated[Path | None, typer.Option(
        "--key-file", help="Key file [env: DUMPWATCH_KEY_FILE]; DUMPWATCH_KEY overrides",
        show_default=False)] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Config folder with sources/*.yaml [env: DUMPWATCH_CONFIG; "
        "default ./config]", show_default=False)] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars or notes")] = False,
) -> None:
    state.home_option, state.key_file, state.quiet = home, key_file, quiet
    state.config_option = config


def _progress_enabled() -> bool:
    return not state.quiet and err.is_terminal


def _byte_progress(label: str, extra: str | None = None):
    """A progress bar over bytes with rate and ETA, on stderr, gone when done."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = [TextColumn(f"[bold]{label}[/]"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn()]
    if extra:
        columns.append(TextColumn(extra))
    return Progress(*columns, TimeRemainingColumn(), console=err, transient=True)


def _parse_map(items: list[str]) -> dict[str, str]:
    from matcher.fields import ROLES

    out = {}
    for item in items:
        role, sep, column = item.partition("=")
        if not sep or role not in ROLES or not column:
            raise ConfigError(
                f"--map {item!r}: use role=column with role one of {', '.join(ROLES)}")
        out[role] = column
    return out




def sub_app(help_text: str) -> typer.Typer:
    """A command group with the same help conventions as the root app."""
    return typer.Typer(help=help_text, no_args_is_help=True,
                       context_settings={"help_option_names": ["-h", "--help"]},
                       rich_markup_mode="markdown")
