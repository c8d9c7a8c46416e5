"""Keyset pagination with opaque cursors, shared by every list route."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import Row, Select, or_, tuple_
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


async def page_params(
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
    if query is not None and "\x00" in query:
        # PostgreSQL text cannot hold NUL, so the search would fail in the database.
        raise ValidationFailed.field(
            "query", "NUL characters are not allowed", "string_nul"
        )
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


_INT64 = (-(2**63), 2**63 - 1)


def _from_json(value: Any, column: InstrumentedAttribute[Any]) -> Any:
    """A cursor value back as the column's type; anything else is a forged cursor.

    The values go straight into the keyset comparison, so a value of the wrong type
    would otherwise reach PostgreSQL and fail there.
    """
    invalid = InvalidRequest("The cursor is not valid.")
    if value is None:
        if getattr(column.expression, "nullable", False):
            return None
        raise invalid
    expected = column.type.python_type
    if expected is datetime:
        if not isinstance(value, dict) or not isinstance(value.get("t"), str):
            raise invalid
        try:
            moment = datetime.fromisoformat(value["t"])
        except ValueError as exc:
            raise invalid from exc
        if moment.tzinfo is None:
            raise invalid
        return moment
    if expected is int:
        if type(value) is not int or not _INT64[0] <= value <= _INT64[1]:
            raise invalid
        return value
    if expected is str:
        if not isinstance(value, str) or "\x00" in value:
            raise invalid
        try:
            value.encode()
        except UnicodeEncodeError as exc:
            raise invalid from exc
        return value
    raise invalid


def _stamp(scope: str, sort: str, query: str | None) -> str:
    return hashlib.sha256(f"{scope}\0{sort}\0{query or ''}".encode()).hexdigest()[:16]


def cursor_for(scope: str, sort: str, query: str | None, values: list[Any]) -> str:
    """The cursor that resumes a list after the row with these sort-key values.

    `values` are the sort columns' values and then the id, as `paginate` reads them.
    """
    return _encode(
        {"s": _stamp(scope, sort, query), "v": [_to_json(v) for v in values]}
    )


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

    async def load(page: Select[Any]) -> list[T]:
        return list((await session.scalars(page)).unique())

    return await _paginate(statement, load, params=params, sorting=sorting, scope=scope)


async def paginate_rows(
    session: AsyncSession,
    statement: Select[Any],
    *,
    params: PageParams,
    sorting: Sorting,
    scope: str,
    build: Callable[[Sequence[Row[Any]]], list[T]],
) -> tuple[list[T], Page]:
    """`paginate` for a Core select: `build` turns its rows into the page's items.

    The items must have the sort columns as attributes, as ORM instances have.
    """

    async def load(page: Select[Any]) -> list[T]:
        return build((await session.execute(page)).all())

    return await _paginate(statement, load, params=params, sorting=sorting, scope=scope)


async def _paginate(
    statement: Select[Any],
    load: Callable[[Select[Any]], Awaitable[list[T]]],
    *,
    params: PageParams,
    sorting: Sorting,
    scope: str,
) -> tuple[list[T], Page]:
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
    stamp = _stamp(scope, sort, params.query)

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
        position = tuple(_from_json(v, k) for v, k in zip(values, keys, strict=True))
        row_key = tuple_(*keys)
        statement = statement.where(
            row_key < position if descending else row_key > position
        )

    order = [k.desc() if descending else k.asc() for k in keys]
    rows = await load(statement.order_by(*order).limit(params.limit + 1))
    has_more = len(rows) > params.limit
    rows = rows[: params.limit]
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = cursor_for(
            scope, sort, params.query, [getattr(last, k.key) for k in keys]
        )
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
