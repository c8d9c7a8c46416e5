from __future__ import annotations

from typing import Annotated

from fastapi import Body, Path, Request, Response, status
from pydantic import BaseModel

from drio.apps.dependencies import AppForPublish, AppInScope
from drio.db.session import SessionDep
from drio.drafts.schemas import DraftRead
from drio.errors import NotFound, error_responses
from drio.http import set_etag, set_location
from drio.ids import is_id
from drio.pagination import PageParamsDep
from drio.releases import service as release_service
from drio.releases.schemas import (
    ReleaseCreate,
    ReleaseDetail,
    ReleaseRead,
    to_detail,
    to_read,
)
from drio.routing import api_router
from drio.schemas import ListResponse

router = api_router("/apps/{app_id}/releases", tags=["releases"])


class PublishResult(BaseModel):
    release: ReleaseRead
    next_draft: DraftRead


@router.get(
    "",
    response_model=ListResponse[ReleaseRead],
    responses=error_responses(400, 401, 403, 404, 422),
)
async def list_releases(
    request: Request, session: SessionDep, scoped: AppInScope, params: PageParamsDep
) -> ListResponse[ReleaseRead]:
    """List the app's releases, newest first by default."""
    app, _ = scoped
    releases, page = await release_service.list_releases(
        session, app=app, params=params
    )
    settings = request.app.state.settings
    return ListResponse(
        data=[
            to_read(r, public_mcp_id=app.public_mcp_id, settings=settings)
            for r in releases
        ],
        page=page,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
)
async def publish_app(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForPublish,
    body: Annotated[ReleaseCreate | None, Body()] = None,
) -> PublishResult:
    """Publish the current draft as a new release and move the app to a fresh draft."""
    app, principal = scoped
    notes = body.notes if body is not None else None
    release, next_draft = await release_service.publish_draft(
        session, principal, app=app, notes=notes
    )
    set_location(request, response, f"/api/v2/apps/{app.id}/releases/{release.id}")
    set_etag(response, next_draft)
    settings = request.app.state.settings
    return PublishResult(
        release=to_read(release, public_mcp_id=app.public_mcp_id, settings=settings),
        next_draft=DraftRead.model_validate(next_draft),
    )


@router.get("/{release_id}", responses=error_responses(401, 403, 404))
async def get_release(
    request: Request,
    session: SessionDep,
    scoped: AppInScope,
    release_id: Annotated[str, Path(description="The release's id.")],
) -> ReleaseDetail:
    """Get a release with its frozen content."""
    app, _ = scoped
    release = (
        await release_service.get_release(session, app=app, release_id=release_id)
        if is_id(release_id, "release")
        else None
    )
    if release is None:
        raise NotFound("release")
    return to_detail(
        release, public_mcp_id=app.public_mcp_id, settings=request.app.state.settings
    )
