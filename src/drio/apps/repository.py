"""Queries for apps. Every one starts from the tenant-scoped statement."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from drio.models.app import App
from drio.models.draft import Draft


def tenant_apps(tenant_id: str) -> Select[App]:
    """The only way to start a query on apps: scoped to one tenant."""
    return select(App).where(App.tenant_id == tenant_id)


def with_state(statement: Select[App]) -> Select[App]:
    """Eager-load what an app's read shape shows: its draft and latest release."""
    return statement.options(
        joinedload(App.current_draft).joinedload(Draft.last_edited_by),
        joinedload(App.latest_release),
    )


async def get_app(
    session: AsyncSession, *, tenant_id: str, app_id: str, for_update: bool = False
) -> App | None:
    if for_update:
        # Lock the app row alone first. Locking inside the eager-loading join would
        # hand a waiter the updated app row joined with the draft it replaced.
        locked = await session.scalar(
            select(App.id)
            .where(App.tenant_id == tenant_id, App.id == app_id)
            .with_for_update()
        )
        if locked is None:
            return None
    statement = with_state(tenant_apps(tenant_id).where(App.id == app_id))
    app: App | None = await session.scalar(
        statement.execution_options(populate_existing=for_update)
    )
    return app


async def slug_exists(session: AsyncSession, *, tenant_id: str, slug: str) -> bool:
    found = await session.scalar(
        select(App.id).where(App.tenant_id == tenant_id, App.slug == slug)
    )
    return found is not None


async def slugs_like(session: AsyncSession, *, tenant_id: str, base: str) -> set[str]:
    rows = await session.scalars(
        select(App.slug).where(
            App.tenant_id == tenant_id,
            (App.slug == base) | App.slug.startswith(f"{base}-", autoescape=True),
        )
    )
    return set(rows)
