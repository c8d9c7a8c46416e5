from __future__ import annotations

import asyncio
import base64
import json

import httpx

from tests.factories import assert_error, create_app


class TestCreateApp:
    async def test_creates_with_first_draft(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            json={
                "name": "Acme Support",
                "description": "Support copilot",
                "company_url": "https://acme.com",
                "branding": {"primary_color": "#0F172A", "border_radius": "lg"},
            },
            headers=auth,
        )

        assert response.status_code == 201
        app = response.json()
        assert app["id"].startswith("app_")
        assert app["slug"] == "acme-support"
        assert app["company_url"] == "https://acme.com"
        assert app["branding"]["primary_color"] == "#0f172a"
        assert app["branding"]["accent_color"] is None
        assert app["public_mcp_id"].startswith("mcp_")
        assert app["endpoint"] is None
        assert app["latest_release"] is None
        assert app["current_draft"]["id"].startswith("draft_")
        assert app["current_draft"]["revision"] == 1
        assert app["current_draft"]["has_changes"] is True
        assert app["created_at"].endswith("Z")
        assert len(app["created_at"]) == 24
        assert (
            response.headers["location"] == f"http://testserver/api/v2/apps/{app['id']}"
        )
        assert response.headers["etag"] == '"1"'

    async def test_derived_slugs_get_suffixes(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        first = await create_app(client, auth, name="Acme Support")
        second = await create_app(client, auth, name="Acme Support")
        third = await create_app(client, auth, name="Acme  Support!")

        assert [first["slug"], second["slug"], third["slug"]] == [
            "acme-support",
            "acme-support-2",
            "acme-support-3",
        ]

    async def test_slug_from_unusual_names(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        digits = await create_app(client, auth, name="123")
        short = await create_app(client, auth, name="X")
        symbols = await create_app(client, auth, name="!!!")

        assert digits["slug"] == "app-123"
        assert short["slug"] == "x-app"
        assert symbols["slug"] == "app"

    async def test_slug_keeps_the_letters_of_accented_names(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        accents = await create_app(client, auth, name="Café Déjà Vu")
        sharp = await create_app(client, auth, name="Straße")

        assert accents["slug"] == "cafe-deja-vu"
        assert sharp["slug"] == "strasse"

    async def test_explicit_duplicate_slug_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        await create_app(client, auth, slug="taken-slug")

        response = await client.post(
            "/api/v2/apps", json={"name": "B", "slug": "taken-slug"}, headers=auth
        )

        assert_error(response, 409, "slug_taken")

    async def test_same_slug_in_another_tenant_is_fine(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        await create_app(client, auth, slug="shared-name")

        other = await create_app(client, other_auth, slug="shared-name")

        assert other["slug"] == "shared-name"

    async def test_concurrent_creates_get_distinct_slugs(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        responses = await asyncio.gather(
            *(
                client.post("/api/v2/apps", json={"name": "Race"}, headers=auth)
                for _ in range(5)
            )
        )

        assert all(r.status_code == 201 for r in responses)
        assert sorted(r.json()["slug"] for r in responses) == [
            "race",
            "race-2",
            "race-3",
            "race-4",
            "race-5",
        ]

    async def test_invalid_fields(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            json={
                "name": "",
                "slug": "Bad Slug",
                "company_url": "ftp://x",
                "branding": {"primary_color": "red", "border_radius": "huge"},
                "surprise": True,
            },
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        fields = {e["field"] for e in error["details"]["errors"]}
        assert fields == {
            "name",
            "slug",
            "company_url",
            "branding.primary_color",
            "branding.border_radius",
            "surprise",
        }

    async def test_unknown_starter_template_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            json={"name": "A", "starter_template_id": "nope"},
            headers=auth,
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["details"]["errors"][0]["field"] == "starter_template_id"

    async def test_missing_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v2/apps", json={"name": "A"})

        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == (
            'Bearer resource_metadata="http://testserver/.well-known/oauth-protected-resource"'
        )

    async def test_read_only_token_is_403(
        self, client: httpx.AsyncClient, make_auth
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            "/api/v2/apps", json={"name": "A"}, headers=make_auth(scope="drio:read")
        )

        assert_error(response, 403, "insufficient_scope")
        assert 'scope="drio:write"' in response.headers["www-authenticate"]


class TestGetApp:
    async def test_get(self, client: httpx.AsyncClient, auth: dict[str, str]) -> None:
        app = await create_app(client, auth, name="Reader")

        response = await client.get(f"/api/v2/apps/{app['id']}", headers=auth)

        assert response.status_code == 200
        assert response.json() == app
        assert response.headers["etag"] == '"1"'

    async def test_other_tenant_is_404(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)

        response = await client.get(f"/api/v2/apps/{app['id']}", headers=other_auth)

        assert_error(response, 404, "not_found")

    async def test_unknown_and_malformed_ids_are_404(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        for app_id in (
            "app_01jd7x3k5q9n2m4p6r8t0v2w4y",
            "nope",
            "tool_01jd7x3k5q9n2m4p6r8t0v2w4y",
            "app_" + "x" * 300,
        ):
            response = await client.get(f"/api/v2/apps/{app_id}", headers=auth)
            assert_error(response, 404, "not_found")

    async def test_user_tokens_without_org_are_their_own_tenant(
        self, client: httpx.AsyncClient, issuer
    ) -> None:  # type: ignore[no-untyped-def]
        alice = {
            "Authorization": f"Bearer {issuer.token(sub='user_alice_solo', org_id=None)}"
        }
        bob = {
            "Authorization": f"Bearer {issuer.token(sub='user_bob_solo', org_id=None)}"
        }
        app = await create_app(client, alice)

        assert (
            await client.get(f"/api/v2/apps/{app['id']}", headers=alice)
        ).status_code == 200
        assert_error(
            await client.get(f"/api/v2/apps/{app['id']}", headers=bob), 404, "not_found"
        )


class TestUpdateApp:
    async def test_patch_is_merge_patch_into_the_draft(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(
            client,
            auth,
            description="Old",
            branding={"primary_color": "#111111", "accent_color": "#222222"},
        )

        response = await client.patch(
            f"/api/v2/apps/{app['id']}",
            json={
                "branding": {"accent_color": None, "font_family": "Geist"},
                "description": None,
            },
            headers=auth,
        )

        assert response.status_code == 200
        body = response.json()
        assert body["branding"] == {
            "primary_color": "#111111",
            "accent_color": None,
            "background_color": None,
            "font_family": "Geist",
            "border_radius": None,
        }
        assert body["description"] is None
        assert body["name"] == app["name"]
        assert body["current_draft"]["revision"] == 2
        assert response.headers["etag"] == '"2"'

    async def test_null_name_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.patch(
            f"/api/v2/apps/{app['id']}", json={"name": None}, headers=auth
        )

        assert_error(response, 422, "validation_failed")

    async def test_slug_change_and_conflict(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, slug="first-slug")
        await create_app(client, auth, slug="second-slug")

        renamed = await client.patch(
            f"/api/v2/apps/{app['id']}", json={"slug": "third-slug"}, headers=auth
        )
        clash = await client.patch(
            f"/api/v2/apps/{app['id']}", json={"slug": "second-slug"}, headers=auth
        )

        assert renamed.json()["slug"] == "third-slug"
        assert_error(clash, 409, "slug_taken")

    async def test_if_match(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        url = f"/api/v2/apps/{app['id']}"

        stale = await client.patch(
            url, json={"name": "B"}, headers={**auth, "If-Match": '"7"'}
        )
        weak = await client.patch(
            url, json={"name": "B"}, headers={**auth, "If-Match": 'W/"1"'}
        )
        malformed = await client.patch(
            url, json={"name": "B"}, headers={**auth, "If-Match": "1"}
        )
        fresh = await client.patch(
            url, json={"name": "B"}, headers={**auth, "If-Match": '"0", "1"'}
        )
        star = await client.patch(
            url, json={"name": "C"}, headers={**auth, "If-Match": "*"}
        )

        assert_error(stale, 412, "precondition_failed")
        assert_error(weak, 412, "precondition_failed")
        assert_error(malformed, 400, "invalid_request")
        assert fresh.status_code == 200
        assert star.status_code == 200
        assert (await client.get(url, headers=auth)).json()["name"] == "C"

    async def test_other_tenant_cannot_patch(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)

        response = await client.patch(
            f"/api/v2/apps/{app['id']}", json={"name": "Hacked"}, headers=other_auth
        )

        assert_error(response, 404, "not_found")
        assert (await client.get(f"/api/v2/apps/{app['id']}", headers=auth)).json()[
            "name"
        ] == app["name"]


class TestListApps:
    async def test_pages_with_inserts_in_between(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        created = [await create_app(client, auth, name=f"App {i}") for i in range(5)]

        first = (await client.get("/api/v2/apps?limit=2", headers=auth)).json()
        await create_app(client, auth, name="Newcomer")
        second = (
            await client.get(
                f"/api/v2/apps?limit=2&cursor={first['page']['next_cursor']}",
                headers=auth,
            )
        ).json()
        third = (
            await client.get(
                f"/api/v2/apps?limit=2&cursor={second['page']['next_cursor']}",
                headers=auth,
            )
        ).json()

        seen = [a["id"] for page in (first, second, third) for a in page["data"]]
        assert seen == [a["id"] for a in reversed(created)]
        assert first["page"]["has_more"] is True
        assert third["page"] == {"has_more": False, "next_cursor": None}

    async def test_sort_and_query(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        for name in ("Charlie", "alpha", "Bravo"):
            await create_app(client, auth, name=name)

        by_name = (await client.get("/api/v2/apps?sort=name", headers=auth)).json()
        found = (await client.get("/api/v2/apps?query=RAV", headers=auth)).json()

        assert [a["name"] for a in by_name["data"]] == ["Bravo", "Charlie", "alpha"]
        assert [a["name"] for a in found["data"]] == ["Bravo"]

    async def test_bad_parameters(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        await create_app(client, auth)
        await create_app(client, auth)
        cursor = (await client.get("/api/v2/apps?limit=1", headers=auth)).json()[
            "page"
        ]["next_cursor"]

        assert_error(
            await client.get("/api/v2/apps?limit=0", headers=auth),
            422,
            "validation_failed",
        )
        assert_error(
            await client.get("/api/v2/apps?limit=101", headers=auth),
            422,
            "validation_failed",
        )
        assert_error(
            await client.get("/api/v2/apps?sort=color", headers=auth),
            422,
            "validation_failed",
        )
        assert_error(
            await client.get("/api/v2/apps?cursor=!!!", headers=auth),
            400,
            "invalid_request",
        )
        assert_error(
            await client.get("/api/v2/apps?cursor=e30", headers=auth),
            400,
            "invalid_request",
        )
        assert_error(
            await client.get(f"/api/v2/apps?cursor={cursor}", headers=other_auth),
            400,
            "invalid_request",
        )
        assert_error(
            await client.get(f"/api/v2/apps?sort=name&cursor={cursor}", headers=auth),
            400,
            "invalid_request",
        )

    async def test_tampered_cursor_values_are_400(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        await create_app(client, auth)
        await create_app(client, auth)
        page = (await client.get("/api/v2/apps?limit=1", headers=auth)).json()
        padded = page["page"]["next_cursor"] + "=" * (
            -len(page["page"]["next_cursor"]) % 4
        )
        stamp = json.loads(base64.urlsafe_b64decode(padded))["s"]
        forged = [
            ["not a time", "app_x"],
            [123, "app_x"],
            [{"t": "2026-01-01T00:00:00+00:00"}, 5],
            [1e308, None],
            [None, None],
            [{"t": "2026-01-01T00:00:00+00:00"}, "nul\u0000"],
            [{"t": "2026-01-01T00:00:00+00:00"}, 2**70],
        ]

        for values in forged:
            raw = json.dumps({"s": stamp, "v": values}).encode()
            cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            response = await client.get(f"/api/v2/apps?cursor={cursor}", headers=auth)
            assert_error(response, 400, "invalid_request")

    async def test_query_parameter_errors_name_the_bare_parameter(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        limit = await client.get("/api/v2/apps?limit=0", headers=auth)
        query = await client.get(f"/api/v2/apps?query={'q' * 201}", headers=auth)
        sort = await client.get("/api/v2/apps?sort=color", headers=auth)

        fields = [
            assert_error(r, 422, "validation_failed")["details"]["errors"][0]["field"]
            for r in (limit, query, sort)
        ]
        assert fields == ["limit", "query", "sort"]

    async def test_query_with_nul_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.get("/api/v2/apps?query=a%00b", headers=auth)

        assert_error(response, 422, "validation_failed")

    async def test_query_wildcards_are_literal(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        await create_app(client, auth, name="100% real")
        await create_app(client, auth, name="1000 fake")

        found = (
            await client.get("/api/v2/apps", params={"query": "0%"}, headers=auth)
        ).json()

        assert [a["name"] for a in found["data"]] == ["100% real"]
