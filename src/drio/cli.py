"""The drio command line: serve, migrate, token."""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from drio.settings import Settings, get_settings

cli = typer.Typer(
    help="drio server: the drio v2 management API.",
    no_args_is_help=True,
    add_completion=False,
)


def _database_url() -> str:
    """The configured database, or the embedded one (started, and shared with workers)."""
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    from drio.db.embedded import start_embedded

    url = start_embedded(settings.data_dir)
    typer.echo(
        f"embedded PostgreSQL running in {settings.data_dir.resolve() / 'pgdata'}",
        err=True,
    )
    # Workers are separate processes: they join this server instead of starting one.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def _exit_on_stop_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def _stop_cleanly_on_signals() -> None:
    """Let SIGTERM and SIGINT end `drio serve` through a normal exit.

    uvicorn drains the requests in flight on SIGTERM, then raises the signal again for
    the handler it found. With the default one the process would die of the signal,
    skipping the exit hooks, and the embedded PostgreSQL would be left running. A
    handler that exits normally lets those hooks stop it (also when the signal comes
    during start-up).
    """
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, _exit_on_stop_signal)


def _warm_up(settings: Settings) -> None:
    import drio.main  # noqa: F401

    if settings.development_auth:
        from drio.auth.keys import load_or_create_signing_key

        load_or_create_signing_key(settings.data_dir)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    migrate: Annotated[
        bool, typer.Option(help="Apply migrations before serving.")
    ] = True,
) -> None:
    """Serve the API (with no DATABASE_URL, on an embedded PostgreSQL)."""
    import uvicorn

    from drio.db.migrate import upgrade_to_head
    from drio.logging import configure_logging, log

    _stop_cleanly_on_signals()
    settings = get_settings()
    # The supervising process logs too (uvicorn's worker management, shutdown).
    configure_logging(settings)
    # Starting the embedded PostgreSQL waits on initdb and pg_ctl; meanwhile a thread
    # imports the app and makes the development key, which took a third of a first
    # start (issue 6, P5).
    warm = threading.Thread(target=_warm_up, args=(settings,), daemon=True)
    warm.start()
    url = _database_url()
    warm.join()
    if migrate:
        upgrade_to_head(url)
    try:
        uvicorn.run(
            "drio.main:create_api_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            # drio writes its own access line (drio.logging); uvicorn would build one
            # per request only to drop it.
            access_log=False,
            proxy_headers=True,
            timeout_graceful_shutdown=30,
        )
    finally:
        # The embedded database (if this process started it) stops as it exits.
        log.info("server.stopped", embedded_database=settings.database_url is None)


@cli.command()
def migrate() -> None:
    """Apply the database migrations up to the latest."""
    from drio.db.migrate import upgrade_to_head

    upgrade_to_head(_database_url())
    typer.echo("database is at the latest migration")


@cli.command()
def token(
    sub: Annotated[str | None, typer.Option(help="Subject (user id).")] = None,
    org: Annotated[
        str | None,
        typer.Option(
            help="Organization id (org_id claim); default none, so the tenant is "
            "the user. The development OAuth flow signs in to "
            "org_local_development."
        ),
    ] = None,
    scope: Annotated[
        str, typer.Option(help="Space-separated scopes.")
    ] = "openid profile email",
    expires_in: Annotated[int, typer.Option(min=1, help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print a development access token (development auth only)."""
    from drio.auth.keys import (
        DEV_USER_ID,
        load_or_create_signing_key,
        mint_access_token,
    )

    settings = get_settings()
    if not settings.development_auth:
        typer.echo(
            "drio token works only with development auth (DRIO_AUTHKIT_ISSUER unset).",
            err=True,
        )
        raise typer.Exit(code=2)
    key = load_or_create_signing_key(settings.data_dir)
    typer.echo(
        mint_access_token(
            key,
            issuer=settings.issuer,
            audience=settings.audiences[0],
            subject=sub or DEV_USER_ID,
            org_id=org or None,
            scope=scope,
            expires_in=expires_in,
        )
    )


def main() -> None:
    cli()
