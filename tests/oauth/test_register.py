"""Dynamic client registration (RFC 7591)."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from drio.models.oauth import OAuthClient
from tests.oauth.flow import REDIRECT_URI


async def post(http: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await http.post("/oauth2/register", json=body)


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert response.headers["cache-control"] == "no-store"


class TestRegisterClient:
    async def test_public_client(self, dev_client: httpx.AsyncClient) -> None:
        response = await post(
            dev_client,
            client_name="CLI",
            redirect_uris=[REDIRECT_URI],
            token_endpoint_auth_method="none",
            grant_types=["authorization_code", "refresh_token"],
        )

        assert response.status_code == 201
        assert response.headers["cache-control"] == "no-store"
        client = response.json()
        assert client["client_id"].startswith("client_")
        assert isinstance(client["client_id_issued_at"], int)
        assert "client_secret" not in client
        assert client["client_name"] == "CLI"
        assert client["redirect_uris"] == [REDIRECT_URI]
        assert client["token_endpoint_auth_method"] == "none"
        assert client["grant_types"] == ["authorization_code", "refresh_token"]
        assert client["response_types"] == ["code"]

    async def test_confidential_by_default_and_secret_stored_hashed(
        self, dev_client: httpx.AsyncClient, dev_api: FastAPI
    ) -> None:
        response = await post(dev_client, redirect_uris=["https://app.example/cb"])

        assert response.status_code == 201
        client = response.json()
        assert client["token_endpoint_auth_method"] == "client_secret_basic"
        assert client["client_secret_expires_at"] == 0
        secret = client["client_secret"]
        async with dev_api.state.sessionmaker() as session:
            row = await session.get(OAuthClient, client["client_id"])
        assert row is not None
        assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in str(row.client_metadata)

    async def test_refresh_token_grant_is_always_added(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        response = await post(
            dev_client,
            redirect_uris=[REDIRECT_URI],
            token_endpoint_auth_method="none",
            grant_types=["authorization_code"],
        )

        assert response.json()["grant_types"] == ["authorization_code", "refresh_token"]

    async def test_unknown_metadata_is_ignored(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        response = await post(
            dev_client,
            redirect_uris=[REDIRECT_URI],
            token_endpoint_auth_method="none",
            client_id="chosen-by-me",
            favourite_colour="teal",
        )

        assert response.status_code == 201
        assert response.json()["client_id"] != "chosen-by-me"
        assert "favourite_colour" not in response.json()

    @pytest.mark.parametrize(
        "uris",
        [
            [],
            "http://127.0.0.1/cb",
            ["http://app.example/cb"],
            ["https://app.example/cb#fragment"],
            ["javascript:alert(1)"],
            ["/relative"],
            [42],
        ],
    )
    async def test_bad_redirect_uris(
        self, dev_client: httpx.AsyncClient, uris: object
    ) -> None:
        response = await post(dev_client, redirect_uris=uris)

        assert_oauth_error(response, 400, "invalid_redirect_uri")

    @pytest.mark.parametrize(
        "redirect_uri",
        [
            "http://localhost:3000/callback",
            "http://[::1]/callback",
            "https://app.example/oauth/callback",
            "com.example.app:/callback",
        ],
    )
    async def test_accepted_redirect_uris(
        self, dev_client: httpx.AsyncClient, redirect_uri: str
    ) -> None:
        response = await post(
            dev_client, redirect_uris=[redirect_uri], token_endpoint_auth_method="none"
        )

        assert response.status_code == 201

    @pytest.mark.parametrize(
        "metadata",
        [
            {"token_endpoint_auth_method": "private_key_jwt"},
            {"grant_types": ["client_credentials"]},
            {"grant_types": ["authorization_code", "implicit"]},
            {"response_types": ["token"]},
            {"scope": "openid admin"},
            {"logo_uri": "not a url"},
            {"client_name": "x" * 5000},
        ],
    )
    async def test_bad_metadata(
        self, dev_client: httpx.AsyncClient, metadata: dict[str, Any]
    ) -> None:
        response = await post(dev_client, redirect_uris=[REDIRECT_URI], **metadata)

        assert_oauth_error(response, 400, "invalid_client_metadata")

    async def test_not_json(self, dev_client: httpx.AsyncClient) -> None:
        response = await dev_client.post(
            "/oauth2/register",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )

        assert_oauth_error(response, 400, "invalid_client_metadata")

    async def test_not_an_object(self, dev_client: httpx.AsyncClient) -> None:
        response = await dev_client.post("/oauth2/register", json=[REDIRECT_URI])

        assert_oauth_error(response, 400, "invalid_client_metadata")

    async def test_form_body_refused(self, dev_client: httpx.AsyncClient) -> None:
        response = await dev_client.post(
            "/oauth2/register", data={"redirect_uris": REDIRECT_URI}
        )

        assert_oauth_error(response, 400, "invalid_client_metadata")

    async def test_large_body_refused(self, dev_client: httpx.AsyncClient) -> None:
        response = await post(
            dev_client, redirect_uris=[REDIRECT_URI], contacts=["a" * 1000] * 100
        )

        assert_oauth_error(response, 413, "invalid_request")
