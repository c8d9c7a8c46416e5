"""Idempotency-Key support for POST requests, stored in PostgreSQL.

The key is claimed with a transaction-scoped advisory lock and its outcome is stored in
the same transaction as the work itself. So a key is either unused (the work was rolled
back, and a retry does it), in use (409 while the first request runs), or done (the
stored response is replayed), and nothing in between survives a crash.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from drio.errors import IdempotencyKeyInUse, IdempotencyKeyReused, InvalidRequest
from drio.models.idempotency import IdempotencyKey
from drio.timeutil import utcnow

HEADER = "idempotency-key"
RETENTION = timedelta(hours=24)
_REPLAYED_HEADERS = ("content-type", "location", "etag")


def read_key(request: Request) -> str | None:
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not 1 <= len(value) <= 255 or not value.isprintable() or not value.isascii():
        raise InvalidRequest(
            "Idempotency-Key must be 1 to 255 printable ASCII characters."
        )
    return value


def fingerprint(request: Request, body: bytes) -> str:
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("latin-1")
    material = f"{request.method}\n{request.url.path}\n{canonical}"
    return hashlib.sha256(material.encode()).hexdigest()


def _lock_id(tenant_id: str, key: str) -> int:
    digest = hashlib.sha256(f"{tenant_id}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def claim(
    session: AsyncSession, *, tenant_id: str, key: str, print_: str
) -> Response | None:
    """Claim the key for this request, or return the stored response to replay."""
    locked = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": _lock_id(tenant_id, key)}
    )
    if not locked:
        raise IdempotencyKeyInUse(
            "A request with this Idempotency-Key is still being processed."
        )
    stored = await session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.tenant_id == tenant_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at > func.now() - RETENTION,
        )
    )
    if stored is None:
        return None
    if stored.fingerprint != print_:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request.",
        )
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    return Response(
        content=stored.body, status_code=stored.status_code, headers=headers
    )


async def store(
    session: AsyncSession,
    *,
    tenant_id: str,
    key: str,
    print_: str,
    response: Response,
) -> None:
    headers: dict[str, Any] = {
        name: response.headers[name]
        for name in _REPLAYED_HEADERS
        if name in response.headers
    }
    values = {
        "tenant_id": tenant_id,
        "key": key,
        "fingerprint": print_,
        "status_code": response.status_code,
        "headers": headers,
        "body": bytes(response.body),
        "created_at": utcnow(),
    }
    statement = insert(IdempotencyKey).values(values)
    # An expired row with the same key is replaced.
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", "key"],
        set_={
            k: statement.excluded[k] for k in values if k not in ("tenant_id", "key")
        },
    )
    await session.execute(statement)
    if random.random() < 0.01:  # noqa: S311 - sampling, not security
        await session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.created_at < func.now() - RETENTION
            )
        )
