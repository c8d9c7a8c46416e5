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
from drio.widgets import service as widget_service
from drio.widgets.schemas import (
    ActionsPut,
    WidgetCreate,
    WidgetRead,
    WidgetUpdate,
    to_read,
)

router = api_router("/apps/{app_id}/widgets", tags=["widgets"])

WidgetIdPath = Annotated[str, Path(description="The widget's id.")]

_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422)


@router.get(
    "",
    response_model=ListResponse[WidgetRead],
    responses=error_responses(400, 401, 403, 404, 422),
)
async def list_widgets(
    session: SessionDep, response: Response, scoped: AppInScope, params: PageParamsDep
) -> ListResponse[WidgetRead]:
    """List the widgets of the app's current draft."""
    app, _ = scoped
    rows, page = await widget_service.list_widgets(session, app=app, params=params)
    set_etag(response, app.current_draft)
    return ListResponse(data=[to_read(r) for r in rows], page=page)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_WRITE_ERRORS)
async def create_widget(
    request: Request,
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    body: WidgetCreate,
) -> WidgetRead:
    """Add a widget to the draft."""
    app, principal = scoped
    widget = await widget_service.create_widget(session, principal, app=app, data=body)
    set_location(request, response, f"/api/v2/apps/{app.id}/widgets/{widget.id}")
    set_etag(response, app.current_draft)
    return to_read(widget)


@router.get("/{widget_id}", responses=error_responses(401, 403, 404))
async def get_widget(
    session: SessionDep,
    response: Response,
    scoped: AppInScope,
    widget_id: WidgetIdPath,
) -> WidgetRead:
    """Get one widget with its actions."""
    app, _ = scoped
    widget = await widget_service.get_widget(session, app=app, widget_id=widget_id)
    set_etag(response, app.current_draft)
    return to_read(widget)


@router.patch("/{widget_id}", responses=_WRITE_ERRORS)
async def update_widget(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    widget_id: WidgetIdPath,
    body: WidgetUpdate,
) -> WidgetRead:
    """Update a widget; config is a merge patch."""
    app, principal = scoped
    widget = await widget_service.get_widget(session, app=app, widget_id=widget_id)
    await widget_service.update_widget(
        session, principal, app=app, widget=widget, data=body
    )
    set_etag(response, app.current_draft)
    return to_read(widget)


@router.delete(
    "/{widget_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 409, 412),
)
async def delete_widget(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    widget_id: WidgetIdPath,
) -> None:
    """Delete a widget that no tool names."""
    app, principal = scoped
    widget = await widget_service.get_widget(session, app=app, widget_id=widget_id)
    await widget_service.delete_widget(session, principal, app=app, widget=widget)
    set_etag(response, app.current_draft)


@router.put("/{widget_id}/actions", responses=_WRITE_ERRORS)
async def put_widget_actions(
    response: Response,
    session: SessionDep,
    scoped: AppForWrite,
    widget_id: WidgetIdPath,
    body: ActionsPut,
) -> WidgetRead:
    """Replace the widget's actions (at most 20)."""
    app, principal = scoped
    widget = await widget_service.get_widget(session, app=app, widget_id=widget_id)
    await widget_service.put_widget_actions(
        session, principal, app=app, widget=widget, actions=body.actions
    )
    set_etag(response, app.current_draft)
    return to_read(widget)
