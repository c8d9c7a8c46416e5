"""How authoring resources flow through the draft: changes, validation, releases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.factories import (
    CONTACT_BY_ID,
    assert_error,
    build_crm,
    create_app,
    create_resource,
    publish,
    put,
)


@contextmanager
def count_queries(api: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = api.state.engine.sync_engine

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _changes(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v2/apps/{app_id}/draft/changes", headers=auth)
    assert response.status_code == 200
    changes: list[dict[str, Any]] = response.json()["changes"]
    return changes


class TestDraftChanges:
    async def test_added_updated_removed_for_every_type(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        built = await build_crm(client, auth, app["id"])
        extra_widget = await create_resource(
            client, auth, f"/apps/{app['id']}/widgets", name="Note", type="markdown"
        )
        base = f"/api/v2/apps/{app['id']}"
        added = {
            (c["entity_type"], c["change"])
            for c in await _changes(client, auth, app["id"])
        }
        await publish(client, auth, app["id"])

        connection = built["auth_connection"]["id"]
        integration = built["integration"]["id"]
        operation = built["operations"][1]["id"]
        tool = built["tools"][1]["id"]
        widget = built["widget"]["id"]
        await client.patch(
            f"{base}/auth-connections/{connection}",
            json={"name": "CRM token", "secrets": {"api_key": "rotated"}},
            headers=auth,
        )
        await client.patch(
            f"{base}/integrations/{integration}",
            json={"timeout_ms": 2000},
            headers=auth,
        )
        await client.patch(
            f"{base}/operations/{operation}", json={"description": "New"}, headers=auth
        )
        await client.patch(f"{base}/tools/{tool}", json={"order": 7}, headers=auth)
        await client.patch(
            f"{base}/widgets/{widget}", json={"visibility": "hidden"}, headers=auth
        )
        await client.delete(f"{base}/widgets/{extra_widget['id']}", headers=auth)
        changes = await _changes(client, auth, app["id"])

        assert added == {
            ("app", "added"),
            ("auth_connection", "added"),
            ("integration", "added"),
            ("operation", "added"),
            ("tool", "added"),
            ("widget", "added"),
        }
        assert {
            (c["entity_type"], c["entity_id"], c["change"]): c["fields"]
            for c in changes
        } == {
            ("auth_connection", connection, "updated"): ["name", "secrets_updated_at"],
            ("integration", integration, "updated"): ["timeout_ms"],
            ("operation", operation, "updated"): ["description"],
            ("tool", tool, "updated"): ["order"],
            ("widget", widget, "updated"): ["visibility"],
            ("widget", extra_widget["id"], "removed"): [],
        }

    async def test_editing_back_means_no_changes(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        tool = await create_resource(
            client, auth, f"/apps/{app['id']}/tools", name="T", is_enabled=False
        )
        await publish(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/tools/{tool['id']}"

        changed = await client.patch(url, json={"name": "U"}, headers=auth)
        back = await client.patch(url, json={"name": "T"}, headers=auth)
        draft = await client.get(f"/api/v2/apps/{app['id']}/draft", headers=auth)

        assert changed.status_code == back.status_code == 200
        assert draft.json()["has_changes"] is False
        assert draft.json()["revision"] == 5
        assert draft.headers["etag"] == '"5"'


class TestValidation:
    async def test_report_and_publish_blocked_then_allowed(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        base = f"/apps/{app['id']}"
        connection = await create_resource(
            client,
            auth,
            f"{base}/auth-connections",
            name="Key",
            provider_key="bearer-token",
        )
        integration = await create_resource(
            client,
            auth,
            f"{base}/integrations",
            name="CRM",
            base_url="https://crm.example.com",
            auth_connection_id=connection["id"],
        )
        tool = await create_resource(client, auth, f"{base}/tools", name="T")
        widget = await create_resource(
            client,
            auth,
            f"{base}/widgets",
            name="W",
            type="card",
            actions=[{"trigger": "button.click", "type": "call_tool"}],
        )

        report = await client.get(f"/api/v2{base}/draft/validation", headers=auth)
        refused = await client.post(f"/api/v2{base}/releases", headers=auth)

        body = report.json()
        assert body["ok"] is False
        codes = {
            (i["code"], i["severity"], i["blocks_publish"]) for i in body["issues"]
        }
        assert codes == {
            ("auth_connection_incomplete", "error", True),
            ("tool_unbound", "error", True),
            ("widget_action_target_missing", "error", True),
            ("description_empty", "warning", False),
        }
        assert body["error_count"] == 3
        assert body["warning_count"] == 1
        error = assert_error(refused, 422, "draft_invalid")
        assert error["details"]["ok"] is False

        await client.patch(
            f"/api/v2{base}/auth-connections/{connection['id']}",
            json={"secrets": {"token": "t0ken"}},
            headers=auth,
        )
        operation = await create_resource(
            client,
            auth,
            f"{base}/integrations/{integration['id']}/operations",
            name="Get",
            description="Read.",
            method="GET",
            path="/contacts/{contact_id}",
            input_schema=CONTACT_BY_ID,
        )
        await put(
            client,
            auth,
            f"{base}/tools/{tool['id']}/binding",
            operation_id=operation["id"],
        )
        await put(
            client,
            auth,
            f"{base}/widgets/{widget['id']}/actions",
            actions=[
                {
                    "trigger": "button.click",
                    "type": "call_tool",
                    "target_tool_id": tool["id"],
                }
            ],
        )
        fixed = await client.get(f"/api/v2{base}/draft/validation", headers=auth)
        published = await publish(client, auth, app["id"])

        assert fixed.json()["ok"] is True
        assert fixed.json()["error_count"] == 0
        assert published["release"]["version"] == 1

    async def test_stale_binding_blocks_publish(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        built = await build_crm(client, auth, app["id"])
        await publish(client, auth, app["id"])
        operation = built["operations"][0]

        await client.patch(
            f"/api/v2/apps/{app['id']}/operations/{operation['id']}",
            json={
                "input_schema": {
                    "type": "object",
                    "properties": {"q": {"type": "string"}},
                }
            },
            headers=auth,
        )
        report = await client.get(
            f"/api/v2/apps/{app['id']}/draft/validation", headers=auth
        )
        refused = await client.post(f"/api/v2/apps/{app['id']}/releases", headers=auth)
        changes = await _changes(client, auth, app["id"])

        stale = [i for i in report.json()["issues"] if i["code"] == "binding_stale"]
        references = stale[0]["references"]
        assert [(r["entity_type"], r["entity_id"], r["label"]) for r in references] == [
            ("tool", built["tools"][0]["id"], "Search contacts"),
            ("operation", operation["id"], "Search contacts"),
        ]
        assert_error(refused, 422, "draft_invalid")
        assert {(c["entity_type"], tuple(c["fields"])) for c in changes} == {
            ("operation", ("input_schema", "schema_hash")),
            ("tool", ("binding",)),
        }


class TestReleases:
    async def test_release_unchanged_after_draft_edits(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        built = await build_crm(client, auth, app["id"])
        published = await publish(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/releases/{published['release']['id']}"
        before = (await client.get(url, headers=auth)).json()

        base = f"/api/v2/apps/{app['id']}"
        await client.patch(
            f"{base}/widgets/{built['widget']['id']}",
            json={"name": "Renamed"},
            headers=auth,
        )
        await put(
            client,
            auth,
            f"/apps/{app['id']}/widgets/{built['widget']['id']}/actions",
            actions=[],
        )
        await client.delete(
            f"{base}/tools/{built['tools'][1]['id']}/chain", headers=auth
        )
        after = (await client.get(url, headers=auth)).json()

        assert after["content"] == before["content"]
        assert after["content_hash"] == before["content_hash"]


class TestStarters:
    @pytest.mark.parametrize(
        ("starter", "counts"),
        [
            (
                "support-faq",
                {
                    "auth_connections": 0,
                    "integrations": 1,
                    "operations": 2,
                    "tools": 2,
                    "widgets": 2,
                },
            ),
            (
                "crm-contacts",
                {
                    "auth_connections": 1,
                    "integrations": 1,
                    "operations": 2,
                    "tools": 2,
                    "widgets": 1,
                },
            ),
        ],
    )
    async def test_seeds_first_draft(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        starter: str,
        counts: dict[str, int],
    ) -> None:
        app = await create_app(client, auth, starter_template_id=starter)

        draft = await client.get(f"/api/v2/apps/{app['id']}/draft", headers=auth)

        content = draft.json()["content"]
        assert {k: len(content[k]) for k in counts} == counts
        tools = content["tools"]
        assert all(t["binding"]["status"] == "ready" for t in tools)
        assert sum(len(t["next_tool_ids"]) for t in tools) == 1
        assert app["starter_template_id"] == starter

    async def test_support_faq_publishes_and_crm_needs_its_key(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        faq = await create_app(client, auth, starter_template_id="support-faq")
        crm = await create_app(client, auth, starter_template_id="crm-contacts")

        await publish(client, auth, faq["id"])
        refused = await client.post(f"/api/v2/apps/{crm['id']}/releases", headers=auth)
        connection = (
            await client.get(f"/api/v2/apps/{crm['id']}/auth-connections", headers=auth)
        ).json()["data"][0]
        await client.patch(
            f"/api/v2/apps/{crm['id']}/auth-connections/{connection['id']}",
            json={"secrets": {"api_key": "k3y"}},
            headers=auth,
        )
        released = await publish(client, auth, crm["id"])

        assert_error(refused, 422, "draft_invalid")
        assert released["release"]["version"] == 1


class TestQueryCounts:
    async def _fill(
        self, client: httpx.AsyncClient, auth: dict[str, str], app_id: str, n: int
    ) -> None:
        base = f"/apps/{app_id}"
        for i in range(n):
            connection = await create_resource(
                client,
                auth,
                f"{base}/auth-connections",
                name=f"C{i}",
                provider_key="bearer-token",
                secrets={"token": f"t{i}"},
            )
            integration = await create_resource(
                client,
                auth,
                f"{base}/integrations",
                name=f"I{i}",
                base_url="https://x.example.com",
                auth_connection_id=connection["id"],
            )
            operation = await create_resource(
                client,
                auth,
                f"{base}/integrations/{integration['id']}/operations",
                name=f"O{i}",
                method="GET",
                path="/",
            )
            tool = await create_resource(client, auth, f"{base}/tools", name=f"T{i}")
            await put(
                client,
                auth,
                f"{base}/tools/{tool['id']}/binding",
                operation_id=operation["id"],
            )
            await create_resource(
                client,
                auth,
                f"{base}/widgets",
                name=f"W{i}",
                type="card",
                tool_id=tool["id"],
            )

    async def test_list_and_publish_cost_the_same_for_1_or_8(
        self, client: httpx.AsyncClient, auth: dict[str, str], api: FastAPI
    ) -> None:
        costs: list[tuple[int, int, int]] = []
        for n in (1, 8):
            app = await create_app(client, auth)
            await self._fill(client, auth, app["id"], n)
            with count_queries(api) as listing:
                listed = await client.get(
                    f"/api/v2/apps/{app['id']}/tools", headers=auth
                )
                for route in ("auth-connections", "integrations", "widgets"):
                    other = await client.get(
                        f"/api/v2/apps/{app['id']}/{route}", headers=auth
                    )
                    assert len(other.json()["data"]) == n
            with count_queries(api) as draft:
                await client.get(f"/api/v2/apps/{app['id']}/draft", headers=auth)
            with count_queries(api) as publishing:
                await publish(client, auth, app["id"])
            assert len(listed.json()["data"]) == n
            costs.append((len(listing), len(draft), len(publishing)))

        assert costs[0] == costs[1]
