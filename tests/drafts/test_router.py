from __future__ import annotations

import httpx

from tests.factories import assert_error, create_app, publish


class TestGetDraft:
    async def test_draft_with_content(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(
            client, auth, name="Drafty", server_instructions="Keep answers concise."
        )

        response = await client.get(f"/api/v2/apps/{app['id']}/draft", headers=auth)

        assert response.status_code == 200
        draft = response.json()
        assert draft["id"] == app["current_draft"]["id"]
        assert draft["app_id"] == app["id"]
        assert draft["revision"] == 1
        assert draft["source_release_id"] is None
        assert draft["has_changes"] is True
        assert draft["last_edited_by"]["email"] == "dev@example.com"
        assert draft["content"]["app"]["name"] == "Drafty"
        assert draft["content"]["app"]["server_instructions"] == "Keep answers concise."
        assert response.headers["etag"] == '"1"'

    async def test_other_tenant_is_404(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)

        for path in ("draft", "draft/changes", "draft/validation"):
            response = await client.get(
                f"/api/v2/apps/{app['id']}/{path}", headers=other_auth
            )
            assert_error(response, 404, "not_found")


class TestDraftChanges:
    async def test_new_app_is_all_added(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, name="Fresh")

        changes = (
            await client.get(f"/api/v2/apps/{app['id']}/draft/changes", headers=auth)
        ).json()

        assert changes["draft_id"] == app["current_draft"]["id"]
        assert changes["source_release_id"] is None
        assert changes["has_changes"] is True
        assert changes["summary"] == {"added": 1, "updated": 0, "removed": 0}
        assert changes["changes"][0]["entity_type"] == "app"
        assert changes["changes"][0]["change"] == "added"

    async def test_changes_after_publish_name_the_fields(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, name="Before")
        await publish(client, auth, app["id"])

        await client.patch(
            f"/api/v2/apps/{app['id']}",
            json={"name": "After", "branding": {"accent_color": "#22c55e"}},
            headers=auth,
        )
        changes = (
            await client.get(f"/api/v2/apps/{app['id']}/draft/changes", headers=auth)
        ).json()

        assert changes["has_changes"] is True
        assert changes["summary"] == {"added": 0, "updated": 1, "removed": 0}
        assert changes["changes"] == [
            {
                "entity_type": "app",
                "entity_id": app["id"],
                "label": "After",
                "change": "updated",
                "fields": ["branding", "name"],
            }
        ]

    async def test_editing_back_clears_has_changes(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, name="Original")
        await publish(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}"

        changed = (
            await client.patch(url, json={"name": "Edited"}, headers=auth)
        ).json()
        restored = (
            await client.patch(url, json={"name": "Original"}, headers=auth)
        ).json()
        changes = (await client.get(f"{url}/draft/changes", headers=auth)).json()

        assert changed["current_draft"]["has_changes"] is True
        assert restored["current_draft"]["has_changes"] is False
        assert changes["changes"] == []
        assert_error(
            await client.post(f"{url}/releases", headers=auth),
            409,
            "nothing_to_publish",
        )

    async def test_slug_is_not_draft_state(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        await publish(client, auth, app["id"])

        patched = (
            await client.patch(
                f"/api/v2/apps/{app['id']}", json={"slug": "renamed-app"}, headers=auth
            )
        ).json()

        assert patched["slug"] == "renamed-app"
        assert patched["current_draft"]["has_changes"] is False


class TestDraftValidation:
    async def test_empty_app_is_publishable(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        report = (
            await client.get(f"/api/v2/apps/{app['id']}/draft/validation", headers=auth)
        ).json()

        assert report["ok"] is True
        assert report["error_count"] == 0
        assert isinstance(report["issues"], list)
