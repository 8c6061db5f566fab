"""``dumpwatch serve`` and ``dumpwatch user``: the web dashboard and its accounts."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Annotated

import typer

from dumpwatch.cli._app import app, state, sub_app
from dumpwatch.errors import ConfigError

user_app = sub_app("Dashboard accounts: admin, analyst or viewer.")
app.add_typer(user_app, name="user")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8080,
    tls_cert: Annotated[Path | None, typer.Option(help="TLS certificate (PEM)")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="TLS private key (PEM)")] = None,
    insecure_bind: Annotated[bool, typer.Option(
        help="Bind a non-loopback address without TLS (behind a TLS proxy)")] = False,
) -> None:
    """Start the web dashboard and JSON API (/api/v1, OpenAPI at /api/v1/docs)."""
    import uvicorn

    from dumpwatch.web import create_app

    if bool(tls_cert) != bool(tls_key):
        raise ConfigError("--tls-cert and --tls-key go together")
    if not _is_loopback(host) and not tls_cert and not insecure_bind:
        raise ConfigError(f"refusing to serve on {host} without --tls-cert/--tls-key "
                          "(or --insecure-bind behind a TLS proxy)")
    web = create_app(state.home, state.config, secure_cookies=bool(tls_cert))
    uvicorn.run(web, host=host, port=port, ssl_certfile=tls_cert, ssl_keyfile=tls_key,
                log_level="warning" if state.quiet else "info", access_log=not state.quiet)


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="admin | analyst | viewer")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="Read the password from stdin")] = False,
) -> None:
    """Create an account (the password is prompted for unless --password-stdin)."""
    from dumpwatch.accounts import add_user
    from dumpwatch.storage import open_database

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(state.home)
    add_user(db, name, role, password)
    db.dispose()
    typer.echo(f"user {name} added ({role})")


@user_app.command("list")
def user_list() -> None:
    """Accounts and their roles."""
    from dumpwatch.accounts import list_users
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    for u in list_users(db):
        flags = " (disabled)" if u.disabled else ""
        typer.echo(f"{u.name}\t{u.role}\t{u.created_at:%Y-%m-%d}{flags}")
    db.dispose()


@user_app.command("token")
def user_token(name: str) -> None:
    """A new API token for NAME, printed once (only its hash is stored)."""
    from dumpwatch.accounts import audit, issue_token
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    tok = issue_token(db, name)
    audit(db, "cli", "token_issued", f"user:{name}")
    db.dispose()
    typer.echo(tok)
