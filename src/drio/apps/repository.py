"""Queries for apps. Every one starts from the tenant-scoped statement."""

from __future__ import annotations

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, joinedload

from drio.models.app import App
from drio.models.draft import Draft
from drio.models.release import Release


def tenant_apps(tenant_id: str | BindParameter[str]) -> Select[App]:
    """The only way to start a query on apps: scoped to one tenant."""
    return select(App).where(App.tenant_id == tenant_id)


def with_state(statement: Select[App]) -> Select[App]:
    """Eager-load what an app's read shape shows: its draft and latest release.

    The release's content and sealed secrets grow with the app and the read shape
    shows neither, so they are left in the database.
    """
    return statement.options(*_STATE_OPTIONS)


_STATE_OPTIONS = (
    joinedload(App.current_draft).joinedload(Draft.last_edited_by),
    joinedload(App.latest_release).options(
        defer(Release.content), defer(Release.sealed_secrets)
    ),
)

# Built once: every request that loads an app runs one of these two, and a statement
# object that is reused keeps its compiled form and cache key (profiled in issue 6).
_GET_APP = with_state(
    tenant_apps(bindparam("tenant_id")).where(App.id == bindparam("app_id"))
)
_GET_APP_FOR_UPDATE = _GET_APP.with_for_update(of=App)


async def get_app(
    session: AsyncSession, *, tenant_id: str, app_id: str, for_update: bool = False
) -> App | None:
    statement = _GET_APP_FOR_UPDATE if for_update else _GET_APP
    app: App | None = await session.scalar(
        statement, {"tenant_id": tenant_id, "app_id": app_id}
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
