"""Keyset pagination with opaque cursors, shared by every list route."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Select, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from drio.errors import InvalidRequest, ValidationFailed
from drio.schemas import Page

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class PageParams:
    cursor: str | None
    limit: int
    sort: str | None
    query: str | None


def page_params(
    cursor: Annotated[
        str | None,
        Query(max_length=2048, description="Opaque cursor from page.next_cursor."),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page, 1 to 100.")
    ] = DEFAULT_LIMIT,
    sort: Annotated[
        str | None,
        Query(
            max_length=64,
            description="A field name, with a leading - for descending order.",
        ),
    ] = None,
    query: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Case-insensitive substring of name, slug or key.",
        ),
    ] = None,
) -> PageParams:
    return PageParams(cursor=cursor, limit=limit, sort=sort, query=query)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


@dataclass(frozen=True, slots=True)
class Sorting:
    """The sort fields a list allows: each name orders by its columns, then by id."""

    fields: dict[str, Sequence[InstrumentedAttribute[Any]]]
    default: str
    id_column: InstrumentedAttribute[Any]
    search: Sequence[InstrumentedAttribute[Any]] = ()


def _encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRequest("The cursor is not valid.") from exc
    if not isinstance(payload, dict):
        raise InvalidRequest("The cursor is not valid.")
    return payload


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("t"), str):
        try:
            return datetime.fromisoformat(value["t"])
        except ValueError as exc:
            raise InvalidRequest("The cursor is not valid.") from exc
    if value is not None and not isinstance(value, str | int | float):
        raise InvalidRequest("The cursor is not valid.")
    return value


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def paginate(
    session: AsyncSession,
    statement: Select[T],
    *,
    params: PageParams,
    sorting: Sorting,
    scope: str,
) -> tuple[list[T], Page]:
    """Run one page of `statement`; `scope` ties cursors to this list and tenant."""
    sort = params.sort or sorting.default
    name = sort.removeprefix("-")
    descending = sort.startswith("-")
    columns = sorting.fields.get(name)
    if columns is None:
        allowed = ", ".join(sorted(sorting.fields))
        raise ValidationFailed.field(
            "sort", f"unknown sort field '{name}' (allowed: {allowed})", "enum"
        )
    keys = [*columns, sorting.id_column]
    stamp = hashlib.sha256(
        f"{scope}\0{sort}\0{params.query or ''}".encode()
    ).hexdigest()[:16]

    if params.query and sorting.search:
        pattern = f"%{_escape_like(params.query)}%"
        statement = statement.where(
            or_(*(column.ilike(pattern, escape="\\") for column in sorting.search))
        )
    if params.cursor:
        payload = _decode(params.cursor)
        values = payload.get("v")
        if (
            payload.get("s") != stamp
            or not isinstance(values, list)
            or len(values) != len(keys)
        ):
            raise InvalidRequest(
                "The cursor does not belong to this list, sort or query."
            )
        position = tuple(_from_json(v) for v in values)
        row_key = tuple_(*keys)
        statement = statement.where(
            row_key < position if descending else row_key > position
        )

    order = [k.desc() if descending else k.asc() for k in keys]
    rows = list(
        (
            await session.scalars(statement.order_by(*order).limit(params.limit + 1))
        ).unique()
    )
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if has_more:
        last = rows[-1]
        values = [_to_json(getattr(last, k.key)) for k in keys]
        next_cursor = _encode({"s": stamp, "v": values})
    return rows, Page(has_more=has_more, next_cursor=next_cursor)


def paginate_static(
    items: Sequence[dict[str, Any]],
    *,
    params: PageParams,
    sort_fields: Sequence[str],
    default: str,
    search: Sequence[str],
    scope: str,
) -> tuple[list[dict[str, Any]], Page]:
    """One page of a small list held in memory (the shipped catalogs).

    Same rules as `paginate`: keyset on (sort field, id), cursors tied to the list.
    """
    sort = params.sort or default
    name = sort.removeprefix("-")
    descending = sort.startswith("-")
    if name not in sort_fields:
        allowed = ", ".join(sorted(sort_fields))
        raise ValidationFailed.field(
            "sort", f"unknown sort field '{name}' (allowed: {allowed})", "enum"
        )
    stamp = hashlib.sha256(
        f"{scope}\0{sort}\0{params.query or ''}".encode()
    ).hexdigest()[:16]

    def position(item: dict[str, Any]) -> tuple[str, str]:
        return (str(item.get(name) or ""), str(item["id"]))

    rows = list(items)
    if params.query:
        needle = params.query.lower()
        rows = [
            item
            for item in rows
            if any(needle in str(item.get(f) or "").lower() for f in search)
        ]
    rows.sort(key=position, reverse=descending)
    if params.cursor:
        payload = _decode(params.cursor)
        values = payload.get("v")
        if (
            payload.get("s") != stamp
            or not isinstance(values, list)
            or len(values) != 2
            or not all(isinstance(v, str) for v in values)
        ):
            raise InvalidRequest(
                "The cursor does not belong to this list, sort or query."
            )
        after = (values[0], values[1])
        rows = [
            item
            for item in rows
            if (position(item) < after if descending else position(item) > after)
        ]
    page = rows[: params.limit]
    has_more = len(rows) > params.limit
    next_cursor = (
        _encode({"s": stamp, "v": list(position(page[-1]))}) if has_more else None
    )
    return page, Page(has_more=has_more, next_cursor=next_cursor)
