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


async def create_resource(
    client: httpx.AsyncClient, auth: dict[str, str], route: str, /, **body: Any
) -> dict[str, Any]:
    """POST to an authoring-resource route of the API and return the created object."""
    response = await client.post(f"/api/v2{route}", json=body, headers=auth)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def put(
    client: httpx.AsyncClient, auth: dict[str, str], route: str, /, **body: Any
) -> dict[str, Any]:
    response = await client.put(f"/api/v2{route}", json=body, headers=auth)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


CONTACT_INPUT = {
    "type": "object",
    "properties": {"query": {"type": "string"}},
    "required": ["query"],
}
CONTACT_OUTPUT = {
    "type": "object",
    "properties": {"contacts": {"type": "array", "items": {"type": "object"}}},
}
CONTACT_BY_ID = {
    "type": "object",
    "properties": {"contact_id": {"type": "string"}},
    "required": ["contact_id"],
}


async def build_crm(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str
) -> dict[str, Any]:
    """The crm-contacts shape, by hand: ready to publish."""
    base = f"/apps/{app_id}"
    connection = await create_resource(
        client,
        auth,
        f"{base}/auth-connections",
        name="CRM key",
        provider_key="api-key",
        config={"header_name": "X-CRM-Key"},
        secrets={"api_key": "sk-test-crm-0001"},
    )
    integration = await create_resource(
        client,
        auth,
        f"{base}/integrations",
        name="CRM API",
        base_url="https://crm.example.com/api",
        auth_connection_id=connection["id"],
    )
    search_op = await create_resource(
        client,
        auth,
        f"{base}/integrations/{integration['id']}/operations",
        name="Search contacts",
        description="Find contacts by name or email.",
        method="GET",
        path="/contacts",
        input_schema=CONTACT_INPUT,
        output_schema=CONTACT_OUTPUT,
    )
    get_op = await create_resource(
        client,
        auth,
        f"{base}/integrations/{integration['id']}/operations",
        name="Get contact",
        description="Read one contact.",
        method="GET",
        path="/contacts/{contact_id}",
        input_schema=CONTACT_BY_ID,
        output_schema={"type": "object"},
    )
    search = await create_resource(
        client,
        auth,
        f"{base}/tools",
        name="Search contacts",
        description="Search the CRM.",
        annotations={"read_only_hint": True},
    )
    get = await create_resource(
        client,
        auth,
        f"{base}/tools",
        name="Get contact",
        description="Open a contact.",
        order=1,
    )
    await put(
        client,
        auth,
        f"{base}/tools/{search['id']}/binding",
        operation_id=search_op["id"],
    )
    await put(
        client, auth, f"{base}/tools/{get['id']}/binding", operation_id=get_op["id"]
    )
    await put(
        client, auth, f"{base}/tools/{search['id']}/chain", next_tool_ids=[get["id"]]
    )
    widget = await create_resource(
        client,
        auth,
        f"{base}/widgets",
        name="Contact table",
        type="data-table",
        tool_id=search["id"],
        config={"field_mappings": {"email": "$.contacts[*].email"}},
    )
    widget = await put(
        client,
        auth,
        f"{base}/widgets/{widget['id']}/actions",
        actions=[
            {
                "trigger": "row.select",
                "type": "call_tool",
                "target_tool_id": get["id"],
                "template": "{{ row.id }}",
            }
        ],
    )
    return {
        "auth_connection": connection,
        "integration": integration,
        "operations": [search_op, get_op],
        "tools": [search, get],
        "widget": widget,
    }
