"""Helpers that create test data through the API, as a client would."""

from __future__ import annotations

import secrets
from typing import Any

import httpx


async def create_app(
    client: httpx.AsyncClient, auth: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {"name": f"App {secrets.token_hex(3)}", **fields}
    response = await client.post("/api/v2/apps", json=body, headers=auth)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def publish(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v2/apps/{app_id}/releases", json=body or None, headers=auth
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is the error envelope with this status and code."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str)
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]
    return error
