from __future__ import annotations

import httpx
import pytest

from tests.factories import assert_error


class TestCatalogs:
    @pytest.mark.parametrize(
        ("route", "keys"),
        [
            (
                "auth-providers",
                {
                    "custom-oauth",
                    "api-key",
                    "bearer-token",
                    "basic-auth",
                    "github",
                    "google",
                    "hubspot",
                    "slack",
                    "stripe",
                },
            ),
            (
                "integration-providers",
                {"http", "github", "google", "hubspot", "slack", "stripe"},
            ),
            ("starter-templates", {"support-faq", "crm-contacts"}),
        ],
    )
    async def test_lists_entries(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        route: str,
        keys: set[str],
    ) -> None:
        response = await client.get(f"/api/v2/{route}", headers=auth)

        assert response.status_code == 200
        body = response.json()
        assert {e["key"] for e in body["data"]} == keys
        assert body["page"] == {"has_more": False, "next_cursor": None}

    async def test_auth_provider_shape(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.get("/api/v2/auth-providers?query=GitH", headers=auth)

        [github] = response.json()["data"]
        assert github["id"] == "github"
        assert github["kind"] == "oauth2"
        assert github["docs_url"].startswith("https://")
        assert github["presets"]["token_endpoint"] == (
            "https://github.com/login/oauth/access_token"
        )
        assert github["presets"]["scopes"]

    async def test_integration_provider_presets(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.get(
            "/api/v2/integration-providers?query=stripe", headers=auth
        )

        [stripe] = response.json()["data"]
        assert stripe["presets"]["base_url"] == "https://api.stripe.com"
        assert "stripe" in stripe["presets"]["auth_provider_keys"]

    async def test_pages_with_cursor(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        first = await client.get("/api/v2/auth-providers?limit=4", headers=auth)
        cursor = first.json()["page"]["next_cursor"]
        rest = await client.get(
            f"/api/v2/auth-providers?limit=10&cursor={cursor}", headers=auth
        )
        foreign = await client.get(
            f"/api/v2/integration-providers?cursor={cursor}", headers=auth
        )

        keys = [e["key"] for e in first.json()["data"] + rest.json()["data"]]
        assert keys == sorted(keys)
        assert len(keys) == 9
        assert rest.json()["page"]["has_more"] is False
        assert_error(foreign, 400, "invalid_request")

    async def test_needs_token_and_known_sort(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        no_token = await client.get("/api/v2/starter-templates")
        bad_sort = await client.get("/api/v2/starter-templates?sort=size", headers=auth)

        assert_error(no_token, 401, "unauthorized")
        assert_error(bad_sort, 422, "validation_failed")
