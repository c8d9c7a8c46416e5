"""Publishing drafts into immutable releases, and reading releases."""

from __future__ import annotations

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from drio.auth.principal import Principal
from drio.drafts.content import build_content, content_hash, fingerprint, seal_secrets
from drio.drafts.validation import validate
from drio.errors import DraftInvalid, NothingToPublish
from drio.ids import new_id
from drio.logging import log
from drio.models.app import App
from drio.models.draft import Draft
from drio.models.release import Release
from drio.pagination import PageParams, Sorting, paginate
from drio.schemas import Page
from drio.timeutil import utcnow
from drio.users import record_user

PUBLISHED = "published"
SUPERSEDED = "superseded"

RELEASE_SORTING = Sorting(
    fields={
        "created_at": [Release.created_at],
        "version": [Release.version],
    },
    default="-created_at",
    id_column=Release.id,
    search=[Release.notes],
)


async def publish_draft(
    session: AsyncSession, principal: Principal, *, app: App, notes: str | None
) -> tuple[Release, Draft]:
    """Freeze the current draft into a release and rotate the app to a new draft.

    The caller holds the app's row lock, so two publishes of one app run one after
    the other: the second finds nothing to publish, and versions never repeat or skip.
    The number of statements does not depend on the size of the draft.
    """
    draft = app.current_draft
    state = await fingerprint(session, app)
    if state == draft.source_content_hash:
        raise NothingToPublish("The draft has no changes since the last release.")
    content = await build_content(session, app)
    digest = content_hash(content)
    report = validate(content)
    if not report["ok"]:
        raise DraftInvalid(
            "The draft has blocking issues; fix them before publishing.", details=report
        )

    user = await record_user(session, principal)
    sealed = await seal_secrets(session, app)
    latest_version = await session.scalar(
        select(func.max(Release.version)).where(Release.app_id == app.id)
    )
    now = utcnow()
    release = Release(
        id=new_id("release"),
        app_id=app.id,
        draft_id=draft.id,
        version=(latest_version or 0) + 1,
        state=PUBLISHED,
        source_release_id=draft.source_release_id,
        has_changes=True,
        notes=notes,
        content=content,
        sealed_secrets=sealed,
        content_hash=digest,
        published_at=now,
        actor_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(release)
    # releases and drafts point at each other; insert the release first.
    await session.flush()
    if app.latest_release_id is not None:
        await session.execute(
            update(Release)
            .where(Release.id == app.latest_release_id)
            .values(state=SUPERSEDED, updated_at=now)
        )
    next_draft = Draft(
        id=new_id("draft"),
        app_id=app.id,
        # Revisions keep counting across drafts, so an old ETag never matches anew.
        revision=draft.revision + 1,
        source_release_id=release.id,
        content_hash=state,
        source_content_hash=state,
        has_changes=False,
        created_at=now,
        updated_at=now,
        last_edited_at=now,
        last_edited_by_id=None,
    )
    session.add(next_draft)
    await session.flush()
    app.current_draft_id = next_draft.id
    app.latest_release_id = release.id
    app.updated_at = now
    await session.flush()

    set_committed_value(release, "actor", user)
    set_committed_value(next_draft, "last_edited_by", None)
    set_committed_value(app, "current_draft", next_draft)
    set_committed_value(app, "latest_release", release)
    log.info(
        "app.published", app_id=app.id, release_id=release.id, version=release.version
    )
    return release, next_draft


def _app_releases(app: App) -> Select[Release]:
    return (
        select(Release)
        .where(Release.app_id == app.id)
        .options(joinedload(Release.actor), defer(Release.sealed_secrets))
    )


async def list_releases(
    session: AsyncSession, *, app: App, params: PageParams
) -> tuple[list[Release], Page]:
    # Content can be large and list items do not show it, so it is not loaded.
    statement = _app_releases(app).options(defer(Release.content))
    return await paginate(
        session,
        statement,
        params=params,
        sorting=RELEASE_SORTING,
        scope=f"releases\0{app.id}",
    )


async def get_release(
    session: AsyncSession, *, app: App, release_id: str
) -> Release | None:
    release: Release | None = await session.scalar(
        _app_releases(app).where(Release.id == release_id)
    )
    return release
