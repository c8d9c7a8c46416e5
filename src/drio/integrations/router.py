from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response, status

from drio.apps.dependencies import AppForWrite, AppInScope
from drio.db.session import SessionDep
from drio.errors import error_responses
from drio.http import set_etag, set_location
from drio.integrations import service as integration_service
from drio.integrations.schemas import (
    IntegrationCreate,
    IntegrationRead,
    IntegrationUpdate,
    OperationCreate,
    OperationRead,
    OperationUpdate,
    integration_read,
    operation_read,
)
from drio.pagination import PageParamsDep
from drio.routing import api_router
from drio.schemas import ListResponse

router = api_router("/apps/{app_id}")

IntegrationIdPath = Annotated[str, Path(description="The integration's id.")]
OperationIdPath = Annotated[str, Path(description="The operation's id.")]

_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422)


@router.get(
    "/integrations",
    tags=["integrations"],
    response_model=ListResponse[IntegrationRead],
    responses=error_responses(400, 401, 403, 404, 422),
)
async def list_integrations(
    session: SessionDep, response: Response, scoped: AppInScope, params: PageParamsDep
) -> ListResponse[IntegrationRead]:
    """List the integrations of the app's current draft."""
    app, _ = scoped
    rows, page = await integration_service.list_integrations(
        session, app=app, params=params
    )
    set_etag(response, app.current_draft)
    return ListResponse(data=[integration_read(r) for r in rows], page=page)


@router.post(
    "/integrations",
    tags=["integrations"],
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
async def create_integration(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    body: IntegrationCreate,
) -> IntegrationRead:
    """Add an integration (an external API) to the draft."""
    app, principal = scoped
    integration = await integration_service.create_integration(
        session, principal, app=app, data=body
    )
    set_location(
        request, response, f"/api/v2/apps/{app.id}/integrations/{integration.id}"
    )
    set_etag(response, app.current_draft)
    return integration_read(integration)


@router.get(
    "/integrations/{integration_id}",
    tags=["integrations"],
    responses=error_responses(401, 403, 404),
)
async def get_integration(
    session: SessionDep,
    response: Response,
    scoped: AppInScope,
    integration_id: IntegrationIdPath,
) -> IntegrationRead:
    """Get one integration."""
    app, _ = scoped
    integration = await integration_service.get_integration(
        session, app=app, integration_id=integration_id
    )
    set_etag(response, app.current_draft)
    return integration_read(integration)


@router.patch(
    "/integrations/{integration_id}", tags=["integrations"], responses=_WRITE_ERRORS
)
async def update_integration(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    integration_id: IntegrationIdPath,
    body: IntegrationUpdate,
) -> IntegrationRead:
    """Update an integration; default_headers is a merge patch."""
    app, principal = scoped
    integration = await integration_service.get_integration(
        session, app=app, integration_id=integration_id
    )
    await integration_service.update_integration(
        session, principal, app=app, integration=integration, data=body
    )
    set_etag(response, app.current_draft)
    return integration_read(integration)


@router.delete(
    "/integrations/{integration_id}",
    tags=["integrations"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412),
)
async def delete_integration(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    integration_id: IntegrationIdPath,
) -> None:
    """Delete an integration with its operations, unless a tool is bound to one."""
    app, principal = scoped
    integration = await integration_service.get_integration(
        session, app=app, integration_id=integration_id
    )
    await integration_service.delete_integration(
        session, principal, app=app, integration=integration
    )
    set_etag(response, app.current_draft)


@router.get(
    "/integrations/{integration_id}/operations",
    tags=["operations"],
    response_model=ListResponse[OperationRead],
    responses=error_responses(400, 401, 403, 404, 422),
)
async def list_operations(
    session: SessionDep,
    response: Response,
    scoped: AppInScope,
    integration_id: IntegrationIdPath,
    params: PageParamsDep,
) -> ListResponse[OperationRead]:
    """List the operations of an integration."""
    app, _ = scoped
    integration = await integration_service.get_integration(
        session, app=app, integration_id=integration_id
    )
    rows, page = await integration_service.list_operations(
        session, app=app, integration=integration, params=params
    )
    set_etag(response, app.current_draft)
    return ListResponse(data=[operation_read(r) for r in rows], page=page)


@router.post(
    "/integrations/{integration_id}/operations",
    tags=["operations"],
    status_code=status.HTTP_201_CREATED,
    responses=_WRITE_ERRORS,
)
async def create_operation(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    integration_id: IntegrationIdPath,
    body: OperationCreate,
) -> OperationRead:
    """Add an operation to an integration; its schemas must be valid JSON Schema."""
    app, principal = scoped
    integration = await integration_service.get_integration(
        session, app=app, integration_id=integration_id
    )
    operation = await integration_service.create_operation(
        session, principal, app=app, integration=integration, data=body
    )
    set_location(request, response, f"/api/v2/apps/{app.id}/operations/{operation.id}")
    set_etag(response, app.current_draft)
    return operation_read(operation)


@router.get(
    "/operations/{operation_id}",
    tags=["operations"],
    responses=error_responses(401, 403, 404),
)
async def get_operation(
    session: SessionDep,
    response: Response,
    scoped: AppInScope,
    operation_id: OperationIdPath,
) -> OperationRead:
    """Get one operation with its schemas and schema hash."""
    app, _ = scoped
    operation = await integration_service.get_operation(
        session, app=app, operation_id=operation_id
    )
    set_etag(response, app.current_draft)
    return operation_read(operation)


@router.patch(
    "/operations/{operation_id}", tags=["operations"], responses=_WRITE_ERRORS
)
async def update_operation(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    operation_id: OperationIdPath,
    body: OperationUpdate,
) -> OperationRead:
    """Update an operation; changing a schema moves its schema_hash."""
    app, principal = scoped
    operation = await integration_service.get_operation(
        session, app=app, operation_id=operation_id
    )
    await integration_service.update_operation(
        session, principal, app=app, operation=operation, data=body
    )
    set_etag(response, app.current_draft)
    return operation_read(operation)


@router.delete(
    "/operations/{operation_id}",
    tags=["operations"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412),
)
async def delete_operation(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    operation_id: OperationIdPath,
) -> None:
    """Delete an operation that no tool is bound to."""
    app, principal = scoped
    operation = await integration_service.get_operation(
        session, app=app, operation_id=operation_id
    )
    await integration_service.delete_operation(
        session, principal, app=app, operation=operation
    )
    set_etag(response, app.current_draft)


# The same operations, addressed under their integration. The contract names both
# forms, so both work; an operation of another integration is a 404 here.
NESTED_OPERATION = "/integrations/{integration_id}/operations/{operation_id}"


@router.get(
    NESTED_OPERATION, tags=["operations"], responses=error_responses(401, 403, 404)
)
async def get_integration_operation(
    session: SessionDep,
    response: Response,
    scoped: AppInScope,
    integration_id: IntegrationIdPath,
    operation_id: OperationIdPath,
) -> OperationRead:
    """Get one operation of an integration."""
    app, _ = scoped
    operation = await integration_service.get_operation(
        session, app=app, operation_id=operation_id, integration_id=integration_id
    )
    set_etag(response, app.current_draft)
    return operation_read(operation)


@router.patch(NESTED_OPERATION, tags=["operations"], responses=_WRITE_ERRORS)
async def update_integration_operation(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    integration_id: IntegrationIdPath,
    operation_id: OperationIdPath,
    body: OperationUpdate,
) -> OperationRead:
    """Update an operation of an integration."""
    app, principal = scoped
    operation = await integration_service.get_operation(
        session, app=app, operation_id=operation_id, integration_id=integration_id
    )
    await integration_service.update_operation(
        session, principal, app=app, operation=operation, data=body
    )
    set_etag(response, app.current_draft)
    return operation_read(operation)


@router.delete(
    NESTED_OPERATION,
    tags=["operations"],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412),
)
async def delete_integration_operation(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    integration_id: IntegrationIdPath,
    operation_id: OperationIdPath,
) -> None:
    """Delete an operation of an integration that no tool is bound to."""
    app, principal = scoped
    operation = await integration_service.get_operation(
        session, app=app, operation_id=operation_id, integration_id=integration_id
    )
    await integration_service.delete_operation(
        session, principal, app=app, operation=operation
    )
    set_etag(response, app.current_draft)
