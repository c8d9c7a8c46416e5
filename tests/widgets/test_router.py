from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import assert_error, create_app, create_resource, put


async def _widget(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str, **fields: Any
) -> dict[str, Any]:
    body = {"name": "Contact table", "type": "data-table", **fields}
    return await create_resource(client, auth, f"/apps/{app_id}/widgets", **body)


class TestWidgets:
    async def test_create_with_defaults(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/widgets",
            json={
                "name": "Contact table",
                "type": "data-table",
                "config": {"field_mappings": {"email": "$.contacts[*].email"}},
            },
            headers=auth,
        )

        assert response.status_code == 201, response.text
        widget = response.json()
        assert widget["id"].startswith("widget_")
        assert widget["key"] == "contact-table"
        assert widget["display_mode"] == "inline"
        assert widget["visibility"] == "visible"
        assert widget["tool_id"] is None
        assert widget["config"] == {
            "field_mappings": {"email": "$.contacts[*].email"},
            "style": {},
        }
        assert widget["actions"] == []
        assert response.headers["location"].endswith(f"/widgets/{widget['id']}")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x", "type": "table"}, "type"),
            ({"name": "x", "type": "card", "display_mode": "modal"}, "display_mode"),
            ({"name": "x", "type": "card", "visibility": "gone"}, "visibility"),
            (
                {"name": "x", "type": "card", "config": {"field_mappings": {"a": "b"}}},
                "config.field_mappings.a",
            ),
            ({"name": "x", "type": "card", "config": {"colour": 1}}, "config.colour"),
            (
                {
                    "name": "x",
                    "type": "card",
                    "tool_id": "tool_01jd7x3k5q9n2m4p6r8t0v2w4y",
                },
                "tool_id",
            ),
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
            f"/api/v2/apps/{app['id']}/widgets", json=body, headers=auth
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == field

    async def test_update_merges_config(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        widget = await _widget(
            client,
            auth,
            app["id"],
            config={
                "field_mappings": {"a": "$.a", "b": "$.b"},
                "style": {"dense": True},
            },
        )

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/widgets/{widget['id']}",
            json={
                "config": {"field_mappings": {"a": None, "c": "$.c"}},
                "display_mode": "fullscreen",
            },
            headers=auth,
        )
        bad = await client.patch(
            f"/api/v2/apps/{app['id']}/widgets/{widget['id']}",
            json={"config": {"field_mappings": {"d": "no-dollar"}}},
            headers=auth,
        )

        assert response.json()["config"] == {
            "field_mappings": {"b": "$.b", "c": "$.c"},
            "style": {"dense": True},
        }
        assert response.json()["display_mode"] == "fullscreen"
        error = assert_error(bad, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "config.field_mappings.d"

    async def test_key_taken_tenancy_and_unknown(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)
        widget = await _widget(client, auth, app["id"], key="table")
        url = f"/api/v2/apps/{app['id']}/widgets"

        taken = await client.post(
            url, json={"name": "y", "type": "card", "key": "table"}, headers=auth
        )
        foreign = await client.patch(
            f"{url}/{widget['id']}", json={"name": "z"}, headers=other_auth
        )
        unknown = await client.delete(
            f"{url}/widget_01jd7x3k5q9n2m4p6r8t0v2w4y", headers=auth
        )
        no_token = await client.get(url)
        stale = await client.delete(
            f"{url}/{widget['id']}", headers={**auth, "If-Match": '"1"'}
        )

        assert_error(taken, 409, "key_taken")
        assert_error(foreign, 404, "not_found")
        assert_error(unknown, 404, "not_found")
        assert_error(no_token, 401, "unauthorized")
        assert_error(stale, 412, "precondition_failed")

    async def test_delete_named_by_tool_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        widget = await _widget(client, auth, app["id"])
        tool = await create_resource(
            client, auth, f"/apps/{app['id']}/tools", name="T", widget_id=widget["id"]
        )
        url = f"/api/v2/apps/{app['id']}/widgets/{widget['id']}"

        refused = await client.delete(url, headers=auth)
        await client.patch(
            f"/api/v2/apps/{app['id']}/tools/{tool['id']}",
            json={"widget_id": None},
            headers=auth,
        )
        deleted = await client.delete(url, headers=auth)

        error = assert_error(refused, 409, "resource_in_use")
        assert error["details"]["references"] == [
            {"entity_type": "tool", "entity_id": tool["id"]}
        ]
        assert deleted.status_code == 204


class TestActions:
    async def test_replaces_actions(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        widget = await _widget(client, auth, app["id"])
        tool = await create_resource(client, auth, f"/apps/{app['id']}/tools", name="T")
        route = f"/apps/{app['id']}/widgets/{widget['id']}/actions"

        first = await put(
            client,
            auth,
            route,
            actions=[
                {
                    "trigger": "row.select",
                    "type": "call_tool",
                    "target_tool_id": tool["id"],
                    "template": "{{ row.email }}",
                },
                {
                    "trigger": "button.click",
                    "type": "open_url",
                    "url": "https://x.example.com",
                },
            ],
        )
        second = await put(
            client,
            auth,
            route,
            actions=[
                {"trigger": "button.click", "type": "send_message", "template": "Hi"}
            ],
        )

        assert first["actions"] == [
            {
                "trigger": "row.select",
                "type": "call_tool",
                "target_tool_id": tool["id"],
                "url": None,
                "template": "{{ row.email }}",
                "call_mode": "once",
            },
            {
                "trigger": "button.click",
                "type": "open_url",
                "target_tool_id": None,
                "url": "https://x.example.com",
                "template": None,
                "call_mode": "once",
            },
        ]
        assert [a["type"] for a in second["actions"]] == ["send_message"]

    @pytest.mark.parametrize("case", ["foreign", "wrong_type", "trigger", "too_many"])
    async def test_invalid_actions_are_422(
        self, client: httpx.AsyncClient, auth: dict[str, str], case: str
    ) -> None:
        app = await create_app(client, auth)
        other = await create_app(client, auth)
        widget = await _widget(client, auth, app["id"])
        foreign = await create_resource(
            client, auth, f"/apps/{other['id']}/tools", name="Foreign"
        )
        actions = {
            "foreign": [
                {
                    "trigger": "row.select",
                    "type": "call_tool",
                    "target_tool_id": foreign["id"],
                }
            ],
            "wrong_type": [
                {
                    "trigger": "row.select",
                    "type": "open_url",
                    "target_tool_id": foreign["id"],
                }
            ],
            "trigger": [{"trigger": "hover", "type": "send_message"}],
            "too_many": [{"trigger": "button.click", "type": "send_message"}] * 21,
        }[case]

        response = await client.put(
            f"/api/v2/apps/{app['id']}/widgets/{widget['id']}/actions",
            json={"actions": actions},
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"].startswith("actions")
        assert "Foreign" not in response.text


class TestWidgetReferences:
    async def test_null_required_and_foreign_tool_are_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        other = await create_app(client, auth)
        widget = await _widget(client, auth, app["id"])
        foreign = await create_resource(
            client, auth, f"/apps/{other['id']}/tools", name="Foreign"
        )
        url = f"/api/v2/apps/{app['id']}/widgets/{widget['id']}"

        null_type = await client.patch(url, json={"type": None}, headers=auth)
        foreign_tool = await client.patch(
            url, json={"tool_id": foreign["id"]}, headers=auth
        )
        tool_to_foreign_widget = await client.post(
            f"/api/v2/apps/{other['id']}/tools",
            json={"name": "T", "widget_id": widget["id"]},
            headers=auth,
        )

        assert_error(null_type, 422, "validation_failed")
        error = assert_error(foreign_tool, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "tool_id"
        error = assert_error(tool_to_foreign_widget, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "widget_id"
