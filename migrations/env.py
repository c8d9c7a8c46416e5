"""Alembic environment: runs migrations on an async engine.

The URL comes from the Alembic config (set by drio.db.migrate) or, when Alembic is run
by hand, from DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import drio.models  # noqa: F401  (registers every table)
from drio.db.base import Base
from drio.db.engine import async_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    env = os.environ.get("DATABASE_URL")
    if not env:
        raise RuntimeError("set DATABASE_URL (or use `drio migrate`)")
    return async_url(env)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
