"""``dumpwatch worker``: one of many crawl processes sharing a Redis frontier."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from dumpwatch.cli._app import app, err, state
from dumpwatch.errors import ConfigError


@app.command()
def worker(
    source: Annotated[list[str], typer.Option(
        "--source", help="Serve only this source (repeatable); default: every enabled one "
        "without a login")] = [],  # noqa: B006
    redis_url: Annotated[str | None, typer.Option(
        help="Redis URL (redis://host:6379/0, unix:///path/redis.sock) "
        "[env: DUMPWATCH_REDIS_URL]", show_default=False)] = None,
    idle_exit: Annotated[float, typer.Option(
        help="Leave after this many seconds without work (0: serve forever)")] = 0,
) -> None:
    """Fetch and match pages from the shared frontier; results go to the shared database.

    Start any number, on any machines, with the same DUMPWATCH_DB_URL, DUMPWATCH_REDIS_URL,
    key and corpora. `dumpwatch run` with DUMPWATCH_REDIS_URL set enqueues each source's run
    instead of crawling it itself. One JSON summary line per source on exit.
    """
    from crawler.profiles import load_sources
    from crawler.worker import distributable, run_worker
    from dumpwatch.monitor.config import effective_config

    url = redis_url or os.environ.get("DUMPWATCH_REDIS_URL")
    if not url:
        raise ConfigError("set --redis-url or DUMPWATCH_REDIS_URL")
    from dumpwatch.source_controls import effective_sources
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    profiles = effective_sources(db, load_sources(state.config))  # admins' overrides
    db.dispose()
    if source:
        unknown = sorted(set(source) - set(profiles))
        if unknown:
            raise ConfigError(f"no source named {', '.join(unknown)} in {state.config}")
        chosen = {n: profiles[n] for n in source}
    else:
        chosen = {n: s for n, s in profiles.items() if distributable(s)}
    home = state.home
    state.key()
    for summary in run_worker(home, chosen, url, effective_config(home, state.config),
                              idle_exit):
        print(json.dumps(summary, ensure_ascii=False))
    if not state.quiet:
        err.print(f"worker stopped ({len(chosen)} sources)")
