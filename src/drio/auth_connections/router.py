from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response, status

from drio.apps.dependencies import AppForWrite, AppInScope
from drio.auth_connections import service as auth_connection_service
from drio.auth_connections.schemas import (
    AuthConnectionCreate,
    AuthConnectionRead,
    AuthConnectionUpdate,
    to_read,
)
from drio.crypto import SecretBoxDep
from drio.db.session import SessionDep
from drio.errors import error_responses
from drio.http import set_etag, set_location
from drio.pagination import PageParamsDep
from drio.routing import api_router
from drio.schemas import ListResponse

router = api_router("/apps/{app_id}/auth-connections", tags=["auth-connections"])

AuthConnectionIdPath = Annotated[str, Path(description="The auth connection's id.")]


@router.get(
    "",
    response_model=ListResponse[AuthConnectionRead],
    responses=error_responses(400, 401, 403, 404, 422),
)
async def list_auth_connections(
    session: SessionDep, response: Response, scoped: AppInScope, params: PageParamsDep
) -> ListResponse[AuthConnectionRead]:
    """List the auth connections of the app's current draft."""
    app, _ = scoped
    rows, page = await auth_connection_service.list_auth_connections(
        session, app=app, params=params
    )
    set_etag(response, app.current_draft)
    return ListResponse(data=[to_read(r) for r in rows], page=page)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
)
async def create_auth_connection(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    body: AuthConnectionCreate,
    box: SecretBoxDep,
) -> AuthConnectionRead:
    """Add an auth connection to the draft; secrets are write-only."""
    app, principal = scoped
    connection = await auth_connection_service.create_auth_connection(
        session, principal, app=app, data=body, box=box
    )
    set_location(
        request, response, f"/api/v2/apps/{app.id}/auth-connections/{connection.id}"
    )
    set_etag(response, app.current_draft)
    return to_read(connection)


@router.get("/{auth_connection_id}", responses=error_responses(401, 403, 404))
async def get_auth_connection(
    session: SessionDep,
    response: Response,
    scoped: AppInScope,
    auth_connection_id: AuthConnectionIdPath,
) -> AuthConnectionRead:
    """Get one auth connection (never its secrets)."""
    app, _ = scoped
    connection = await auth_connection_service.get_auth_connection(
        session, app=app, auth_connection_id=auth_connection_id
    )
    set_etag(response, app.current_draft)
    return to_read(connection)


@router.patch(
    "/{auth_connection_id}",
    responses=error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
)
async def update_auth_connection(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    auth_connection_id: AuthConnectionIdPath,
    body: AuthConnectionUpdate,
    box: SecretBoxDep,
) -> AuthConnectionRead:
    """Update an auth connection; config and secrets are merge patches."""
    app, principal = scoped
    connection = await auth_connection_service.get_auth_connection(
        session, app=app, auth_connection_id=auth_connection_id
    )
    await auth_connection_service.update_auth_connection(
        session, principal, app=app, connection=connection, data=body, box=box
    )
    set_etag(response, app.current_draft)
    return to_read(connection)


@router.delete(
    "/{auth_connection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412),
)
async def delete_auth_connection(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    auth_connection_id: AuthConnectionIdPath,
) -> None:
    """Remove an auth connection that no integration uses."""
    app, principal = scoped
    connection = await auth_connection_service.get_auth_connection(
        session, app=app, auth_connection_id=auth_connection_id
    )
    await auth_connection_service.delete_auth_connection(
        session, principal, app=app, connection=connection
    )
    set_etag(response, app.current_draft)
