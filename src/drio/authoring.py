"""Rules every authoring resource shares: keys, lookups inside the app, references.

Authoring resources are rows keyed by app_id: an app has one current draft, so its
rows are that draft. Callers that write hold the app's row lock (AppForWrite), so
choosing a key and checking it is free cannot race with another write to the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from drio.errors import KeyTaken, NotFound, ResourceInUse, ValidationFailed
from drio.ids import is_id
from drio.models.auth_connection import AuthConnection
from drio.models.integration import Integration, Operation
from drio.models.tool import Tool
from drio.models.widget import Widget
from drio.pagination import Sorting
from drio.schemas import slugify

R = TypeVar("R", AuthConnection, Integration, Operation, Tool, Widget)
M = TypeVar("M", bound=BaseModel)

KEY_MAX = 64


def app_rows(model: type[R], app_id: str) -> Select[R]:
    """The only way to start a query on a resource: scoped to one app."""
    return select(model).where(model.app_id == app_id)


def sorting(model: type[R], *, default: str = "created_at") -> Sorting:
    fields: dict[str, Sequence[InstrumentedAttribute[Any]]] = {
        "created_at": [model.created_at],
        "updated_at": [model.updated_at],
        "name": [model.name],
    }
    return Sorting(
        fields=fields,
        default=default,
        id_column=model.id,
        search=[model.name, model.key],
    )


async def get_in_app(
    session: AsyncSession,
    model: type[R],
    *,
    app_id: str,
    resource_id: str,
    prefix: str,
    what: str,
    statement: Select[R] | None = None,
) -> R:
    """The resource of this app, or 404 (also for a malformed or foreign id)."""
    if not is_id(resource_id, prefix):
        raise NotFound(what)
    base = statement if statement is not None else app_rows(model, app_id)
    found: R | None = await session.scalar(base.where(model.id == resource_id))
    if found is None:
        raise NotFound(what)
    return found


async def check_reference(
    session: AsyncSession,
    model: type[R],
    *,
    app_id: str,
    resource_id: str,
    prefix: str,
    field: str,
) -> R:
    """A referenced resource must be in the same app: else 422 naming the field."""
    found: R | None = None
    if is_id(resource_id, prefix):
        found = await session.scalar(
            app_rows(model, app_id).where(model.id == resource_id)
        )
    if found is None:
        raise ValidationFailed.field(
            field, f"no {prefix.replace('_', ' ')} with this id in the app", "reference"
        )
    return found


async def _keys_like(
    session: AsyncSession, model: type[R], *, app_id: str, base: str
) -> set[str]:
    rows = await session.scalars(
        select(model.key).where(
            model.app_id == app_id,
            (model.key == base) | model.key.startswith(f"{base}-", autoescape=True),
        )
    )
    return set(rows)


async def choose_key(
    session: AsyncSession,
    model: type[R],
    *,
    app_id: str,
    key: str | None,
    name: str,
    fallback: str,
    current_id: str | None = None,
) -> str:
    """An explicit key must be free (409 key_taken); else derive one from the name."""
    if key is not None:
        owner = await session.scalar(
            select(model.id).where(model.app_id == app_id, model.key == key)
        )
        if owner is not None and owner != current_id:
            raise KeyTaken(f"The key '{key}' is already used in this app.")
        return key
    derived = slugify(name, max_length=KEY_MAX - 4, allow_underscore=True)
    # Keys start with a letter or digit; "_private_" becomes "private".
    base = derived.strip("_-") or fallback
    taken = await _keys_like(session, model, app_id=app_id, base=base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def refuse_if_referenced(what: str, references: list[tuple[str, str]]) -> None:
    """409 resource_in_use listing who still points at the resource."""
    if not references:
        return
    unique = sorted(set(references))
    raise ResourceInUse(
        f"The {what} is still referenced; remove the references first.",
        details={
            "references": [
                {"entity_type": entity_type, "entity_id": entity_id}
                for entity_type, entity_id in unique
            ]
        },
    )


def parse_nested(model: type[M], value: Any, *, field: str) -> M:
    """Validate a nested object after a merge patch; errors name `field.member`."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        errors = [
            {
                "field": ".".join([field, *(str(p) for p in e["loc"])]),
                "message": "Unknown field."
                if e["type"] == "extra_forbidden"
                else e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
        raise ValidationFailed(
            f"The request is invalid: {summary}", details={"errors": errors}
        ) from None
