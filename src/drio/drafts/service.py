"""The current draft's bookkeeping: every write records an edit here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from drio.auth.principal import Principal
from drio.drafts.content import Content, build_content, diff, fingerprint
from drio.models.app import App
from drio.models.draft import Draft
from drio.models.release import Release
from drio.timeutil import utcnow
from drio.users import record_user


async def record_edit(
    session: AsyncSession, principal: Principal, *, app: App
) -> Draft:
    """Bump the draft's revision and refresh has_changes after a write to it.

    The caller holds the app's row lock (see AppForWrite), so revisions never repeat.
    """
    await session.flush()
    user = await record_user(session, principal)
    draft = app.current_draft
    now = utcnow()

    draft.revision += 1
    draft.content_hash = await fingerprint(session, app)
    draft.has_changes = draft.content_hash != draft.source_content_hash
    draft.last_edited_at = now
    draft.last_edited_by_id = user.id
    draft.updated_at = now
    app.updated_at = now
    await session.flush()
    set_committed_value(draft, "last_edited_by", user)
    return draft


async def get_draft_content(session: AsyncSession, *, app: App) -> Content:
    return await build_content(session, app)


async def get_source_content(session: AsyncSession, *, draft: Draft) -> Content | None:
    if draft.source_release_id is None:
        return None
    content: dict[str, Any] | None = await session.scalar(
        select(Release.content).where(Release.id == draft.source_release_id)
    )
    return content


async def get_changes(session: AsyncSession, *, app: App) -> dict[str, Any]:
    draft = app.current_draft
    current = await build_content(session, app)
    source = await get_source_content(session, draft=draft)
    changes = diff(source, current, app_id=app.id) if draft.has_changes else []
    summary = {"added": 0, "updated": 0, "removed": 0}
    for change in changes:
        summary[change["change"]] += 1
    return {
        "draft_id": draft.id,
        "source_release_id": draft.source_release_id,
        "has_changes": draft.has_changes,
        "summary": summary,
        "changes": changes,
    }
