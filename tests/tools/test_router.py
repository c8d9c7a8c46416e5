from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import (
    CONTACT_BY_ID,
    assert_error,
    create_app,
    create_resource,
    put,
)


async def _tool(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "Search contacts", "description": "Search.", **fields}
    return await create_resource(client, auth, f"/apps/{app_id}/tools", **body)


async def _operation(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str
) -> dict[str, Any]:
    integration = await create_resource(
        client,
        auth,
        f"/apps/{app_id}/integrations",
        name="CRM",
        base_url="https://crm.example.com",
    )
    return await create_resource(
        client,
        auth,
        f"/apps/{app_id}/integrations/{integration['id']}/operations",
        name="Get contact",
        method="GET",
        path="/contacts/{contact_id}",
        input_schema=CONTACT_BY_ID,
    )


class TestCreateTool:
    async def test_creates_with_defaults(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/tools",
            json={"name": "Search Contacts", "annotations": {"read_only_hint": True}},
            headers=auth,
        )

        assert response.status_code == 201, response.text
        tool = response.json()
        assert tool["id"].startswith("tool_")
        assert tool["key"] == "search-contacts"
        assert tool["kind"] == "function"
        assert tool["is_enabled"] is True
        assert tool["order"] == 0
        assert tool["binding"] is None
        assert tool["next_tool_ids"] == []
        assert tool["widget_id"] is None
        assert tool["annotations"] == {
            "title": None,
            "read_only_hint": True,
            "destructive_hint": None,
            "idempotent_hint": None,
            "open_world_hint": None,
        }
        assert response.headers["etag"] == '"2"'

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x", "kind": "prompt"}, "kind"),
            ({"name": "x", "order": -1}, "order"),
            ({"name": "x", "annotations": {"hint": True}}, "annotations.hint"),
            (
                {"name": "x", "widget_id": "widget_01jd7x3k5q9n2m4p6r8t0v2w4y"},
                "widget_id",
            ),
            ({"name": "x", "binding": None}, "binding"),
        ],
    )
    async def test_invalid_is_422(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        body: dict[str, Any],
        field: str,
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/tools", json=body, headers=auth
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == field

    async def test_key_taken_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        await _tool(client, auth, app["id"], key="search")

        response = await client.post(
            f"/api/v2/apps/{app['id']}/tools",
            json={"name": "x", "key": "search"},
            headers=auth,
        )

        assert_error(response, 409, "key_taken")

    async def test_auth_and_tenancy(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)
        tool = await _tool(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/tools"

        no_token = await client.post(url, json={"name": "x"})
        foreign = await client.get(f"{url}/{tool['id']}", headers=other_auth)
        unknown = await client.get(
            f"{url}/tool_01jd7x3k5q9n2m4p6r8t0v2w4y", headers=auth
        )
        stale = await client.post(
            url, json={"name": "x"}, headers={**auth, "If-Match": '"1"'}
        )

        assert_error(no_token, 401, "unauthorized")
        assert_error(foreign, 404, "not_found")
        assert_error(unknown, 404, "not_found")
        assert_error(stale, 412, "precondition_failed")


class TestListTools:
    async def test_ordered_by_order_then_created(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        late = await _tool(client, auth, app["id"], name="Late", order=5)
        first = await _tool(client, auth, app["id"], name="First", order=0)
        second = await _tool(client, auth, app["id"], name="Second", order=0)

        page = await client.get(f"/api/v2/apps/{app['id']}/tools?limit=2", headers=auth)
        rest = await client.get(
            f"/api/v2/apps/{app['id']}/tools?limit=2"
            f"&cursor={page.json()['page']['next_cursor']}",
            headers=auth,
        )
        by_name = await client.get(
            f"/api/v2/apps/{app['id']}/tools?sort=-name", headers=auth
        )

        assert [t["id"] for t in page.json()["data"]] == [first["id"], second["id"]]
        assert [t["id"] for t in rest.json()["data"]] == [late["id"]]
        assert [t["name"] for t in by_name.json()["data"]] == [
            "Second",
            "Late",
            "First",
        ]


class TestUpdateTool:
    async def test_merge_patches_annotations(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        tool = await _tool(
            client, auth, app["id"], annotations={"title": "T", "read_only_hint": True}
        )

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}",
            json={
                "annotations": {"title": None, "idempotent_hint": True},
                "is_enabled": False,
                "order": 3,
            },
            headers=auth,
        )
        null_enabled = await client.patch(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}",
            json={"is_enabled": None},
            headers=auth,
        )

        body = response.json()
        assert body["annotations"]["title"] is None
        assert body["annotations"]["read_only_hint"] is True
        assert body["annotations"]["idempotent_hint"] is True
        assert (body["is_enabled"], body["order"]) == (False, 3)
        assert_error(null_enabled, 422, "validation_failed")


class TestBinding:
    async def test_bind_stale_rebind_unbind(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        operation = await _operation(client, auth, app["id"])
        tool = await _tool(client, auth, app["id"])
        route = f"/apps/{app['id']}/tools/{tool['id']}/binding"

        bound = await put(client, auth, route, operation_id=operation["id"])
        await client.patch(
            f"/api/v2/apps/{app['id']}/operations/{operation['id']}",
            json={"output_schema": {"type": "object", "required": ["id"]}},
            headers=auth,
        )
        stale = await client.get(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}", headers=auth
        )
        rebound = await put(client, auth, route, operation_id=operation["id"])
        unbound = await put(client, auth, route, operation_id=None)

        assert bound["binding"] == {
            "type": "integration_operation",
            "integration_id": operation["integration_id"],
            "operation_id": operation["id"],
            "schema_hash_at_bind_time": operation["schema_hash"],
            "status": "ready",
        }
        assert stale.json()["binding"]["status"] == "stale"
        assert rebound["binding"]["status"] == "ready"
        assert (
            rebound["binding"]["schema_hash_at_bind_time"] != operation["schema_hash"]
        )
        assert unbound["binding"] is None

    async def test_operation_of_another_app_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        other = await create_app(client, auth)
        operation = await _operation(client, auth, other["id"])
        tool = await _tool(client, auth, app["id"])

        response = await client.put(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}/binding",
            json={"operation_id": operation["id"]},
            headers=auth,
        )
        missing = await client.put(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}/binding",
            json={},
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "operation_id"
        assert_error(missing, 422, "validation_failed")


class TestChain:
    async def test_sets_chain(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        a = await _tool(client, auth, app["id"], name="A")
        b = await _tool(client, auth, app["id"], name="B")
        c = await _tool(client, auth, app["id"], name="C")

        chained = await put(
            client,
            auth,
            f"/apps/{app['id']}/tools/{a['id']}/chain",
            next_tool_ids=[c["id"], b["id"]],
        )

        assert chained["next_tool_ids"] == [c["id"], b["id"]]

    async def test_cycle_is_422_naming_it(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        a = await _tool(client, auth, app["id"], name="A")
        b = await _tool(client, auth, app["id"], name="B")
        c = await _tool(client, auth, app["id"], name="C")
        base = f"/apps/{app['id']}/tools"
        await put(client, auth, f"{base}/{a['id']}/chain", next_tool_ids=[b["id"]])
        await put(client, auth, f"{base}/{b['id']}/chain", next_tool_ids=[c["id"]])

        response = await client.put(
            f"/api/v2{base}/{c['id']}/chain",
            json={"next_tool_ids": [a["id"]]},
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["cycle"] == [c["id"], a["id"], b["id"], c["id"]]

    @pytest.mark.parametrize(
        "case", ["self", "duplicate", "too_many", "foreign", "bogus"]
    )
    async def test_invalid_chain_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str], case: str
    ) -> None:
        app = await create_app(client, auth)
        other = await create_app(client, auth)
        a = await _tool(client, auth, app["id"], name="A")
        b = await _tool(client, auth, app["id"], name="B")
        foreign = await _tool(client, auth, other["id"], name="F")
        ids = {
            "self": [a["id"]],
            "duplicate": [b["id"], b["id"]],
            "too_many": [b["id"]] * 17,
            "foreign": [foreign["id"]],
            "bogus": ["nope"],
        }[case]

        response = await client.put(
            f"/api/v2/apps/{app['id']}/tools/{a['id']}/chain",
            json={"next_tool_ids": ids},
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"].startswith("next_tool_ids")
        assert foreign["name"] not in response.text


class TestDeleteTool:
    async def test_deletes(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        tool = await _tool(client, auth, app["id"])

        response = await client.delete(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}", headers=auth
        )

        assert response.status_code == 204
        assert response.headers["etag"] == '"3"'

    async def test_referenced_is_409_with_references(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        target = await _tool(client, auth, app["id"], name="Target")
        chained = await _tool(client, auth, app["id"], name="Chained")
        await put(
            client,
            auth,
            f"/apps/{app['id']}/tools/{chained['id']}/chain",
            next_tool_ids=[target["id"]],
        )
        shows = await create_resource(
            client,
            auth,
            f"/apps/{app['id']}/widgets",
            name="Shows",
            type="card",
            tool_id=target["id"],
        )
        calls = await create_resource(
            client,
            auth,
            f"/apps/{app['id']}/widgets",
            name="Calls",
            type="list",
            actions=[
                {
                    "trigger": "item.select",
                    "type": "call_tool",
                    "target_tool_id": target["id"],
                }
            ],
        )

        response = await client.delete(
            f"/api/v2/apps/{app['id']}/tools/{target['id']}", headers=auth
        )

        error = assert_error(response, 409, "resource_in_use")
        assert sorted(
            (r["entity_type"], r["entity_id"]) for r in error["details"]["references"]
        ) == sorted(
            [
                ("tool", chained["id"]),
                ("widget", shows["id"]),
                ("widget", calls["id"]),
            ]
        )


class TestToolWritesShareTheCore:
    async def test_idempotent_create_replays(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        url = f"/api/v2/apps/{app['id']}/tools"
        headers = {**auth, "Idempotency-Key": "create-tool-1"}

        first = await client.post(url, json={"name": "Once"}, headers=headers)
        again = await client.post(url, json={"name": "Once"}, headers=headers)
        listed = await client.get(url, headers=auth)

        assert first.status_code == again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json()["id"] == first.json()["id"]
        assert len(listed.json()["data"]) == 1

    async def test_put_routes_are_tenant_scoped_and_checked(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)
        tool = await _tool(client, auth, app["id"])
        base = f"/api/v2/apps/{app['id']}/tools/{tool['id']}"

        foreign = await client.put(
            f"{base}/chain", json={"next_tool_ids": []}, headers=other_auth
        )
        no_token = await client.put(f"{base}/binding", json={"operation_id": None})
        stale = await client.put(
            f"{base}/chain",
            json={"next_tool_ids": []},
            headers={**auth, "If-Match": '"1"'},
        )
        not_a_list = await client.put(
            f"{base}/chain", json={"next_tool_ids": "x"}, headers=auth
        )
        current = await client.put(
            f"{base}/chain",
            json={"next_tool_ids": []},
            headers={**auth, "If-Match": '"2"'},
        )

        assert_error(foreign, 404, "not_found")
        assert_error(no_token, 401, "unauthorized")
        assert_error(stale, 412, "precondition_failed")
        assert_error(not_a_list, 422, "validation_failed")
        assert current.status_code == 200
        assert current.headers["etag"] == '"3"'

    async def test_key_derivation_edge_cases(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        symbols = await _tool(client, auth, app["id"], name="!!!")
        underscored = await _tool(client, auth, app["id"], name="_Private Tool_")

        assert symbols["key"] == "tool"
        assert underscored["key"] == "private-tool"
