"""Every /api/v2 operation refuses a request without a valid token, in the envelope."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from drio.ids import new_id
from tests.factories import assert_error

_PARAM = re.compile(r"\{(\w+)_id\}")


def _operations(api: FastAPI) -> list[tuple[str, str]]:
    operations = []
    for path, item in api.openapi()["paths"].items():
        if not path.startswith("/api/v2"):
            continue
        concrete = _PARAM.sub(
            lambda m: new_id(m.group(1).replace("auth_connection", "auth")), path
        )
        operations.extend((method.upper(), concrete) for method in item)
    return operations


async def test_every_operation_needs_a_token(
    api: FastAPI, client: httpx.AsyncClient
) -> None:
    operations = _operations(api)

    assert len(operations) >= 10
    for method, path in operations:
        response = await client.request(
            method, path, json={} if method in ("POST", "PATCH", "PUT") else None
        )
        assert_error(response, 401, "unauthorized")
        assert "resource_metadata=" in response.headers["www-authenticate"]


async def test_every_operation_rejects_a_forged_token(
    api: FastAPI, client: httpx.AsyncClient
) -> None:
    forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}

    for method, path in _operations(api):
        response = await client.request(method, path, headers=forged)
        assert_error(response, 401, "unauthorized")
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
