"""Engine and session factory, built from the configured database URL."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from drio.settings import Settings


def async_url(url: str) -> str:
    """Accept postgres://, postgresql:// or a driver URL; use asyncpg."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(
        hide_password=False
    )


def resolve_database_url(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url
    from drio.db.embedded import start_embedded

    return start_embedded(settings.data_dir)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # No overflow: an overflow connection is closed as soon as it is returned, so under
    # steady load above pool_size every request paid for a new PostgreSQL backend.
    # Requests beyond pool_size wait for a connection instead.
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "drio"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(
    engine: AsyncEngine,
) -> async_sessionmaker[AsyncSession]:
    """Sessions for safe methods: no BEGIN and COMMIT around their statements.

    Under READ COMMITTED every statement takes its own snapshot, inside a transaction
    or not, so a read-only request sees the same data either way; it saves two of the
    three round trips of a one-query read. Nothing a read does may write.
    """
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        autoflush=False,
    )
