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
    return create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "drio"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
