from __future__ import annotations

import httpx

from tests.fixtures.issuer import TestIssuer


class TestWellKnown:
    async def test_protected_resource_metadata(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        for path in (
            "/.well-known/oauth-protected-resource",
            "/.well-known/oauth-protected-resource/api/v2",
        ):
            response = await client.get(path)

            assert response.status_code == 200
            body = response.json()
            assert body["resource"] == "http://testserver"
            assert body["authorization_servers"] == [issuer.url]
            assert body["bearer_methods_supported"] == ["header"]
            assert {"openid", "profile", "email"} <= set(body["scopes_supported"])

    async def test_openapi_is_public_and_lists_routes(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/api/v2/openapi.json")

        assert response.status_code == 200
        document = response.json()
        assert document["openapi"].startswith("3.1")
        paths = document["paths"]
        assert "/api/v2/apps/{app_id}/releases" in paths
        assert paths["/api/v2/apps"]["post"]["operationId"] == "create_app"
        assert "/healthz" not in paths


class TestMe:
    async def test_me_from_claims(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        token = issuer.token(
            sub="user_me",
            org_id="org_me",
            email="me@example.com",
            name="Me Myself",
            picture="https://img/me.png",
        )

        response = await client.get(
            "/api/v2/me", headers={"Authorization": f"Bearer {token}"}
        )

        assert response.json() == {
            "id": "user_me",
            "email": "me@example.com",
            "name": "Me Myself",
            "image": "https://img/me.png",
            "organization_id": "org_me",
            "scopes": ["email", "openid", "profile"],
        }

    async def test_unknown_claims_are_null(
        self, client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        token = issuer.token(sub="user_bare")

        body = (
            await client.get("/api/v2/me", headers={"Authorization": f"Bearer {token}"})
        ).json()

        assert body["email"] is None
        assert body["name"] is None
        assert body["organization_id"] is None

    async def test_bad_token_is_401_with_invalid_token(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(
            "/api/v2/me", headers={"Authorization": "Bearer not-a-jwt"}
        )

        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith(
            'Bearer error="invalid_token"'
        )
        assert response.json()["error"]["code"] == "unauthorized"
