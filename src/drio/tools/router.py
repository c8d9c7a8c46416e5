from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response, status

from drio.apps.dependencies import AppForWrite, AppInScope
from drio.db.session import SessionDep
from drio.errors import error_responses
from drio.http import set_etag, set_location
from drio.pagination import PageParamsDep
from drio.routing import api_router
from drio.schemas import ListResponse
from drio.tools import service as tool_service
from drio.tools.schemas import (
    BindingPut,
    ChainPut,
    ToolCreate,
    ToolRead,
    ToolUpdate,
    to_read,
)

router = api_router("/apps/{app_id}/tools", tags=["tools"])

ToolIdPath = Annotated[str, Path(description="The tool's id.")]

_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422)


@router.get(
    "",
    response_model=ListResponse[ToolRead],
    responses=error_responses(400, 401, 403, 404, 422),
)
async def list_tools(
    session: SessionDep, response: Response, scoped: AppInScope, params: PageParamsDep
) -> ListResponse[ToolRead]:
    """List the tools of the app's current draft, by `order` unless sorted."""
    app, _ = scoped
    rows, page = await tool_service.list_tools(session, app=app, params=params)
    set_etag(response, app.current_draft)
    return ListResponse(data=[to_read(r) for r in rows], page=page)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_WRITE_ERRORS)
async def create_tool(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    body: ToolCreate,
) -> ToolRead:
    """Add a tool to the draft; bind and chain it with the PUT routes."""
    app, principal = scoped
    tool = await tool_service.create_tool(session, principal, app=app, data=body)
    set_location(request, response, f"/api/v2/apps/{app.id}/tools/{tool.id}")
    set_etag(response, app.current_draft)
    return to_read(tool)


@router.get("/{tool_id}", responses=error_responses(401, 403, 404))
async def get_tool(
    session: SessionDep, response: Response, scoped: AppInScope, tool_id: ToolIdPath
) -> ToolRead:
    """Get one tool with its binding (and whether it is stale) and chain."""
    app, _ = scoped
    tool = await tool_service.get_tool(session, app=app, tool_id=tool_id)
    set_etag(response, app.current_draft)
    return to_read(tool)


@router.patch("/{tool_id}", responses=_WRITE_ERRORS)
async def update_tool(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    tool_id: ToolIdPath,
    body: ToolUpdate,
) -> ToolRead:
    """Update a tool; annotations is a merge patch."""
    app, principal = scoped
    tool = await tool_service.get_tool(session, app=app, tool_id=tool_id)
    await tool_service.update_tool(session, principal, app=app, tool=tool, data=body)
    set_etag(response, app.current_draft)
    return to_read(tool)


@router.delete(
    "/{tool_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412),
)
async def delete_tool(
    response: Response, session: SessionDep, scoped: AppForWrite, tool_id: ToolIdPath
) -> None:
    """Delete a tool that no chain, widget or widget action names."""
    app, principal = scoped
    tool = await tool_service.get_tool(session, app=app, tool_id=tool_id)
    await tool_service.delete_tool(session, principal, app=app, tool=tool)
    set_etag(response, app.current_draft)


@router.put("/{tool_id}/binding", responses=_WRITE_ERRORS)
async def put_tool_binding(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    tool_id: ToolIdPath,
    body: BindingPut,
) -> ToolRead:
    """Bind the tool to an operation of the app (or unbind with null)."""
    app, principal = scoped
    tool = await tool_service.get_tool(session, app=app, tool_id=tool_id)
    await tool_service.bind_tool(
        session, principal, app=app, tool=tool, operation_id=body.operation_id
    )
    set_etag(response, app.current_draft)
    return to_read(tool)


@router.put("/{tool_id}/chain", responses=_WRITE_ERRORS)
async def put_tool_chain(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    tool_id: ToolIdPath,
    body: ChainPut,
) -> ToolRead:
    """Replace the tools that may follow this one (at most 16, no cycles)."""
    app, principal = scoped
    tool = await tool_service.get_tool(session, app=app, tool_id=tool_id)
    await tool_service.chain_tool(
        session, principal, app=app, tool=tool, next_tool_ids=body.next_tool_ids
    )
    set_etag(response, app.current_draft)
    return to_read(tool)
