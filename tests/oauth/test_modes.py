"""Development auth exists only without an AuthKit issuer, and never in production."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from drio.settings import Settings
from tests.factories import assert_error


class TestWithAuthKitConfigured:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/oauth2/register"),
            ("GET", "/oauth2/authorize"),
            ("POST", "/oauth2/token"),
            ("GET", "/oauth2/jwks"),
        ],
    )
    async def test_development_endpoints_are_absent(
        self, client: httpx.AsyncClient, method: str, path: str
    ) -> None:
        response = await client.request(method, path)

        assert_error(response, 404, "not_found")


class TestProductionRefusesDevelopmentAuth:
    def test_no_issuer_in_production(self) -> None:
        with pytest.raises(ValidationError, match="development auth is refused"):
            Settings(env="production", authkit_issuer=None, secrets_key="k" * 44)  # type: ignore[arg-type]

    def test_issuer_in_production_is_accepted(self) -> None:
        settings = Settings(
            env="production",  # type: ignore[arg-type]
            authkit_issuer="https://example.authkit.app",
            secrets_key="k" * 44,  # type: ignore[arg-type]
        )

        assert not settings.development_auth


class TestDevelopmentDiscovery:
    async def test_authorization_server_metadata(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        response = await dev_client.get("/.well-known/oauth-authorization-server")

        assert response.status_code == 200
        metadata = response.json()
        assert metadata["issuer"] == "http://testserver"
        assert (
            metadata["authorization_endpoint"] == "http://testserver/oauth2/authorize"
        )
        assert metadata["token_endpoint"] == "http://testserver/oauth2/token"
        assert metadata["registration_endpoint"] == "http://testserver/oauth2/register"
        assert metadata["jwks_uri"] == "http://testserver/oauth2/jwks"
        assert metadata["code_challenge_methods_supported"] == ["S256"]
        assert "none" in metadata["token_endpoint_auth_methods_supported"]
        assert {"drio:read", "drio:write", "drio:publish"} <= set(
            metadata["scopes_supported"]
        )

    async def test_protected_resource_points_at_itself(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        response = await dev_client.get("/.well-known/oauth-protected-resource")

        assert response.json()["resource"] == "http://testserver"
        assert response.json()["authorization_servers"] == ["http://testserver"]

    async def test_jwks_holds_the_signing_key(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        response = await dev_client.get("/oauth2/jwks")

        keys = response.json()["keys"]
        assert len(keys) == 1
        assert keys[0]["kty"] == "RSA"
        assert keys[0]["alg"] == "RS256"
        assert keys[0]["kid"]
        assert "d" not in keys[0]
