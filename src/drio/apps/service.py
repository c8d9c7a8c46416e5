"""Business rules for apps: creation (with its first draft), updates, listing."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from drio.apps import repository
from drio.apps.schemas import AppCreate, AppUpdate, BrandingInput
from drio.auth.principal import Principal
from drio.drafts.content import fingerprint
from drio.drafts.service import record_edit
from drio.errors import SlugTaken, ValidationFailed
from drio.ids import new_id
from drio.models.app import App
from drio.models.draft import Draft
from drio.pagination import PageParams, Sorting, paginate_rows
from drio.schemas import Page, merge_patch, slugify
from drio.starters import STARTERS
from drio.timeutil import utcnow
from drio.users import record_user

APP_SORTING = Sorting(
    fields={
        "created_at": [App.created_at],
        "updated_at": [App.updated_at],
        "name": [App.name],
    },
    default="-created_at",
    id_column=App.id,
    search=[App.name, App.slug],
)


async def _lock_tenant_slugs(session: AsyncSession, tenant_id: str) -> None:
    """Serialize slug choices within a tenant, so derived slugs never collide."""
    digest = hashlib.sha256(f"slugs\0{tenant_id}".encode()).digest()
    lock_id = int.from_bytes(digest[:8], "big", signed=True)
    await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def _base_slug(name: str) -> str:
    base = slugify(name, max_length=56)
    if not base or not base[0].isalpha():
        base = f"app-{base}".rstrip("-")
    if len(base) < 3:
        base = f"{base}-app"
    return base[:56].rstrip("-")


async def _derive_slug(session: AsyncSession, *, tenant_id: str, name: str) -> str:
    base = _base_slug(name)
    taken = await repository.slugs_like(session, tenant_id=tenant_id, base=base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _branding(patch: BrandingInput | None, current: dict[str, Any]) -> dict[str, Any]:
    if patch is None:
        return current
    changes = patch.model_dump(mode="json", exclude_unset=True)
    return merge_patch(current, changes)


async def create_app(
    session: AsyncSession, principal: Principal, *, data: AppCreate
) -> App:
    starter = None
    if data.starter_template_id is not None:
        starter = STARTERS.get(data.starter_template_id)
        if starter is None:
            known = ", ".join(sorted(STARTERS)) or "none"
            raise ValidationFailed.field(
                "starter_template_id",
                f"unknown starter template (known: {known})",
                "enum",
            )
    user = await record_user(session, principal)
    tenant_id = principal.tenant_id

    await _lock_tenant_slugs(session, tenant_id)
    if data.slug is not None:
        if await repository.slug_exists(session, tenant_id=tenant_id, slug=data.slug):
            raise SlugTaken(f"The slug '{data.slug}' is already used by another app.")
        slug = data.slug
    else:
        slug = await _derive_slug(session, tenant_id=tenant_id, name=data.name)

    now = utcnow()
    app = App(
        id=new_id("app"),
        tenant_id=tenant_id,
        slug=slug,
        public_mcp_id=new_id("mcp"),
        starter_template_id=data.starter_template_id,
        name=data.name,
        description=data.description,
        company_url=data.company_url,
        server_instructions=data.server_instructions,
        branding=_branding(data.branding, {}),
        created_at=now,
        updated_at=now,
    )
    session.add(app)
    await session.flush()
    if starter is not None and starter.seed is not None:
        await starter.seed(session, app)
        await session.flush()

    digest = await fingerprint(session, app)
    draft = Draft(
        id=new_id("draft"),
        app_id=app.id,
        revision=1,
        source_release_id=None,
        content_hash=digest,
        source_content_hash=None,
        has_changes=True,
        created_at=now,
        updated_at=now,
        last_edited_at=now,
        last_edited_by_id=user.id,
    )
    session.add(draft)
    await session.flush()
    app.current_draft_id = draft.id
    await session.flush()
    set_committed_value(draft, "last_edited_by", user)
    set_committed_value(app, "current_draft", draft)
    set_committed_value(app, "latest_release", None)
    return app


async def update_app(
    session: AsyncSession, principal: Principal, *, app: App, data: AppUpdate
) -> App:
    if data.has("slug") and data.slug is not None and data.slug != app.slug:
        await _lock_tenant_slugs(session, app.tenant_id)
        if await repository.slug_exists(
            session, tenant_id=app.tenant_id, slug=data.slug
        ):
            raise SlugTaken(f"The slug '{data.slug}' is already used by another app.")
        app.slug = data.slug
    if data.has("name") and data.name is not None:
        app.name = data.name
    if data.has("description"):
        app.description = data.description
    if data.has("company_url"):
        app.company_url = data.company_url
    if data.has("server_instructions"):
        app.server_instructions = data.server_instructions
    if data.has("branding"):
        app.branding = (
            {} if data.branding is None else _branding(data.branding, app.branding)
        )

    await record_edit(session, principal, app=app)
    return app


async def list_apps(
    session: AsyncSession, principal: Principal, *, params: PageParams
) -> tuple[list[App], Page]:
    # Core rows, not ORM loading: a page of 50 apps cost 10 ms in the ORM (issue 6).
    return await paginate_rows(
        session,
        repository.tenant_app_rows(principal.tenant_id),
        params=params,
        sorting=APP_SORTING,
        scope=f"apps\0{principal.tenant_id}",
        build=repository.apps_from_rows,
    )
