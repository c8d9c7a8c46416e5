"""The shipped starter templates and the drafts they seed.

A seed adds rows to a new app before its first draft is recorded, so it writes the
models directly (no revision to bump yet) and keeps every rule the routes keep:
bound tools carry their operation's schema hash, references stay inside the app.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from drio.ids import new_id
from drio.integrations.schemas import schema_hash
from drio.models.app import App
from drio.models.auth_connection import AuthConnection
from drio.models.integration import Integration, Operation
from drio.models.tool import Tool
from drio.models.widget import Widget
from drio.starters import Starter, register_starter
from drio.timeutil import utcnow


def _operation(
    integration: Integration,
    *,
    key: str,
    name: str,
    description: str,
    path: str,
    input_schema: dict[str, Any],
    output_schema: dict[str, Any],
) -> Operation:
    now = utcnow()
    return Operation(
        id=new_id("operation"),
        app_id=integration.app_id,
        integration_id=integration.id,
        key=key,
        name=name,
        description=description,
        method="GET",
        path=path,
        input_schema=input_schema,
        output_schema=output_schema,
        schema_hash=schema_hash(input_schema, output_schema),
        created_at=now,
        updated_at=now,
    )


def _tool(operation: Operation, *, name: str, description: str, order: int) -> Tool:
    now = utcnow()
    return Tool(
        id=new_id("tool"),
        app_id=operation.app_id,
        key=operation.key,
        name=name,
        description=description,
        kind="function",
        is_enabled=True,
        order=order,
        annotations={"read_only_hint": True, "open_world_hint": True},
        operation_id=operation.id,
        schema_hash_at_bind_time=operation.schema_hash,
        next_tool_ids=[],
        created_at=now,
        updated_at=now,
    )


def _widget(
    tool: Tool,
    *,
    key: str,
    name: str,
    type_: str,
    field_mappings: dict[str, str],
    actions: list[dict[str, Any]],
) -> Widget:
    now = utcnow()
    return Widget(
        id=new_id("widget"),
        app_id=tool.app_id,
        key=key,
        name=name,
        type=type_,
        tool_id=tool.id,
        display_mode="inline",
        visibility="visible",
        config={"field_mappings": field_mappings, "style": {}},
        actions=actions,
        created_at=now,
        updated_at=now,
    )


def _call_tool(trigger: str, target: Tool, template: str) -> dict[str, Any]:
    return {
        "trigger": trigger,
        "type": "call_tool",
        "target_tool_id": target.id,
        "url": None,
        "template": template,
        "call_mode": "once",
    }


def _search_input(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"query": {"type": "string", "description": description}},
        "required": ["query"],
    }


def _by_id_input(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": "string"}},
        "required": [name],
    }


async def _add_pair(
    session: AsyncSession,
    *,
    search: Operation,
    get: Operation,
    tool_names: tuple[tuple[str, str], tuple[str, str]],
) -> tuple[Tool, Tool]:
    session.add_all([search, get])
    await session.flush()
    (search_name, search_text), (get_name, get_text) = tool_names
    search_tool = _tool(search, name=search_name, description=search_text, order=0)
    get_tool = _tool(get, name=get_name, description=get_text, order=1)
    search_tool.next_tool_ids = [get_tool.id]
    session.add_all([search_tool, get_tool])
    await session.flush()
    return search_tool, get_tool


async def seed_support_faq(session: AsyncSession, app: App) -> None:
    now = utcnow()
    integration = Integration(
        id=new_id("integration"),
        app_id=app.id,
        key="help-centre",
        name="Help centre API",
        provider_key="http",
        base_url="https://help.example.com/api/v2",
        auth_connection_id=None,
        default_headers={"Accept": "application/json"},
        timeout_ms=10_000,
        created_at=now,
        updated_at=now,
    )
    session.add(integration)
    await session.flush()
    search = _operation(
        integration,
        key="search-articles",
        name="Search articles",
        description="Full-text search over help-centre articles.",
        path="/articles/search",
        input_schema=_search_input("Words to look for."),
        output_schema={
            "type": "object",
            "properties": {"articles": {"type": "array", "items": {"type": "object"}}},
        },
    )
    get = _operation(
        integration,
        key="get-article",
        name="Get article",
        description="Read one article with its body.",
        path="/articles/{article_id}",
        input_schema=_by_id_input("article_id"),
        output_schema={"type": "object"},
    )
    search_tool, get_tool = await _add_pair(
        session,
        search=search,
        get=get,
        tool_names=(
            ("Search articles", "Find help-centre articles that answer a question."),
            ("Get article", "Read a help-centre article in full."),
        ),
    )
    results = _widget(
        search_tool,
        key="article-results",
        name="Article results",
        type_="list",
        field_mappings={
            "title": "$.articles[*].title",
            "summary": "$.articles[*].summary",
        },
        actions=[_call_tool("item.select", get_tool, "{{ item.id }}")],
    )
    article = _widget(
        get_tool,
        key="article",
        name="Article",
        type_="markdown",
        field_mappings={"title": "$.title", "body": "$.body"},
        actions=[],
    )
    session.add_all([results, article])
    await session.flush()
    search_tool.widget_id = results.id
    get_tool.widget_id = article.id


async def seed_crm_contacts(session: AsyncSession, app: App) -> None:
    now = utcnow()
    connection = AuthConnection(
        id=new_id("auth"),
        app_id=app.id,
        key="crm-api-key",
        name="CRM API key",
        provider_key="api-key",
        kind="api_key",
        config={"header_name": "X-API-Key"},
        secrets_encrypted={},
        created_at=now,
        updated_at=now,
    )
    session.add(connection)
    await session.flush()
    integration = Integration(
        id=new_id("integration"),
        app_id=app.id,
        key="crm",
        name="CRM API",
        provider_key="http",
        base_url="https://crm.example.com/api",
        auth_connection_id=connection.id,
        default_headers={"Accept": "application/json"},
        timeout_ms=10_000,
        created_at=now,
        updated_at=now,
    )
    session.add(integration)
    await session.flush()
    search = _operation(
        integration,
        key="search-contacts",
        name="Search contacts",
        description="Find contacts by name, email or company.",
        path="/contacts",
        input_schema=_search_input("Name, email or company."),
        output_schema={
            "type": "object",
            "properties": {"contacts": {"type": "array", "items": {"type": "object"}}},
        },
    )
    get = _operation(
        integration,
        key="get-contact",
        name="Get contact",
        description="Read one contact with its recent activity.",
        path="/contacts/{contact_id}",
        input_schema=_by_id_input("contact_id"),
        output_schema={"type": "object"},
    )
    search_tool, get_tool = await _add_pair(
        session,
        search=search,
        get=get,
        tool_names=(
            ("Search contacts", "Search the CRM for contacts."),
            ("Get contact", "Show one CRM contact in detail."),
        ),
    )
    table = _widget(
        search_tool,
        key="contact-table",
        name="Contact table",
        type_="data-table",
        field_mappings={
            "name": "$.contacts[*].name",
            "email": "$.contacts[*].email",
            "company": "$.contacts[*].company",
        },
        actions=[_call_tool("row.select", get_tool, "{{ row.id }}")],
    )
    session.add(table)
    await session.flush()
    search_tool.widget_id = table.id


def register_starters() -> None:
    register_starter(
        Starter(
            id="support-faq",
            name="Support FAQ",
            description=(
                "Answers questions from a help-centre API: article search and "
                "reading tools, chained, with a result list and an article view."
            ),
            adds={"integrations": 1, "operations": 2, "tools": 2, "widgets": 2},
            seed=seed_support_faq,
        )
    )
    register_starter(
        Starter(
            id="crm-contacts",
            name="CRM contacts",
            description=(
                "Looks up contacts in a CRM over HTTP with an API key: search and "
                "detail tools, chained, and a contact table whose rows open a "
                "contact. Set the connection's api_key before publishing."
            ),
            adds={
                "auth_connections": 1,
                "integrations": 1,
                "operations": 2,
                "tools": 2,
                "widgets": 1,
            },
            seed=seed_crm_contacts,
        )
    )
