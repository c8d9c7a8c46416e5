"""Auth connections: how an app signs in to the systems its integrations call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from drio.auth.principal import Principal
from drio.auth_connections.schemas import (
    CONFIG_MODELS,
    SECRETS_FOR_KIND,
    AuthConnectionCreate,
    AuthConnectionUpdate,
    SecretsInput,
    to_read,
)
from drio.authoring import (
    app_rows,
    choose_key,
    get_in_app,
    parse_nested,
    refuse_if_referenced,
    sorting,
)
from drio.catalogs.providers import AUTH_PROVIDERS
from drio.crypto import SecretBox
from drio.drafts.content import Item, Section, register_section
from drio.drafts.service import record_edit
from drio.errors import ValidationFailed
from drio.ids import new_id
from drio.logging import log
from drio.models.app import App
from drio.models.auth_connection import AuthConnection
from drio.models.integration import Integration
from drio.pagination import PageParams, paginate
from drio.schemas import Page, merge_patch
from drio.timeutil import utcnow

SORTING = sorting(AuthConnection)


def _checked_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_nested(CONFIG_MODELS[kind], config, field="config")
    return parsed.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def _apply_secrets(
    box: SecretBox, *, kind: str, current: dict[str, Any], secrets: SecretsInput
) -> dict[str, Any]:
    result = dict(current)
    allowed = SECRETS_FOR_KIND[kind]
    for name in sorted(secrets.model_fields_set):
        value = getattr(secrets, name)
        if value is None:
            result.pop(name, None)
            continue
        if name != allowed:
            raise ValidationFailed.field(
                f"secrets.{name}",
                f"{kind} connections take only the secret '{allowed}'",
                "extra_forbidden",
            )
        result[name] = box.encrypt(value.get_secret_value())
    return result


async def list_auth_connections(
    session: AsyncSession, *, app: App, params: PageParams
) -> tuple[list[AuthConnection], Page]:
    return await paginate(
        session,
        app_rows(AuthConnection, app.id),
        params=params,
        sorting=SORTING,
        scope=f"auth_connections\0{app.id}",
    )


async def get_auth_connection(
    session: AsyncSession, *, app: App, auth_connection_id: str
) -> AuthConnection:
    return await get_in_app(
        session,
        AuthConnection,
        app_id=app.id,
        resource_id=auth_connection_id,
        prefix="auth",
        what="auth connection",
    )


async def create_auth_connection(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    data: AuthConnectionCreate,
    box: SecretBox,
) -> AuthConnection:
    provider = AUTH_PROVIDERS.get(data.provider_key)
    if provider is None:
        known = ", ".join(sorted(AUTH_PROVIDERS))
        raise ValidationFailed.field(
            "provider_key", f"unknown auth provider (known: {known})", "enum"
        )
    kind = data.kind or provider.kind
    if kind != provider.kind:
        raise ValidationFailed.field(
            "kind", f"the provider '{provider.key}' makes {provider.kind} connections"
        )
    config = _checked_config(kind, merge_patch(provider.presets, data.config or {}))
    key = await choose_key(
        session,
        AuthConnection,
        app_id=app.id,
        key=data.key,
        name=data.name,
        fallback="auth",
    )
    secrets = (
        _apply_secrets(box, kind=kind, current={}, secrets=data.secrets)
        if data.secrets is not None
        else {}
    )

    now = utcnow()
    connection = AuthConnection(
        id=new_id("auth"),
        app_id=app.id,
        key=key,
        name=data.name,
        provider_key=provider.key,
        kind=kind,
        config=config,
        secrets_encrypted=secrets,
        secrets_updated_at=now if secrets else None,
        created_at=now,
        updated_at=now,
    )
    session.add(connection)
    await record_edit(session, principal, app=app)
    log.info("auth_connection.created", auth_connection_id=connection.id)
    return connection


async def update_auth_connection(
    session: AsyncSession,
    principal: Principal,
    *,
    app: App,
    connection: AuthConnection,
    data: AuthConnectionUpdate,
    box: SecretBox,
) -> AuthConnection:
    if data.has("key") and data.key is not None:
        connection.key = await choose_key(
            session,
            AuthConnection,
            app_id=app.id,
            key=data.key,
            name=connection.name,
            fallback="auth",
            current_id=connection.id,
        )
    if data.has("name") and data.name is not None:
        connection.name = data.name
    if data.has("config"):
        merged = (
            {} if data.config is None else merge_patch(connection.config, data.config)
        )
        connection.config = _checked_config(connection.kind, merged)
    if data.has("secrets"):
        secrets = (
            {}
            if data.secrets is None
            else _apply_secrets(
                box,
                kind=connection.kind,
                current=connection.secrets_encrypted,
                secrets=data.secrets,
            )
        )
        if secrets != connection.secrets_encrypted:
            connection.secrets_encrypted = secrets
            connection.secrets_updated_at = utcnow()
    connection.updated_at = utcnow()
    await record_edit(session, principal, app=app)
    return connection


async def delete_auth_connection(
    session: AsyncSession, principal: Principal, *, app: App, connection: AuthConnection
) -> None:
    users = await session.scalars(
        select(Integration.id).where(
            Integration.app_id == app.id,
            Integration.auth_connection_id == connection.id,
        )
    )
    refuse_if_referenced(
        "auth connection", [("integration", integration_id) for integration_id in users]
    )
    await session.delete(connection)
    await record_edit(session, principal, app=app)
    log.info("auth_connection.deleted", auth_connection_id=connection.id)


async def _load_section(session: AsyncSession, app: App) -> list[Item]:
    rows = await session.scalars(
        app_rows(AuthConnection, app.id).order_by(AuthConnection.id)
    )
    return [to_read(row).model_dump(mode="json") for row in rows]


async def _seal(session: AsyncSession, app: App) -> dict[str, Any]:
    rows = await session.execute(
        select(AuthConnection.id, AuthConnection.secrets_encrypted).where(
            AuthConnection.app_id == app.id
        )
    )
    return {
        row.id: dict(row.secrets_encrypted) for row in rows if row.secrets_encrypted
    }


register_section(
    Section(
        name="auth_connections",
        entity_type="auth_connection",
        load=_load_section,
        seal=_seal,
        table=AuthConnection.__tablename__,
    )
)
