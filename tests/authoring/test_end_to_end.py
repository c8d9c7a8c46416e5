from __future__ import annotations

import httpx

from tests.factories import build_crm, create_app, publish


class TestCrmContactsByHand:
    async def test_build_publish_edit_publish(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        built = await build_crm(client, auth, app["id"])

        first = await publish(client, auth, app["id"], notes="CRM v1")
        search_tool = built["tools"][0]["id"]
        response = await client.patch(
            f"/api/v2/apps/{app['id']}/tools/{search_tool}",
            json={"description": "Search the CRM by name."},
            headers=auth,
        )
        changes = await client.get(
            f"/api/v2/apps/{app['id']}/draft/changes", headers=auth
        )
        second = await publish(client, auth, app["id"], notes="CRM v2")
        old = await client.get(
            f"/api/v2/apps/{app['id']}/releases/{first['release']['id']}", headers=auth
        )
        new = await client.get(
            f"/api/v2/apps/{app['id']}/releases/{second['release']['id']}",
            headers=auth,
        )

        assert response.status_code == 200
        assert changes.json()["changes"] == [
            {
                "entity_type": "tool",
                "entity_id": search_tool,
                "label": "Search contacts",
                "change": "updated",
                "fields": ["description"],
            }
        ]
        assert second["release"]["version"] == 2
        old_content = old.json()["content"]
        new_content = new.json()["content"]
        for section in ("auth_connections", "integrations", "operations", "tools"):
            assert [i["id"] for i in old_content[section]] == [
                i["id"] for i in new_content[section]
            ]
        old_tool = next(t for t in old_content["tools"] if t["id"] == search_tool)
        new_tool = next(t for t in new_content["tools"] if t["id"] == search_tool)
        assert old_tool["description"] == "Search the CRM."
        assert new_tool["description"] == "Search the CRM by name."
        assert new_tool["binding"]["status"] == "ready"
        assert new_tool["next_tool_ids"] == [built["tools"][1]["id"]]
        assert new_content["widgets"][0]["actions"][0]["type"] == "call_tool"
        assert "sk-test-crm-0001" not in old.text + new.text
        assert new_content["auth_connections"][0]["secrets_set"] == ["api_key"]
