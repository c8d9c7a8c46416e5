"""Tools: what an app's MCP server exposes, bound to operations and chained."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from drio.auth.principal import Principal
from drio.authoring import (
    app_rows,
    check_reference,
    choose_key,
    get_in_app,
    refuse_if_referenced,
)
from drio.drafts.content import Content, Item, Section, register_section
from drio.drafts.service import record_edit
from drio.drafts.validation import Issue, issue, reference, register_check
from drio.errors import ValidationFailed
from drio.ids import is_id, new_id
from drio.logging import log
from drio.models.app import App
from drio.models.integration import Operation
from drio.models.tool import Tool
from drio.models.widget import Widget
from drio.pagination import PageParams, Sorting, paginate
from drio.schemas import Page, merge_patch
from drio.timeutil import utcnow
from drio.tools.schemas import ToolCreate, ToolUpdate, to_read

SORTING = Sorting(
    fields={
        "order": [Tool.order, Tool.created_at],
        "created_at": [Tool.created_at],
        "updated_at": [Tool.updated_at],
        "name": [Tool.name],
    },
    default="order",
    id_column=Tool.id,
    search=[Tool.name, Tool.key],
)


def _app_tools(app: App) -> Select[Tool]:
    """Tools of the app with their bound operation, in the same query."""
    return app_rows(Tool, app.id).options(joinedload(Tool.operation))


async def list_tools(
    session: AsyncSession, *, app: App, params: PageParams
) -> tuple[list[Tool], Page]:
    return await paginate(
        session,
        _app_tools(app),
        params=params,
        sorting=SORTING,
        scope=f"tools\0{app.id}",
    )


async def get_tool(session: AsyncSession, *, app: App, tool_id: str) -> Tool:
    return await get_in_app(
        session,
        Tool,
        app_id=app.id,
        resource_id=tool_id,
        prefix="tool",
        what="tool",
        statement=_app_tools(app),
    )


def _annotations(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in merge_patch(current, patch).items() if v is not None}


async def create_tool(
    session: AsyncSession, principal: Principal, *, app: App, data: ToolCreate
) -> Tool:
    if data.widget_id is not None:
        await check_reference(
            session,
            Widget,
            app_id=app.id,
            resource_id=data.widget_id,
            prefix="widget",
            field="widget_id",
        )
    key = await choose_key(
        session, Tool, app_id=app.id, key=data.key, name=data.name, fallback="tool"
    )

    now = utcnow()
    tool = Tool(
        id=new_id("tool"),
        app_id=app.id,
        key=key,
        name=data.name,
        description=data.description,
        kind=data.kind,
        is_enabled=data.is_enabled,
        order=data.order,
        annotations=_annotations(
            {},
            data.annotations.model_dump(exclude_unset=True) if data.annotations else {},
        ),
        widget_id=data.widget_id,
        operation_id=None,
        schema_hash_at_bind_time=None,
        next_tool_ids=[],
        created_at=now,
        updated_at=now,
    )
    session.add(tool)
    set_committed_value(tool, "operation", None)
    await record_edit(session, principal, app=app)
    log.info("tool.created", tool_id=tool.id)
    return tool


async def update_tool(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    tool: Tool,
    data: ToolUpdate,
) -> Tool:
    if data.has("widget_id") and data.widget_id is not None:
        await check_reference(
            session,
            Widget,
            app_id=app.id,
            resource_id=data.widget_id,
            prefix="widget",
            field="widget_id",
        )
    if data.has("key") and data.key is not None:
        tool.key = await choose_key(
            session,
            Tool,
            app_id=app.id,
            key=data.key,
            name=tool.name,
            fallback="tool",
            current_id=tool.id,
        )

    if data.has("widget_id"):
        tool.widget_id = data.widget_id
    if data.has("name") and data.name is not None:
        tool.name = data.name
    if data.has("description"):
        tool.description = data.description or ""
    if data.has("kind") and data.kind is not None:
        tool.kind = data.kind
    if data.has("is_enabled") and data.is_enabled is not None:
        tool.is_enabled = data.is_enabled
    if data.has("order") and data.order is not None:
        tool.order = data.order
    if data.has("annotations"):
        tool.annotations = (
            {}
            if data.annotations is None
            else _annotations(
                tool.annotations, data.annotations.model_dump(exclude_unset=True)
            )
        )
    tool.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return tool


async def bind_tool(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    tool: Tool,
    operation_id: str | None,
) -> Tool:
    """Bind the tool to an operation, stamping its schema hash; None unbinds."""
    operation: Operation | None = None
    if operation_id is not None:
        operation = await check_reference(
            session,
            Operation,
            app_id=app.id,
            resource_id=operation_id,
            prefix="operation",
            field="operation_id",
        )

    tool.operation_id = operation.id if operation else None
    tool.schema_hash_at_bind_time = operation.schema_hash if operation else None
    set_committed_value(tool, "operation", operation)
    tool.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return tool


def _find_cycle(edges: dict[str, list[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start through the chain graph, if there is one."""
    stack: list[tuple[str, list[str]]] = [(n, [start, n]) for n in edges.get(start, [])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        if node == start:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((n, [*path, n]) for n in edges.get(node, []))
    return None


async def chain_tool(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    tool: Tool,
    next_tool_ids: list[str],
) -> Tool:
    """Replace the tool's successors: same app, no duplicates, no cycle anywhere."""
    if len(set(next_tool_ids)) != len(next_tool_ids):
        raise ValidationFailed.field(
            "next_tool_ids", "must not hold the same tool twice", "duplicate"
        )
    if tool.id in next_tool_ids:
        raise ValidationFailed.field(
            "next_tool_ids", "a tool cannot follow itself", "self_reference"
        )
    # The whole graph in one query: the new edges can only close a cycle through it.
    rows = await session.execute(
        select(Tool.id, Tool.next_tool_ids).where(Tool.app_id == app.id)
    )
    edges = {row.id: list(row.next_tool_ids) for row in rows}
    for index, next_id in enumerate(next_tool_ids):
        if not is_id(next_id, "tool") or next_id not in edges:
            raise ValidationFailed.field(
                f"next_tool_ids.{index}", "no tool with this id in the app", "reference"
            )
    edges[tool.id] = list(next_tool_ids)
    cycle = _find_cycle(edges, tool.id)
    if cycle is not None:
        message = "the chain would form a cycle"
        raise ValidationFailed(
            f"next_tool_ids: {message}",
            details={
                "errors": [
                    {"field": "next_tool_ids", "message": message, "type": "cycle"}
                ],
                "cycle": cycle,
            },
        )

    tool.next_tool_ids = list(next_tool_ids)
    tool.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return tool


async def delete_tool(
    session: AsyncSession, principal: Principal, *, app: App, tool: Tool
) -> None:
    """Delete a tool that no chain, widget or widget action names."""
    chained = await session.scalars(
        select(Tool.id).where(
            Tool.app_id == app.id, Tool.next_tool_ids.contains([tool.id])
        )
    )
    references = [("tool", tool_id) for tool_id in chained]
    widgets = await session.scalars(
        select(Widget.id).where(
            Widget.app_id == app.id,
            (Widget.tool_id == tool.id)
            | Widget.actions.contains([{"target_tool_id": tool.id}]),
        )
    )
    references += [("widget", widget_id) for widget_id in widgets]
    refuse_if_referenced("tool", references)

    await session.delete(tool)
    await record_edit(session, principal, app=app)
    log.info("tool.deleted", tool_id=tool.id)


async def _load_section(session: AsyncSession, app: App) -> list[Item]:
    rows = await session.scalars(_app_tools(app).order_by(Tool.id))
    return [to_read(row).model_dump(mode="json") for row in rows]


def _check_tools(content: Content) -> list[Issue]:
    operations = {o["id"]: o for o in content.get("operations", [])}
    found: list[Issue] = []
    for tool in content.get("tools", []):
        binding = tool.get("binding")
        if tool.get("is_enabled") and binding is None:
            found.append(
                issue(
                    "tool_unbound",
                    f"The enabled tool '{tool['name']}' is not bound to an operation.",
                    references=[reference("tool", tool)],
                )
            )
        if binding is not None and binding.get("status") == "stale":
            found.append(
                issue(
                    "binding_stale",
                    f"The operation bound to the tool '{tool['name']}' changed its "
                    "schemas since binding; bind it again.",
                    references=[
                        reference("tool", tool),
                        reference(
                            "operation",
                            operations.get(
                                binding["operation_id"], {"id": binding["operation_id"]}
                            ),
                        ),
                    ],
                )
            )
        if not tool.get("description"):
            found.append(
                issue(
                    "description_empty",
                    f"The tool '{tool['name']}' has no description.",
                    severity="warning",
                    references=[reference("tool", tool)],
                )
            )
    return found


register_section(
    Section(
        name="tools", entity_type="tool", load=_load_section, table=Tool.__tablename__
    )
)
register_check(_check_tools)
