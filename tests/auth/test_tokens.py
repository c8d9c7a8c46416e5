"""The resource server against hostile tokens, and scope checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt

from tests.factories import assert_error, create_app
from tests.fixtures.issuer import TestIssuer as Issuer
from tests.fixtures.issuer import new_key

METADATA = "http://testserver/.well-known/oauth-protected-resource"
# Every parameter of the challenge is quoted: name="value", comma-separated.
_CHALLENGE = re.compile(r'^Bearer [a-z_]+="[^"]*"(, [a-z_]+="[^"]*")*$')


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"


def _claims(issuer: Issuer) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer.url,
        "sub": "user_attacker",
        "aud": "http://testserver",
        "iat": now,
        "exp": now + 600,
    }


def missing_kid(issuer: Issuer) -> str:
    # Signed with the key itself, not a key set, so joserfc adds no kid of its own.
    return jwt.encode({"alg": "RS256"}, _claims(issuer), issuer.keys[0])


def alg_none(issuer: Issuer) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": issuer.keys[0].kid}
    return _unsigned(header, _claims(issuer)) + "."


def hs256_with_public_key(issuer: Issuer) -> str:
    public = issuer.keys[0].as_der(private=False)
    pem = serialization.load_der_public_key(public).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": issuer.keys[0].kid}
    signing_input = _unsigned(header, _claims(issuer))
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def tampered_payload(issuer: Issuer) -> str:
    header, _, signature = issuer.token(sub="user_honest").split(".")
    forged = {**_claims(issuer), "sub": "user_admin"}
    return f"{header}.{_b64(json.dumps(forged).encode())}.{signature}"


ATTACKS: dict[str, Callable[[Issuer], str]] = {
    "expired_beyond_leeway": lambda i: i.token(expires_in=-120),
    "wrong_issuer": lambda i: i.token(iss="https://evil.example"),
    "wrong_audience": lambda i: i.token(audience="https://other.example"),
    "no_audience": lambda i: i.token(audience=None),
    "no_subject": lambda i: i.token(sub=None),
    "no_expiry": lambda i: i.token(exp=None),
    "not_yet_valid": lambda i: i.token(nbf=int(time.time()) + 600),
    "alg_none": alg_none,
    "hs256_signed_with_public_key": hs256_with_public_key,
    "unknown_kid": lambda i: i.token(key=new_key("no-such-key")),
    "missing_kid": missing_kid,
    "embedded_jwk": lambda i: i.token(
        header={"jwk": new_key("x").as_dict(private=False)}
    ),
    "tampered_payload": tampered_payload,
    "bad_signature": lambda i: i.token(key=new_key(i.keys[0].kid or "")),
    "not_a_jwt": lambda i: "not.a.jwt",
}


def assert_invalid_token(response: httpx.Response) -> None:
    assert_error(response, 401, "unauthorized")
    challenge = response.headers["www-authenticate"]
    assert _CHALLENGE.match(challenge), challenge
    assert 'error="invalid_token"' in challenge
    assert f'resource_metadata="{METADATA}"' in challenge


class TestTokenAttacks:
    @pytest.mark.parametrize("attack", list(ATTACKS))
    async def test_is_refused(
        self, client: httpx.AsyncClient, issuer: Issuer, attack: str
    ) -> None:
        token = ATTACKS[attack](issuer)

        response = await client.get(
            "/api/v2/me", headers={"Authorization": f"Bearer {token}"}
        )

        assert_invalid_token(response)

    async def test_token_in_query_string(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        response = await client.get("/api/v2/me", params={"access_token": token})

        assert_invalid_token(response)

    async def test_token_in_query_string_beside_a_header(
        self, client: httpx.AsyncClient, token: str, auth: dict[str, str]
    ) -> None:
        response = await client.get(
            "/api/v2/me", params={"access_token": token}, headers=auth
        )

        assert_invalid_token(response)

    async def test_expired_within_leeway_is_accepted(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        response = await client.get("/api/v2/me", headers=make_auth(expires_in=-30))

        assert response.status_code == 200

    async def test_no_token_gets_a_challenge_without_error(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get("/api/v2/me")

        assert_error(response, 401, "unauthorized")
        challenge = response.headers["www-authenticate"]
        assert challenge == f'Bearer resource_metadata="{METADATA}"'


class TestScopes:
    async def test_read_scope_reads(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        response = await client.get("/api/v2/me", headers=make_auth(scope="drio:read"))

        assert response.status_code == 200
        assert response.json()["scopes"] == ["drio:read"]

    async def test_read_needs_read_scope(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        response = await client.get("/api/v2/me", headers=make_auth(scope="drio:write"))

        assert_insufficient(response, "drio:read")

    async def test_write_needs_write_scope(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            json={"name": "Scoped"},
            headers=make_auth(scope="openid drio:read"),
        )

        assert_insufficient(response, "drio:write")

    async def test_publish_needs_publish_scope(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        writer = make_auth(scope="drio:read drio:write")
        app = await create_app(client, writer)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/releases", headers=writer
        )

        assert_insufficient(response, "drio:publish")

    async def test_publish_scope_publishes(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        app = await create_app(client, make_auth(scope="drio:write"))

        response = await client.post(
            f"/api/v2/apps/{app['id']}/releases",
            headers=make_auth(scope="drio:publish"),
        )

        assert response.status_code == 201

    async def test_product_scopes_allow_everything(
        self, client: httpx.AsyncClient, make_auth: Callable[..., dict[str, str]]
    ) -> None:
        auth = make_auth(scope="openid profile email")
        app = await create_app(client, auth)

        response = await client.post(f"/api/v2/apps/{app['id']}/releases", headers=auth)

        assert response.status_code == 201


def assert_insufficient(response: httpx.Response, needed: str) -> None:
    assert_error(response, 403, "insufficient_scope")
    challenge = response.headers["www-authenticate"]
    assert _CHALLENGE.match(challenge), challenge
    assert 'error="insufficient_scope"' in challenge
    assert f'scope="{needed}"' in challenge
    assert f'resource_metadata="{METADATA}"' in challenge
