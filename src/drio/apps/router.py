from __future__ import annotations

import orjson
from fastapi import Request, Response, status

from drio.apps import service as app_service
from drio.apps.dependencies import AppForWrite, AppIdPath, read_summary_in_scope
from drio.apps.schemas import AppCreate, AppRead, AppUpdate, read_document, to_read
from drio.auth.dependencies import Reader, Writer
from drio.db.session import SessionDep
from drio.errors import error_responses
from drio.http import set_etag, set_location
from drio.pagination import PageParamsDep
from drio.routing import api_router
from drio.schemas import ListResponse

router = api_router("/apps", tags=["apps"])


@router.get(
    "",
    response_model=ListResponse[AppRead],
    responses=error_responses(400, 401, 403, 422),
)
async def list_apps(
    request: Request, session: SessionDep, principal: Reader, params: PageParamsDep
) -> ListResponse[AppRead]:
    """List the apps of the caller's organization (or user)."""
    apps, page = await app_service.list_apps(session, principal, params=params)
    settings = request.app.state.settings
    return ListResponse(data=[to_read(a, settings) for a in apps], page=page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 409, 413, 415, 422),
)
async def create_app(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: Writer,
    body: AppCreate,
) -> AppRead:
    """Create an app, blank or from a starter template, with its first draft."""
    app = await app_service.create_app(session, principal, data=body)
    set_location(request, response, f"/api/v2/apps/{app.id}")
    set_etag(response, app.current_draft)
    return to_read(app, request.app.state.settings)


@router.get(
    "/{app_id}", response_model=AppRead, responses=error_responses(401, 403, 404)
)
async def get_app(request: Request, app_id: AppIdPath) -> Response:
    """Get an app with its current draft and latest release summary."""
    # The hottest read of the API: the row is rendered straight to JSON, past the
    # dependency, the model and FastAPI's response validation (issue 6, P1).
    row = await read_summary_in_scope(request, app_id)
    document = read_document(row, request.app.state.settings)
    return Response(
        orjson.dumps(document),
        media_type="application/json",
        headers={"ETag": f'"{document["current_draft"]["revision"]}"'},
    )


@router.patch(
    "/{app_id}",
    responses=error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
)
async def update_app(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    body: AppUpdate,
) -> AppRead:
    """Update app metadata and branding (draft state) or its slug (immediate)."""
    app, principal = scoped
    await app_service.update_app(session, principal, app=app, data=body)
    set_etag(response, app.current_draft)
    return to_read(app, request.app.state.settings)
