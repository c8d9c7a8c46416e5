"""Queries for apps. Every one starts from the tenant-scoped statement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    Column,
    Row,
    Select,
    Table,
    bindparam,
    select,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import defer, joinedload

from drio.db.driver import compile_select, fetch_row
from drio.models.app import App
from drio.models.draft import Draft
from drio.models.release import Release
from drio.models.user import User

M = TypeVar("M")


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
_LOCK_APP = (
    select(App.id)
    .where(App.tenant_id == bindparam("tenant_id"), App.id == bindparam("app_id"))
    .with_for_update()
)


def _columns(table: Any, *, leave_out: tuple[str, ...] = ()) -> list[Column[Any]]:
    if not isinstance(table, Table):
        raise TypeError(table)
    return [c for c in table.columns if c.key not in leave_out]


_APP_COLUMNS = _columns(App.__table__)
_DRAFT_COLUMNS = _columns(Draft.__table__)
_USER_COLUMNS = _columns(User.__table__)
_RELEASE_COLUMNS = _columns(Release.__table__, leave_out=("content", "sealed_secrets"))
_apps, _drafts, _users, _releases = (
    App.__table__,
    Draft.__table__,
    User.__table__,
    Release.__table__,
)


def tenant_app_rows(tenant_id: str | BindParameter[str]) -> Select[Any]:
    """Apps of one tenant with their state, as rows for `apps_from_rows`.

    The same rows as `with_state`, as a Core select: reading apps is the dashboards'
    hottest path, and the ORM's loading machinery cost more than the query itself.
    """
    return (
        select(*_APP_COLUMNS, *_DRAFT_COLUMNS, *_USER_COLUMNS, *_RELEASE_COLUMNS)
        .select_from(
            _apps.outerjoin(_drafts, _drafts.c.id == _apps.c.current_draft_id)
            .outerjoin(_users, _users.c.id == _drafts.c.last_edited_by_id)
            .outerjoin(_releases, _releases.c.id == _apps.c.latest_release_id)
        )
        .where(_apps.c.tenant_id == tenant_id)
    )


_READ_APP = tenant_app_rows(bindparam("tenant_id")).where(
    _apps.c.id == bindparam("app_id")
)


_CUTS = [0]
for _group in (_APP_COLUMNS, _DRAFT_COLUMNS, _USER_COLUMNS, _RELEASE_COLUMNS):
    _CUTS.append(_CUTS[-1] + len(_group))


@dataclass(frozen=True, slots=True)
class AppParts:
    """One row of `tenant_app_rows`, split by table: column key to value.

    `user` and `release` are None when the draft has no editor or the app no release.
    """

    app: dict[str, Any]
    draft: dict[str, Any] | None
    user: dict[str, Any] | None
    release: dict[str, Any] | None


def _part(
    columns: Sequence[Column[Any]], values: Sequence[Any]
) -> dict[str, Any] | None:
    if values[0] is None:
        return None
    return dict(zip((c.key for c in columns), values, strict=True))


def _split(values: Sequence[Any]) -> AppParts:
    cuts = _CUTS
    app = _part(_APP_COLUMNS, values[cuts[0] : cuts[1]])
    if app is None:
        raise LookupError("an app row without an id")
    return AppParts(
        app=app,
        draft=_part(_DRAFT_COLUMNS, values[cuts[1] : cuts[2]]),
        user=_part(_USER_COLUMNS, values[cuts[2] : cuts[3]]),
        release=_part(_RELEASE_COLUMNS, values[cuts[3] : cuts[4]]),
    )


def _loaded(cls: type[M], values: dict[str, Any] | None) -> M | None:
    """A loaded-looking instance, filled as the ORM's own loader fills one."""
    if values is None:
        return None
    instance: M = cls.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    instance.__dict__.update(values)
    return instance


def app_from_parts(parts: AppParts) -> App:
    app = _loaded(App, parts.app)
    draft = _loaded(Draft, parts.draft)
    if app is None:
        raise LookupError("an app row without an id")
    if draft is not None:
        draft.__dict__["last_edited_by"] = _loaded(User, parts.user)
    app.__dict__["current_draft"] = draft
    app.__dict__["latest_release"] = _loaded(Release, parts.release)
    return app


def apps_from_rows(rows: Sequence[Row[Any]]) -> list[App]:
    return [app_from_parts(_split(tuple(row))) for row in rows]


_READ_APP_ON_DRIVER = compile_select(_READ_APP)


# What GET /apps/{id} shows and nothing more: no editor, no release details beyond
# its summary. Fewer columns and one join less than `_READ_APP`, for PostgreSQL and
# for decoding (issue 6, P1 and P7). Labels name each column for `read_document`.
_READ_SUMMARY_ON_DRIVER = compile_select(
    select(
        _apps.c.id,
        _apps.c.slug,
        _apps.c.name,
        _apps.c.description,
        _apps.c.company_url,
        _apps.c.server_instructions,
        _apps.c.branding,
        _apps.c.starter_template_id,
        _apps.c.public_mcp_id,
        _apps.c.created_at,
        _apps.c.updated_at,
        _drafts.c.id.label("draft_id"),
        _drafts.c.revision.label("draft_revision"),
        _drafts.c.has_changes.label("draft_has_changes"),
        _drafts.c.last_edited_at.label("draft_last_edited_at"),
        _releases.c.id.label("release_id"),
        _releases.c.version.label("release_version"),
        _releases.c.state.label("release_state"),
        _releases.c.published_at.label("release_published_at"),
    )
    .select_from(
        _apps.outerjoin(_drafts, _drafts.c.id == _apps.c.current_draft_id).outerjoin(
            _releases, _releases.c.id == _apps.c.latest_release_id
        )
    )
    .where(
        _apps.c.tenant_id == bindparam("tenant_id"), _apps.c.id == bindparam("app_id")
    )
)


async def read_app_summary(
    engine: AsyncEngine, *, tenant_id: str, app_id: str
) -> Mapping[str, Any] | None:
    """The columns of the app's read shape, by label (see `read_document`)."""
    record: Mapping[str, Any] | None = await fetch_row(
        engine, _READ_SUMMARY_ON_DRIVER, {"tenant_id": tenant_id, "app_id": app_id}
    )
    return record


async def read_app_parts(
    engine: AsyncEngine, *, tenant_id: str, app_id: str
) -> AppParts | None:
    """The app's row with its draft, the draft's last editor and the latest release.

    One select sent on the driver (drio.db.driver), outside the request's session.
    The engine's connections decode JSON as SQLAlchemy would (its asyncpg dialect
    sets the codecs on connect).
    """
    record = await fetch_row(
        engine, _READ_APP_ON_DRIVER, {"tenant_id": tenant_id, "app_id": app_id}
    )
    return _split(tuple(record)) if record is not None else None


async def get_app_for_update(
    session: AsyncSession, *, tenant_id: str, app_id: str
) -> App | None:
    """The app of `read_app_parts` as a session-bound ORM instance under a row lock."""
    params = {"tenant_id": tenant_id, "app_id": app_id}
    # Lock the app row alone first. Locking inside the eager-loading join would hand
    # a waiter the updated app row joined with the draft it replaced.
    if await session.scalar(_LOCK_APP, params) is None:
        return None
    app: App | None = await session.scalar(
        _GET_APP.execution_options(populate_existing=True), params
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
