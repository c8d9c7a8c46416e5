"""The token endpoint: code exchange with PKCE, rotating refresh tokens."""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jws import extract_compact
from sqlalchemy import update

from drio.models.oauth import OAuthAuthorizationCode
from drio.oauth import rules
from drio.timeutil import utcnow
from tests.oauth.flow import (
    REDIRECT_URI,
    RESOURCE,
    exchange,
    get_code,
    register,
    token,
    tokens,
)
from tests.oauth.test_register import assert_oauth_error


def refresh_form(
    client: dict[str, Any], refresh_token: str, **extra: str
) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": client["client_id"],
        **extra,
    }


def basic(client: dict[str, Any], secret: str | None = None) -> dict[str, str]:
    pair = f"{client['client_id']}:{secret or client['client_secret']}"
    return {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}


class TestAuthorizationCodeGrant:
    async def test_issues_authkit_shaped_tokens(
        self, dev_client: httpx.AsyncClient, dev_api: FastAPI
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client, scope="openid drio:read")

        response = await exchange(dev_client, client, code, verifier)

        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["scope"] == "openid drio:read"
        assert body["refresh_token"]
        access = body["access_token"]
        key = dev_api.state.development_key
        header = extract_compact(access.encode()).protected
        assert header["alg"] == "RS256"
        assert header["kid"] == key.kid
        claims = jwt.decode(access, key, algorithms=["RS256"]).claims
        assert claims["iss"] == "http://testserver"
        assert claims["aud"] == RESOURCE
        assert claims["sub"] == "user_local_developer"
        assert claims["org_id"] == "org_local_development"
        assert claims["sid"].startswith("session_")
        assert claims["scope"] == "openid drio:read"
        assert claims["client_id"] == client["client_id"]
        assert claims["jti"]
        assert claims["exp"] - claims["iat"] == 3600
        assert abs(claims["iat"] - time.time()) < 60
        me = await dev_client.get(
            "/api/v2/me", headers={"Authorization": f"Bearer {access}"}
        )
        assert me.status_code == 200
        assert me.json()["organization_id"] == "org_local_development"

    async def test_trailing_slash_resource_gets_the_configured_audience(
        self, dev_client: httpx.AsyncClient, dev_api: FastAPI
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client, resource=RESOURCE + "/")

        response = await token(
            dev_client,
            grant_type="authorization_code",
            code=code,
            code_verifier=verifier,
            redirect_uri=REDIRECT_URI,
            client_id=client["client_id"],
            resource=RESOURCE + "/",
        )

        access = response.json()["access_token"]
        claims = jwt.decode(access, dev_api.state.development_key).claims
        assert claims["aud"] == RESOURCE

    async def test_code_is_single_use_and_replay_revokes_the_grant(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client)
        first = await exchange(dev_client, client, code, verifier)

        replay = await exchange(dev_client, client, code, verifier)

        assert first.status_code == 200
        assert_oauth_error(replay, 400, "invalid_grant")
        refreshed = await token(
            dev_client, **refresh_form(client, first.json()["refresh_token"])
        )
        assert_oauth_error(refreshed, 400, "invalid_grant")

    async def test_expired_code(
        self, dev_client: httpx.AsyncClient, dev_api: FastAPI
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client)
        async with dev_api.state.sessionmaker() as session, session.begin():
            await session.execute(
                update(OAuthAuthorizationCode)
                .where(OAuthAuthorizationCode.code_hash == rules.digest(code))
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )

        response = await exchange(dev_client, client, code, verifier)

        assert_oauth_error(response, 400, "invalid_grant")

    async def test_wrong_verifier_burns_the_code(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client)

        wrong = await exchange(dev_client, client, code, "x" * 43)
        right = await exchange(dev_client, client, code, verifier)

        assert_oauth_error(wrong, 400, "invalid_grant")
        assert_oauth_error(right, 400, "invalid_grant")

    @pytest.mark.parametrize(
        ("change", "error"),
        [
            ({"code_verifier": ""}, "invalid_request"),
            ({"code": ""}, "invalid_request"),
            ({"code": "made-up"}, "invalid_grant"),
            ({"redirect_uri": "http://127.0.0.1:9999/callback"}, "invalid_grant"),
            ({"redirect_uri": ""}, "invalid_grant"),
            ({"resource": "https://elsewhere.example"}, "invalid_target"),
        ],
    )
    async def test_refusals(
        self, dev_client: httpx.AsyncClient, change: dict[str, str], error: str
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "redirect_uri": REDIRECT_URI,
            "client_id": client["client_id"],
            **change,
        }

        response = await token(dev_client, **form)

        assert_oauth_error(response, 400, error)

    async def test_concurrent_exchanges_issue_once(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)
        code, verifier = await get_code(dev_client, client)

        responses = await asyncio.gather(
            *(exchange(dev_client, client, code, verifier) for _ in range(5))
        )

        assert sorted(r.status_code for r in responses) == [200, 400, 400, 400, 400]

    async def test_another_clients_code(self, dev_client: httpx.AsyncClient) -> None:
        owner = await register(dev_client)
        thief = await register(dev_client)
        code, verifier = await get_code(dev_client, owner)

        response = await exchange(dev_client, thief, code, verifier)

        assert_oauth_error(response, 400, "invalid_grant")

    async def test_loopback_redirect_with_a_port_exchanges(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)
        used = "http://127.0.0.1:40001/callback"
        code, verifier = await get_code(dev_client, client, redirect_uri=used)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": verifier,
            "client_id": client["client_id"],
        }

        response = await token(dev_client, **form, redirect_uri=used)

        assert response.status_code == 200


class TestRefreshTokenGrant:
    async def test_rotates(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)

        second = await token(dev_client, **refresh_form(client, first["refresh_token"]))

        assert second.status_code == 200, second.text
        body = second.json()
        assert body["refresh_token"] != first["refresh_token"]
        assert body["access_token"] != first["access_token"]
        assert body["scope"] == first["scope"]
        third = await token(dev_client, **refresh_form(client, body["refresh_token"]))
        assert third.status_code == 200

    async def test_old_refresh_token_is_refused_and_revokes_the_family(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)
        second = await token(dev_client, **refresh_form(client, first["refresh_token"]))

        replay = await token(dev_client, **refresh_form(client, first["refresh_token"]))

        assert_oauth_error(replay, 400, "invalid_grant")
        latest = await token(
            dev_client, **refresh_form(client, second.json()["refresh_token"])
        )
        assert_oauth_error(latest, 400, "invalid_grant")

    async def test_concurrent_refreshes_rotate_once(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)
        form = refresh_form(client, first["refresh_token"])

        responses = await asyncio.gather(*(token(dev_client, **form) for _ in range(5)))

        assert sorted(r.status_code for r in responses) == [200, 400, 400, 400, 400]

    async def test_keeps_the_session(
        self, dev_client: httpx.AsyncClient, dev_api: FastAPI
    ) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)

        second = await token(dev_client, **refresh_form(client, first["refresh_token"]))

        key = dev_api.state.development_key
        before = jwt.decode(first["access_token"], key).claims
        after = jwt.decode(second.json()["access_token"], key).claims
        assert after["sid"] == before["sid"]
        assert after["jti"] != before["jti"]

    async def test_may_narrow_the_scope(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)

        narrowed = await token(
            dev_client, **refresh_form(client, first["refresh_token"], scope="openid")
        )

        assert narrowed.json()["scope"] == "openid"

    async def test_may_not_widen_the_scope(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)

        widened = await token(
            dev_client,
            **refresh_form(client, first["refresh_token"], scope="openid drio:publish"),
        )

        assert_oauth_error(widened, 400, "invalid_scope")

    async def test_other_client_cannot_use_it(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        owner = await register(dev_client)
        thief = await register(dev_client)
        first = await tokens(dev_client, owner)

        response = await token(
            dev_client, **refresh_form(thief, first["refresh_token"])
        )

        assert_oauth_error(response, 400, "invalid_grant")

    async def test_resource_must_stay(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(dev_client)
        first = await tokens(dev_client, client)

        response = await token(
            dev_client,
            **refresh_form(
                client, first["refresh_token"], resource="https://elsewhere.example"
            ),
        )

        assert_oauth_error(response, 400, "invalid_target")


class TestClientAuthentication:
    async def test_basic(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(
            dev_client, token_endpoint_auth_method="client_secret_basic"
        )
        code, verifier = await get_code(dev_client, client)

        response = await dev_client.post(
            "/oauth2/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": REDIRECT_URI,
            },
            headers=basic(client),
        )

        assert response.status_code == 200, response.text

    async def test_post(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(
            dev_client, token_endpoint_auth_method="client_secret_post"
        )
        code, verifier = await get_code(dev_client, client)

        response = await exchange_with(
            dev_client, client, code, verifier, client_secret=client["client_secret"]
        )

        assert response.status_code == 200, response.text

    async def test_wrong_secret(self, dev_client: httpx.AsyncClient) -> None:
        client = await register(
            dev_client, token_endpoint_auth_method="client_secret_basic"
        )
        code, _ = await get_code(dev_client, client)

        response = await dev_client.post(
            "/oauth2/token",
            data={"grant_type": "authorization_code", "code": code},
            headers=basic(client, "wrong"),
        )

        assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["www-authenticate"].startswith("Basic ")

    async def test_confidential_client_without_secret(
        self, dev_client: httpx.AsyncClient
    ) -> None:
        client = await register(
            dev_client, token_endpoint_auth_method="client_secret_post"
        )
        code, verifier = await get_code(dev_client, client)

        response = await exchange(dev_client, client, code, verifier)

        assert_oauth_error(response, 401, "invalid_client")

    async def test_unknown_client(self, dev_client: httpx.AsyncClient) -> None:
        response = await token(
            dev_client, grant_type="refresh_token", refresh_token="x", client_id="nope"
        )

        assert_oauth_error(response, 401, "invalid_client")

    async def test_no_client(self, dev_client: httpx.AsyncClient) -> None:
        response = await token(
            dev_client, grant_type="refresh_token", refresh_token="x"
        )

        assert_oauth_error(response, 401, "invalid_client")


class TestTokenRequest:
    async def test_unsupported_grant_type(self, dev_client: httpx.AsyncClient) -> None:
        response = await token(dev_client, grant_type="client_credentials")

        assert_oauth_error(response, 400, "unsupported_grant_type")

    async def test_json_body_refused(self, dev_client: httpx.AsyncClient) -> None:
        response = await dev_client.post(
            "/oauth2/token", json={"grant_type": "refresh_token"}
        )

        assert_oauth_error(response, 400, "invalid_request")

    async def test_repeated_parameter(self, dev_client: httpx.AsyncClient) -> None:
        response = await dev_client.post(
            "/oauth2/token",
            content=b"grant_type=refresh_token&grant_type=authorization_code",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

        assert_oauth_error(response, 400, "invalid_request")

    async def test_get_is_not_allowed(self, dev_client: httpx.AsyncClient) -> None:
        response = await dev_client.get("/oauth2/token")

        assert response.status_code == 405


async def exchange_with(
    http: httpx.AsyncClient,
    client: dict[str, Any],
    code: str,
    verifier: str,
    **extra: str,
) -> httpx.Response:
    return await token(
        http,
        grant_type="authorization_code",
        code=code,
        code_verifier=verifier,
        redirect_uri=REDIRECT_URI,
        client_id=client["client_id"],
        **extra,
    )
