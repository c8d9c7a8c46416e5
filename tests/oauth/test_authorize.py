"""The authorization endpoint: checks, automatic consent, redirect back."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from drio.models.oauth import OAuthAuthorizationCode
from tests.oauth.flow import REDIRECT_URI, authorize, query, register
from tests.oauth.test_register import assert_oauth_error


def assert_redirect_error(
    response: httpx.Response, error: str, *, state: str | None = "st"
) -> None:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    params = query(location)
    assert params["error"] == error
    assert params["error_description"]
    assert params.get("state") == state
    assert "code" not in params


class TestAuthorize:
    async def test_redirects_back_with_code_and_state(
        self, dev_client: httpx.AsyncClient, dev_api: FastAPI
    ) -> None:
        client = await register(dev_client)

        response = await authorize(dev_client, client, state="xyz")

        assert response.status_code == 302
        assert response.headers["cache-control"] == "no-store"
        params = query(response.headers["location"])
        assert params["state"] == "xyz"
        code = params["code"]
        async with dev_api.state.sessionmaker() as session:
            row = await session.scalar(
                select(OAuthAuthorizationCode).where(
                    OAuthAuthorizationCode.client_id == client["client_id"]
                )
            )
        assert row is not None
        assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
        assert row.subject == "user_local_developer"
        assert (row.expires_at - row.created_at).total_seconds() <= 600

    async def test_keeps_the_redirect_uris_own_query(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        uri = "https://app.example/cb?tenant=acme"
        client = await register(dev_client, redirect_uris=[uri])

        response = await authorize(dev_client, client, redirect_uri=uri)

        location = response.headers["location"]
        assert location.startswith(uri + "&code=")

    @pytest.mark.parametrize(
        "requested",
        ["http://127.0.0.1:54321/callback", "http://127.0.0.1:8080/callback"],
    )
    async def test_loopback_redirect_on_any_port(
        self, dev_client: httpx.AsyncClient, requested: str
    ) -> None:
        client = await register(dev_client, redirect_uris=[REDIRECT_URI])

        response = await authorize(dev_client, client, redirect_uri=requested)

        assert response.status_code == 302
        assert response.headers["location"].startswith(requested + "?code=")

    @pytest.mark.parametrize(
        "requested",
        [
            "http://localhost:54321/callback",
            "http://127.0.0.1:54321/other",
            "http://127.0.0.1/callback?extra=1",
            "https://127.0.0.1/callback",
            "http://evil.example/callback",
        ],
    )
    async def test_unregistered_redirect_is_not_followed(
        self, dev_client: httpx.AsyncClient, requested: str
    ) -> None:
        client = await register(dev_client)

        response = await authorize(dev_client, client, redirect_uri=requested)

        assert_oauth_error(response, 400, "invalid_request")
        assert "location" not in response.headers

    async def test_non_loopback_port_must_match(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client, redirect_uris=["https://app.example/cb"])

        response = await authorize(
            dev_client, client, redirect_uri="https://app.example:8443/cb"
        )

        assert_oauth_error(response, 400, "invalid_request")

    async def test_single_registered_redirect_may_be_omitted(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)

        response = await authorize(dev_client, client, redirect_uri=None)

        assert response.headers["location"].startswith(REDIRECT_URI + "?code=")

    async def test_unknown_client(self, dev_client: httpx.AsyncClient) -> None:
        response = await authorize(dev_client, {"client_id": "client_nope"})

        assert_oauth_error(response, 400, "invalid_request")

    async def test_missing_client(self, dev_client: httpx.AsyncClient) -> None:
        response = await authorize(dev_client, {"client_id": None})

        assert_oauth_error(response, 400, "invalid_request")

    async def test_repeated_parameter(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(dev_client)

        response = await dev_client.get(
            "/oauth2/authorize",
            params=[("client_id", client["client_id"]), ("client_id", "x")],
        )

        assert_oauth_error(response, 400, "invalid_request")

    @pytest.mark.parametrize(
        ("params", "error"),
        [
            ({"response_type": "token"}, "unsupported_response_type"),
            ({"response_type": None}, "unsupported_response_type"),
            ({"code_challenge": None}, "invalid_request"),
            ({"code_challenge_method": "plain"}, "invalid_request"),
            ({"code_challenge_method": None}, "invalid_request"),
            ({"code_challenge": "too-short"}, "invalid_request"),
            ({"scope": "openid admin"}, "invalid_scope"),
            ({"resource": "https://elsewhere.example"}, "invalid_target"),
            ({"resource": "http://testserver/api/v2"}, "invalid_target"),
            ({"resource": "http://testserver#frag"}, "invalid_target"),
        ],
    )
    async def test_errors_go_back_to_the_client(
        self,
        dev_client: httpx.AsyncClient,
        params: dict[str, str | None],
        error: str,
    ) -> None:
        client = await register(dev_client)

        response = await authorize(dev_client, client, state="st", **params)

        assert_redirect_error(response, error)

    async def test_state_is_required(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(dev_client)

        response = await authorize(dev_client, client, state=None)

        assert_redirect_error(response, "invalid_request", state=None)

    @pytest.mark.parametrize(
        "resource",
        ["http://testserver", "http://testserver/", "HTTP://TESTSERVER", None],
    )
    async def test_resource_spellings(
        self, dev_client: httpx.AsyncClient, resource: str | None
    ) -> None:
        client = await register(dev_client)

        response = await authorize(dev_client, client, resource=resource)

        assert "code" in query(response.headers["location"])

    async def test_prompt_and_unknown_parameters_are_ignored(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)

        response = await authorize(
            dev_client,
            client,
            prompt="consent",
            nonce="n",
            scope="openid offline_access",
        )

        assert "code" in query(response.headers["location"])
