"""A dashboard over a real crawl: the local paste site carries a Korean sale post and a
harmless paste, ``dumpwatch crawl`` stores what it finds, and three accounts exist."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dumpwatch.accounts import add_user, issue_token
from dumpwatch.storage.db import open_database
from dumpwatch.testsites import LocalSites
from dumpwatch.testsites.profiles import write_profiles
from tests.conftest import run_cli
from tests.takedown_helpers import plaintexts, sale_post, takedown_config
from tests.test_canary import _needles
from tests.test_monitor import only_paste

PASSWORD = {"ana": "analyst-pass-1", "vic": "viewer-pass-1", "root": "admin-pass-12"}


@dataclass
class Site:
    home: Path
    config: Path
    tokens: dict[str, str]
    needles: list[bytes] = field(default_factory=list)
    db_url: str = ""  # "" for the home's SQLite


@contextmanager
def module_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """On the PostgreSQL run, a database of the module's own for a module-scoped site (each
    test's own database, set by conftest, is empty); "" (the home's SQLite) otherwise."""
    from tests.conftest import PG_SERVER, drop_pg_database, new_pg_database

    if not PG_SERVER:
        yield ""
        return
    name, url = new_pg_database(PG_SERVER, request.getfixturevalue("pg_template"))
    try:
        yield url
    finally:
        drop_pg_database(PG_SERVER, name)


def crawled_site(tmp: Path, built_home: Path, rdap, db_url: str = "") -> Site:
    """``rdap``: the local registry (tests.takedown_helpers.registry) cases look contacts up
    in; ``db_url``: the database (module_database), "" for the home's SQLite."""
    with pytest.MonkeyPatch.context() as mp:
        if db_url:
            mp.setenv("DUMPWATCH_DB_URL", db_url)
        site = _crawled_site(tmp, built_home, rdap)
    site.db_url = db_url
    return site


def _crawled_site(tmp: Path, built_home: Path, rdap) -> Site:
    home, config = tmp / "home", tmp / "config"
    (home / "corpora").mkdir(parents=True)
    os.symlink(built_home / "corpora" / "coupang", home / "corpora" / "coupang")
    text, ps = sale_post(3100, 8)
    more, ps2 = sale_post(3400, 5)
    third, ps3 = sale_post(3600, 6)
    with LocalSites() as sites:
        write_profiles(config, sites)
        only_paste(config)
        takedown_config(config, rdap, 1)  # no SMTP: notices are not sent here
        sites.paste.add("hello", "nothing to see here")
        sites.paste.add("쿠팡 DB 샘플", more, author="db_broker")
        sites.paste.add("고객정보 팝니다", third, author="db_broker")
        sites.paste.add("쿠팡 고객 DB 판매", text, author="cp_seller")
        out = run_cli("--home", str(home), "--config", str(config), "crawl", "local-paste")
        assert out.returncode == 0, out.stderr
    db = open_database(home)
    tokens = {}
    for name, role in (("root", "admin"), ("ana", "analyst"), ("vic", "viewer")):
        add_user(db, name, role, PASSWORD[name])
        tokens[name] = issue_token(db, name)
    db.dispose()
    return Site(home, config, tokens, plaintexts(ps + ps2 + ps3) + _needles())


def assert_no_plaintext(body: bytes, needles: list[bytes], where: str) -> None:
    hits = [n for n in needles if n in body]
    assert not hits, f"plaintext {hits[:3]} in {where}"
