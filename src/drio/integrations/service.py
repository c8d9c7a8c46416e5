"""Integrations (external APIs) and their operations (one call each)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from drio.auth.principal import Principal
from drio.authoring import (
    app_rows,
    check_reference,
    choose_key,
    get_in_app,
    refuse_if_referenced,
    sorting,
)
from drio.catalogs.providers import INTEGRATION_PROVIDERS, IntegrationProvider
from drio.drafts.content import Content, Item, Section, register_section
from drio.drafts.service import record_edit
from drio.drafts.validation import Issue, issue, reference, register_check
from drio.errors import ValidationFailed
from drio.ids import new_id
from drio.integrations.schemas import (
    IntegrationCreate,
    IntegrationUpdate,
    OperationCreate,
    OperationUpdate,
    check_json_schema,
    check_path,
    integration_read,
    operation_read,
    schema_hash,
)
from drio.logging import log
from drio.models.app import App
from drio.models.auth_connection import AuthConnection
from drio.models.integration import Integration, Operation
from drio.models.tool import Tool
from drio.pagination import PageParams, paginate
from drio.schemas import Page, merge_patch
from drio.timeutil import utcnow

INTEGRATION_SORTING = sorting(Integration)
OPERATION_SORTING = sorting(Operation)


async def _check_auth_connection(
    session: AsyncSession,
    *,
    app: App,
    provider: IntegrationProvider,
    auth_connection_id: str,
) -> None:
    connection = await check_reference(
        session,
        AuthConnection,
        app_id=app.id,
        resource_id=auth_connection_id,
        prefix="auth",
        field="auth_connection_id",
    )
    if not provider.accepts(connection.provider_key):
        accepted = ", ".join(provider.auth_provider_keys)
        raise ValidationFailed.field(
            "auth_connection_id",
            f"the provider '{provider.key}' accepts connections of {accepted}",
        )


async def list_integrations(
    session: AsyncSession, *, app: App, params: PageParams
) -> tuple[list[Integration], Page]:
    return await paginate(
        session,
        app_rows(Integration, app.id),
        params=params,
        sorting=INTEGRATION_SORTING,
        scope=f"integrations\0{app.id}",
    )


async def get_integration(
    session: AsyncSession, *, app: App, integration_id: str
) -> Integration:
    return await get_in_app(
        session,
        Integration,
        app_id=app.id,
        resource_id=integration_id,
        prefix="integration",
        what="integration",
    )


async def create_integration(
    session: AsyncSession, principal: Principal, *, app: App, data: IntegrationCreate
) -> Integration:
    provider = INTEGRATION_PROVIDERS.get(data.provider_key)
    if provider is None:
        known = ", ".join(sorted(INTEGRATION_PROVIDERS))
        raise ValidationFailed.field(
            "provider_key", f"unknown integration provider (known: {known})", "enum"
        )
    base_url = data.base_url or provider.base_url
    if base_url is None:
        raise ValidationFailed.field(
            "base_url", f"required for the provider '{provider.key}'", "missing"
        )
    if data.auth_connection_id is not None:
        await _check_auth_connection(
            session,
            app=app,
            provider=provider,
            auth_connection_id=data.auth_connection_id,
        )
    key = await choose_key(
        session,
        Integration,
        app_id=app.id,
        key=data.key,
        name=data.name,
        fallback="integration",
    )

    now = utcnow()
    integration = Integration(
        id=new_id("integration"),
        app_id=app.id,
        key=key,
        name=data.name,
        provider_key=provider.key,
        base_url=base_url,
        auth_connection_id=data.auth_connection_id,
        default_headers={**provider.default_headers, **(data.default_headers or {})},
        timeout_ms=data.timeout_ms,
        created_at=now,
        updated_at=now,
    )
    session.add(integration)
    await record_edit(session, principal, app=app)
    log.info("integration.created", integration_id=integration.id)
    return integration


async def update_integration(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    integration: Integration,
    data: IntegrationUpdate,
) -> Integration:
    if data.has("key") and data.key is not None:
        integration.key = await choose_key(
            session,
            Integration,
            app_id=app.id,
            key=data.key,
            name=integration.name,
            fallback="integration",
            current_id=integration.id,
        )
    if data.has("auth_connection_id") and data.auth_connection_id is not None:
        provider = INTEGRATION_PROVIDERS[integration.provider_key]
        await _check_auth_connection(
            session,
            app=app,
            provider=provider,
            auth_connection_id=data.auth_connection_id,
        )
    if data.has("auth_connection_id"):
        integration.auth_connection_id = data.auth_connection_id
    if data.has("name") and data.name is not None:
        integration.name = data.name
    if data.has("base_url") and data.base_url is not None:
        integration.base_url = data.base_url
    if data.has("timeout_ms") and data.timeout_ms is not None:
        integration.timeout_ms = data.timeout_ms
    if data.has("default_headers"):
        integration.default_headers = (
            {}
            if data.default_headers is None
            else merge_patch(integration.default_headers, data.default_headers)
        )
    integration.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return integration


async def delete_integration(
    session: AsyncSession, principal: Principal, *, app: App, integration: Integration
) -> None:
    """Delete the integration and its operations, unless a tool is bound to one."""
    bound = await session.scalars(
        select(Tool.id).where(
            Tool.app_id == app.id,
            Tool.operation_id.in_(
                select(Operation.id).where(Operation.integration_id == integration.id)
            ),
        )
    )
    refuse_if_referenced("integration", [("tool", tool_id) for tool_id in bound])
    # The operations go with it (ON DELETE CASCADE).
    await session.delete(integration)
    await record_edit(session, principal, app=app)
    log.info("integration.deleted", integration_id=integration.id)


async def list_operations(
    session: AsyncSession, *, app: App, integration: Integration, params: PageParams
) -> tuple[list[Operation], Page]:
    statement = app_rows(Operation, app.id).where(
        Operation.integration_id == integration.id
    )
    return await paginate(
        session,
        statement,
        params=params,
        sorting=OPERATION_SORTING,
        scope=f"operations\0{integration.id}",
    )


async def get_operation(
    session: AsyncSession, *, app: App, operation_id: str
) -> Operation:
    return await get_in_app(
        session,
        Operation,
        app_id=app.id,
        resource_id=operation_id,
        prefix="operation",
        what="operation",
    )


async def create_operation(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    integration: Integration,
    data: OperationCreate,
) -> Operation:
    check_json_schema(data.input_schema, field="input_schema")
    check_json_schema(data.output_schema, field="output_schema")
    check_path(data.path, data.input_schema)
    key = await choose_key(
        session,
        Operation,
        app_id=app.id,
        key=data.key,
        name=data.name,
        fallback="operation",
    )

    now = utcnow()
    operation = Operation(
        id=new_id("operation"),
        app_id=app.id,
        integration_id=integration.id,
        key=key,
        name=data.name,
        description=data.description,
        method=data.method.value,
        path=data.path,
        input_schema=data.input_schema,
        output_schema=data.output_schema,
        schema_hash=schema_hash(data.input_schema, data.output_schema),
        created_at=now,
        updated_at=now,
    )
    session.add(operation)
    await record_edit(session, principal, app=app)
    log.info("operation.created", operation_id=operation.id)
    return operation


async def update_operation(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    operation: Operation,
    data: OperationUpdate,
) -> Operation:
    input_schema = operation.input_schema
    output_schema = operation.output_schema
    if data.has("input_schema") and data.input_schema is not None:
        check_json_schema(data.input_schema, field="input_schema")
        input_schema = data.input_schema
    if data.has("output_schema") and data.output_schema is not None:
        check_json_schema(data.output_schema, field="output_schema")
        output_schema = data.output_schema
    path = data.path if data.has("path") and data.path is not None else operation.path
    check_path(path, input_schema)
    if data.has("key") and data.key is not None:
        operation.key = await choose_key(
            session,
            Operation,
            app_id=app.id,
            key=data.key,
            name=operation.name,
            fallback="operation",
            current_id=operation.id,
        )

    if data.has("name") and data.name is not None:
        operation.name = data.name
    if data.has("description"):
        operation.description = data.description or ""
    if data.has("method") and data.method is not None:
        operation.method = data.method.value
    operation.path = path
    operation.input_schema = input_schema
    operation.output_schema = output_schema
    # Moves exactly when a schema changes; tools bound earlier then read `stale`.
    operation.schema_hash = schema_hash(input_schema, output_schema)
    operation.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return operation


async def delete_operation(
    session: AsyncSession, principal: Principal, *, app: App, operation: Operation
) -> None:
    bound = await session.scalars(
        select(Tool.id).where(Tool.app_id == app.id, Tool.operation_id == operation.id)
    )
    refuse_if_referenced("operation", [("tool", tool_id) for tool_id in bound])
    await session.delete(operation)
    await record_edit(session, principal, app=app)
    log.info("operation.deleted", operation_id=operation.id)


async def _load_integrations(session: AsyncSession, app: App) -> list[Item]:
    rows = await session.scalars(app_rows(Integration, app.id).order_by(Integration.id))
    return [integration_read(row).model_dump(mode="json") for row in rows]


async def _load_operations(session: AsyncSession, app: App) -> list[Item]:
    rows = await session.scalars(app_rows(Operation, app.id).order_by(Operation.id))
    return [operation_read(row).model_dump(mode="json") for row in rows]


def _check_operations(content: Content) -> list[Issue]:
    bound = {
        (tool.get("binding") or {}).get("operation_id")
        for tool in content.get("tools", [])
    }
    found: list[Issue] = []
    for operation in content.get("operations", []):
        if operation["id"] not in bound:
            found.append(
                issue(
                    "operation_unused",
                    f"No tool is bound to the operation '{operation['name']}'.",
                    severity="warning",
                    references=[reference("operation", operation)],
                )
            )
        if not operation.get("description"):
            found.append(
                issue(
                    "description_empty",
                    f"The operation '{operation['name']}' has no description.",
                    severity="warning",
                    references=[reference("operation", operation)],
                )
            )
    return found


def _check_auth_connections(content: Content) -> list[Issue]:
    connections = {c["id"]: c for c in content.get("auth_connections", [])}
    used: set[str] = set()
    found: list[Issue] = []
    for integration in content.get("integrations", []):
        connection = connections.get(integration.get("auth_connection_id") or "")
        if connection is None:
            continue
        used.add(connection["id"])
        if connection["status"] != "ready":
            missing = ", ".join(connection["missing"])
            found.append(
                issue(
                    "auth_connection_incomplete",
                    f"The integration '{integration['name']}' uses the auth connection "
                    f"'{connection['name']}', which is missing: {missing}.",
                    references=[
                        reference("auth_connection", connection),
                        reference("integration", integration),
                    ],
                )
            )
    for connection in connections.values():
        if connection["id"] not in used:
            found.append(
                issue(
                    "auth_connection_unused",
                    f"No integration uses the auth connection '{connection['name']}'.",
                    severity="warning",
                    references=[reference("auth_connection", connection)],
                )
            )
    return found


register_section(
    Section(
        name="integrations",
        entity_type="integration",
        load=_load_integrations,
        table=Integration.__tablename__,
    )
)
register_section(
    Section(
        name="operations",
        entity_type="operation",
        load=_load_operations,
        table=Operation.__tablename__,
    )
)
register_check(_check_auth_connections)
register_check(_check_operations)
