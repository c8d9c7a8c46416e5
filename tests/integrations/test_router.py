from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import (
    CONTACT_BY_ID,
    CONTACT_INPUT,
    assert_error,
    create_app,
    create_resource,
    put,
)


async def _integration(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "CRM API", "base_url": "https://crm.example.com/api", **fields}
    return await create_resource(client, auth, f"/apps/{app_id}/integrations", **body)


async def _operation(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    app_id: str,
    integration_id: str,
    **fields: Any,
) -> dict[str, Any]:
    body = {
        "name": "Get contact",
        "method": "GET",
        "path": "/contacts/{contact_id}",
        "input_schema": CONTACT_BY_ID,
        **fields,
    }
    return await create_resource(
        client, auth, f"/apps/{app_id}/integrations/{integration_id}/operations", **body
    )


class TestIntegrations:
    async def test_create_get_list(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations",
            json={"name": "CRM API", "base_url": "https://crm.example.com/api"},
            headers=auth,
        )
        created = response.json()
        got = await client.get(
            f"/api/v2/apps/{app['id']}/integrations/{created['id']}", headers=auth
        )
        listed = await client.get(
            f"/api/v2/apps/{app['id']}/integrations?query=crm", headers=auth
        )

        assert response.status_code == 201
        assert created["id"].startswith("integration_")
        assert created["key"] == "crm-api"
        assert created["provider_key"] == "http"
        assert created["timeout_ms"] == 10_000
        assert created["auth_connection_id"] is None
        assert created["default_headers"] == {}
        assert response.headers["location"].endswith(f"/integrations/{created['id']}")
        assert got.json() == created
        assert [i["id"] for i in listed.json()["data"]] == [created["id"]]

    async def test_provider_base_url_and_headers(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        created = await create_resource(
            client,
            auth,
            f"/apps/{app['id']}/integrations",
            name="GitHub",
            provider_key="github",
        )

        assert created["base_url"] == "https://api.github.com"
        assert created["default_headers"] == {"Accept": "application/vnd.github+json"}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x"}, "base_url"),
            ({"name": "x", "base_url": "ftp://x.example.com"}, "base_url"),
            (
                {"name": "x", "base_url": "https://x.example.com", "timeout_ms": 99},
                "timeout_ms",
            ),
            (
                {
                    "name": "x",
                    "base_url": "https://x.example.com",
                    "timeout_ms": 60_001,
                },
                "timeout_ms",
            ),
            ({"name": "x", "provider_key": "nope"}, "provider_key"),
            (
                {
                    "name": "x",
                    "base_url": "https://x.example.com",
                    "default_headers": {"Authorization": "Bearer abc"},
                },
                "default_headers",
            ),
            (
                {
                    "name": "x",
                    "base_url": "https://x.example.com",
                    "auth_connection_id": "auth_01jd7x3k5q9n2m4p6r8t0v2w4y",
                },
                "auth_connection_id",
            ),
            ({"name": "x", "base_url": "https://x.example.com", "extra": 1}, "extra"),
        ],
    )
    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        body: dict[str, Any],
        field: str,
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations", json=body, headers=auth
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == field

    async def test_auth_connection_of_another_app_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        other = await create_app(client, auth)
        connection = await create_resource(
            client,
            auth,
            f"/apps/{other['id']}/auth-connections",
            name="Key",
            provider_key="bearer-token",
        )

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations",
            json={
                "name": "x",
                "base_url": "https://x.example.com",
                "auth_connection_id": connection["id"],
            },
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "auth_connection_id"
        assert connection["id"] not in response.text

    async def test_update_merges_headers(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _integration(
            client, auth, app["id"], default_headers={"Accept": "a", "X-Team": "t"}
        )

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/integrations/{created['id']}",
            json={"default_headers": {"X-Team": None, "X-New": "n"}, "timeout_ms": 500},
            headers=auth,
        )
        null_url = await client.patch(
            f"/api/v2/apps/{app['id']}/integrations/{created['id']}",
            json={"base_url": None},
            headers=auth,
        )

        assert response.status_code == 200
        assert response.json()["default_headers"] == {"Accept": "a", "X-New": "n"}
        assert response.json()["timeout_ms"] == 500
        assert_error(null_url, 422, "validation_failed")

    async def test_key_taken_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        await _integration(client, auth, app["id"], key="crm")

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations",
            json={"name": "Other", "key": "crm", "base_url": "https://x.example.com"},
            headers=auth,
        )

        assert_error(response, 409, "key_taken")

    async def test_other_tenant_and_unknown_are_404(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)
        created = await _integration(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/integrations"

        foreign = await client.get(f"{url}/{created['id']}", headers=other_auth)
        unknown = await client.get(
            f"{url}/integration_01jd7x3k5q9n2m4p6r8t0v2w4y", headers=auth
        )
        missing_token = await client.get(url)

        assert_error(foreign, 404, "not_found")
        assert_error(unknown, 404, "not_found")
        assert_error(missing_token, 401, "unauthorized")

    async def test_delete_takes_operations_along(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _integration(client, auth, app["id"])
        operation = await _operation(client, auth, app["id"], created["id"])

        response = await client.delete(
            f"/api/v2/apps/{app['id']}/integrations/{created['id']}", headers=auth
        )
        gone = await client.get(
            f"/api/v2/apps/{app['id']}/operations/{operation['id']}", headers=auth
        )

        assert response.status_code == 204
        assert_error(gone, 404, "not_found")

    async def test_delete_with_bound_operation_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _integration(client, auth, app["id"])
        operation = await _operation(client, auth, app["id"], created["id"])
        tool = await create_resource(client, auth, f"/apps/{app['id']}/tools", name="T")
        await put(
            client,
            auth,
            f"/apps/{app['id']}/tools/{tool['id']}/binding",
            operation_id=operation["id"],
        )

        response = await client.delete(
            f"/api/v2/apps/{app['id']}/integrations/{created['id']}", headers=auth
        )
        still = await client.get(
            f"/api/v2/apps/{app['id']}/operations/{operation['id']}", headers=auth
        )

        error = assert_error(response, 409, "resource_in_use")
        assert error["details"]["references"] == [
            {"entity_type": "tool", "entity_id": tool["id"]}
        ]
        assert still.status_code == 200


class TestOperations:
    async def test_create_and_hash(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations/{integration['id']}/operations",
            json={
                "name": "Search contacts",
                "method": "GET",
                "path": "/contacts",
                "input_schema": CONTACT_INPUT,
            },
            headers=auth,
        )
        created = response.json()
        listed = await client.get(
            f"/api/v2/apps/{app['id']}/integrations/{integration['id']}/operations",
            headers=auth,
        )

        assert response.status_code == 201, response.text
        assert created["id"].startswith("operation_")
        assert created["integration_id"] == integration["id"]
        assert created["key"] == "search-contacts"
        assert created["output_schema"] == {"type": "object"}
        assert len(created["schema_hash"]) == 64
        assert response.headers["location"].endswith(
            f"/api/v2/apps/{app['id']}/operations/{created['id']}"
        )
        assert [o["id"] for o in listed.json()["data"]] == [created["id"]]

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"input_schema": {"type": "nope"}}, "input_schema"),
            ({"output_schema": {"properties": 3}}, "output_schema"),
            ({"path": "/contacts/{id}"}, "path"),
            ({"path": "contacts"}, "path"),
            ({"path": "/contacts/{contact_id"}, "path"),
            ({"method": "TRACE"}, "method"),
        ],
    )
    async def test_invalid_is_422(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        fields: dict[str, Any],
        field: str,
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        body = {
            "name": "Get contact",
            "method": "GET",
            "path": "/contacts/{contact_id}",
            "input_schema": CONTACT_BY_ID,
            **fields,
        }

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations/{integration['id']}/operations",
            json=body,
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == field

    async def test_schema_hash_moves_only_with_schemas(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        created = await _operation(client, auth, app["id"], integration["id"])
        url = f"/api/v2/apps/{app['id']}/operations/{created['id']}"

        renamed = await client.patch(
            url, json={"name": "Fetch contact", "description": "d"}, headers=auth
        )
        same_schema = await client.patch(
            url, json={"input_schema": CONTACT_BY_ID}, headers=auth
        )
        changed = await client.patch(
            url,
            json={"output_schema": {"type": "object", "required": ["id"]}},
            headers=auth,
        )

        assert renamed.json()["schema_hash"] == created["schema_hash"]
        assert same_schema.json()["schema_hash"] == created["schema_hash"]
        assert changed.json()["schema_hash"] != created["schema_hash"]

    async def test_patch_path_checked_against_schema(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        created = await _operation(client, auth, app["id"], integration["id"])

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/operations/{created['id']}",
            json={"input_schema": {"type": "object", "properties": {}}},
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "path"

    async def test_unknown_integration_and_operation_are_404(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        created = await _operation(client, auth, app["id"], integration["id"])

        no_integration = await client.post(
            f"/api/v2/apps/{app['id']}/integrations/integration_01jd7x3k5q9n2m4p6r8t0v2w4y/operations",
            json={"name": "x", "method": "GET", "path": "/"},
            headers=auth,
        )
        no_operation = await client.get(
            f"/api/v2/apps/{app['id']}/operations/operation_01jd7x3k5q9n2m4p6r8t0v2w4y",
            headers=auth,
        )
        foreign = await client.delete(
            f"/api/v2/apps/{app['id']}/operations/{created['id']}", headers=other_auth
        )

        assert_error(no_integration, 404, "not_found")
        assert_error(no_operation, 404, "not_found")
        assert_error(foreign, 404, "not_found")

    async def test_delete_bound_is_409_then_unbound_is_204(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        created = await _operation(client, auth, app["id"], integration["id"])
        tool = await create_resource(client, auth, f"/apps/{app['id']}/tools", name="T")
        binding = f"/apps/{app['id']}/tools/{tool['id']}/binding"
        await put(client, auth, binding, operation_id=created["id"])
        url = f"/api/v2/apps/{app['id']}/operations/{created['id']}"

        refused = await client.delete(url, headers=auth)
        await put(client, auth, binding, operation_id=None)
        deleted = await client.delete(url, headers=auth)

        error = assert_error(refused, 409, "resource_in_use")
        assert error["details"]["references"] == [
            {"entity_type": "tool", "entity_id": tool["id"]}
        ]
        assert deleted.status_code == 204

    async def test_operation_key_taken_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        await _operation(client, auth, app["id"], integration["id"], key="get")

        response = await client.post(
            f"/api/v2/apps/{app['id']}/integrations/{integration['id']}/operations",
            json={"name": "x", "key": "get", "method": "GET", "path": "/"},
            headers=auth,
        )

        assert_error(response, 409, "key_taken")


class TestOperationSchemas:
    async def test_other_dialects_and_size_limit(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        integration = await _integration(client, auth, app["id"])
        draft7 = {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "object",
            "properties": {"contact_id": {"type": "string"}},
        }
        huge = {"type": "object", "description": "x" * (300 * 1024)}
        url = f"/api/v2/apps/{app['id']}/integrations/{integration['id']}/operations"

        accepted = await client.post(
            url,
            json={
                "name": "Draft 7",
                "method": "GET",
                "path": "/c/{contact_id}",
                "input_schema": draft7,
            },
            headers=auth,
        )
        too_big = await client.post(
            url,
            json={"name": "Huge", "method": "POST", "path": "/", "output_schema": huge},
            headers=auth,
        )
        not_object = await client.post(
            url,
            json={"name": "Bad", "method": "GET", "path": "/", "input_schema": []},
            headers=auth,
        )

        assert accepted.status_code == 201, accepted.text
        error = assert_error(too_big, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "output_schema"
        assert_error(not_object, 422, "validation_failed")
