"""``dumpwatch serve`` and ``dumpwatch user``: the web dashboard and its accounts."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Annotated

import typer

from dumpwatch.cli._app import app, cli_actor, state, sub_app
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
    add_user(db, name, role, password, actor=cli_actor())
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
    from dumpwatch.accounts import issue_token
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    tok = issue_token(db, name, actor=cli_actor())
    db.dispose()
    typer.echo(tok)


def _admin_change(fn, name: str, *args) -> None:
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    try:
        fn(db, name, *args, actor=cli_actor())
    finally:
        db.dispose()


@user_app.command("role")
def user_role(name: str, role: Annotated[str, typer.Argument(
        help="admin | analyst | viewer")]) -> None:
    """Change NAME's role (the last active admin cannot be demoted)."""
    from dumpwatch.accounts import set_role

    _admin_change(set_role, name, role)
    typer.echo(f"user {name} is now {role}")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Disable NAME: no sign-in, sessions end, API tokens stop working."""
    from dumpwatch.accounts import set_disabled

    _admin_change(set_disabled, name, True)
    typer.echo(f"user {name} disabled")


@user_app.command("enable")
def user_enable(name: str) -> None:
    """Enable a disabled account again."""
    from dumpwatch.accounts import set_disabled

    _admin_change(set_disabled, name, False)
    typer.echo(f"user {name} enabled")


@user_app.command("unlock")
def user_unlock(name: str) -> None:
    """End a lock-out after repeated failed sign-ins."""
    from dumpwatch.accounts import unlock

    _admin_change(unlock, name)
    typer.echo(f"user {name} unlocked")


@user_app.command("revoke-tokens")
def user_revoke_tokens(name: str) -> None:
    """Revoke every API token of NAME."""
    from dumpwatch.accounts import revoke_tokens
    from dumpwatch.storage import open_database

    db = open_database(state.home)
    n = revoke_tokens(db, name, actor=cli_actor())
    db.dispose()
    typer.echo(f"{n} tokens of {name} revoked")
