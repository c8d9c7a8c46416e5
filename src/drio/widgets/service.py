"""Widgets: how a tool's result is shown, and what its items can trigger."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from drio.auth.principal import Principal
from drio.authoring import (
    app_rows,
    check_reference,
    choose_key,
    get_in_app,
    parse_nested,
    refuse_if_referenced,
    sorting,
)
from drio.drafts.content import Content, Item, Section, register_section
from drio.drafts.service import record_edit
from drio.drafts.validation import Issue, issue, reference, register_check
from drio.errors import ValidationFailed
from drio.ids import is_id, new_id
from drio.logging import log
from drio.models.app import App
from drio.models.tool import Tool
from drio.models.widget import Widget
from drio.pagination import PageParams, paginate
from drio.schemas import Page, merge_patch
from drio.timeutil import utcnow
from drio.widgets.schemas import (
    Action,
    ActionType,
    WidgetConfig,
    WidgetCreate,
    WidgetUpdate,
    to_read,
)

SORTING = sorting(Widget)


async def _checked_actions(
    session: AsyncSession, *, app: App, actions: list[Action], field: str
) -> list[dict[str, Any]]:
    """Every call_tool target is a tool of this app (one query for all of them)."""
    wanted = {a.target_tool_id for a in actions if a.target_tool_id is not None}
    known: set[str] = set()
    if wanted:
        rows = await session.scalars(
            select(Tool.id).where(Tool.app_id == app.id, Tool.id.in_(wanted))
        )
        known = set(rows)
    for index, action in enumerate(actions):
        target = action.target_tool_id
        if target is not None and (not is_id(target, "tool") or target not in known):
            raise ValidationFailed.field(
                f"{field}.{index}.target_tool_id",
                "no tool with this id in the app",
                "reference",
            )
    return [action.model_dump(mode="json") for action in actions]


def _config(value: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_nested(WidgetConfig, value, field="config")
    return parsed.model_dump(mode="json")


async def list_widgets(
    session: AsyncSession, *, app: App, params: PageParams
) -> tuple[list[Widget], Page]:
    return await paginate(
        session,
        app_rows(Widget, app.id),
        params=params,
        sorting=SORTING,
        scope=f"widgets\0{app.id}",
    )


async def get_widget(session: AsyncSession, *, app: App, widget_id: str) -> Widget:
    return await get_in_app(
        session,
        Widget,
        app_id=app.id,
        resource_id=widget_id,
        prefix="widget",
        what="widget",
    )


async def create_widget(
    session: AsyncSession, principal: Principal, *, app: App, data: WidgetCreate
) -> Widget:
    if data.tool_id is not None:
        await check_reference(
            session,
            Tool,
            app_id=app.id,
            resource_id=data.tool_id,
            prefix="tool",
            field="tool_id",
        )
    actions = await _checked_actions(
        session, app=app, actions=data.actions, field="actions"
    )
    key = await choose_key(
        session, Widget, app_id=app.id, key=data.key, name=data.name, fallback="widget"
    )

    now = utcnow()
    widget = Widget(
        id=new_id("widget"),
        app_id=app.id,
        key=key,
        name=data.name,
        type=data.type.value,
        tool_id=data.tool_id,
        display_mode=data.display_mode.value,
        visibility=data.visibility.value,
        config=(data.config or WidgetConfig()).model_dump(mode="json"),
        actions=actions,
        created_at=now,
        updated_at=now,
    )
    session.add(widget)
    await record_edit(session, principal, app=app)
    log.info("widget.created", widget_id=widget.id)
    return widget


async def update_widget(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    widget: Widget,
    data: WidgetUpdate,
) -> Widget:
    if data.has("tool_id") and data.tool_id is not None:
        await check_reference(
            session,
            Tool,
            app_id=app.id,
            resource_id=data.tool_id,
            prefix="tool",
            field="tool_id",
        )
    if data.has("config"):
        widget.config = _config(
            {} if data.config is None else merge_patch(widget.config, data.config)
        )
    if data.has("key") and data.key is not None:
        widget.key = await choose_key(
            session,
            Widget,
            app_id=app.id,
            key=data.key,
            name=widget.name,
            fallback="widget",
            current_id=widget.id,
        )

    if data.has("tool_id"):
        widget.tool_id = data.tool_id
    if data.has("name") and data.name is not None:
        widget.name = data.name
    if data.has("type") and data.type is not None:
        widget.type = data.type.value
    if data.has("display_mode") and data.display_mode is not None:
        widget.display_mode = data.display_mode.value
    if data.has("visibility") and data.visibility is not None:
        widget.visibility = data.visibility.value
    widget.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return widget


async def put_widget_actions(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    widget: Widget,
    actions: list[Action],
) -> Widget:
    widget.actions = await _checked_actions(
        session, app=app, actions=actions, field="actions"
    )
    widget.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return widget


async def delete_widget(
    session: AsyncSession, principal: Principal, *, app: App, widget: Widget
) -> None:
    users = await session.scalars(
        select(Tool.id).where(Tool.app_id == app.id, Tool.widget_id == widget.id)
    )
    refuse_if_referenced("widget", [("tool", tool_id) for tool_id in users])
    await session.delete(widget)
    await record_edit(session, principal, app=app)
    log.info("widget.deleted", widget_id=widget.id)


async def _load_section(session: AsyncSession, app: App) -> list[Item]:
    rows = await session.scalars(app_rows(Widget, app.id).order_by(Widget.id))
    return [to_read(row).model_dump(mode="json") for row in rows]


def _check_widgets(content: Content) -> list[Issue]:
    tools = {tool["id"] for tool in content.get("tools", [])}
    found: list[Issue] = []
    for widget in content.get("widgets", []):
        for index, action in enumerate(widget.get("actions", [])):
            if action["type"] == ActionType.call_tool:
                missing = action.get("target_tool_id") not in tools
            elif action["type"] == ActionType.open_url:
                missing = not action.get("url")
            else:
                missing = False
            if missing:
                found.append(
                    issue(
                        "widget_action_target_missing",
                        f"Action {index + 1} of the widget '{widget['name']}' "
                        f"({action['type']}) has no target.",
                        references=[reference("widget", widget)],
                    )
                )
    return found


register_section(
    Section(
        name="widgets",
        entity_type="widget",
        load=_load_section,
        table=Widget.__tablename__,
    )
)
register_check(_check_widgets)
