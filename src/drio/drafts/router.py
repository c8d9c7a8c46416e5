from __future__ import annotations

from fastapi import Response

from drio.apps.dependencies import AppInScope
from drio.db.session import SessionDep
from drio.drafts import service as draft_service
from drio.drafts.schemas import (
    DraftChanges,
    DraftDetail,
    ValidationReport,
    draft_detail,
)
from drio.drafts.validation import validate
from drio.errors import error_responses
from drio.http import set_etag
from drio.routing import api_router

router = api_router("/apps/{app_id}/draft", tags=["drafts"])


@router.get("", responses=error_responses(401, 403, 404))
async def get_draft(
    session: SessionDep, response: Response, scoped: AppInScope
) -> DraftDetail:
    """Get the app's current draft with its whole content."""
    app, _ = scoped
    content = await draft_service.get_draft_content(session, app=app)
    set_etag(response, app.current_draft)
    return draft_detail(app.current_draft, content)


@router.get("/changes", responses=error_responses(401, 403, 404))
async def get_draft_changes(
    session: SessionDep, response: Response, scoped: AppInScope
) -> DraftChanges:
    """Summarize what the next release would ship, compared with the source release."""
    app, _ = scoped
    changes = await draft_service.get_changes(session, app=app)
    set_etag(response, app.current_draft)
    return DraftChanges.model_validate(changes)


@router.get("/validation", responses=error_responses(401, 403, 404))
async def get_draft_validation(
    session: SessionDep, response: Response, scoped: AppInScope
) -> ValidationReport:
    """Check whether the draft can be published, and what blocks it."""
    app, _ = scoped
    content = await draft_service.get_draft_content(session, app=app)
    set_etag(response, app.current_draft)
    return ValidationReport.model_validate(validate(content))
