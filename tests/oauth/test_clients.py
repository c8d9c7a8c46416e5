"""Acceptance: unmodified third-party OAuth clients against a running server.

The server runs in development auth mode under uvicorn on a loopback port, and each
client starts from nothing but the API's URL.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
import uvicorn
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from mcp.client.auth import OAuthClientProvider
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

from drio.main import create_api
from tests.oauth.conftest import development_settings
from tests.oauth.flow import query

TOKEN_SECONDS = 2
REDIRECT_URI = "http://127.0.0.1:33418/callback"


@pytest.fixture(scope="module")
async def server_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A real HTTP server whose public URL is its own loopback address."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = development_settings(
        database_url,
        tmp_path_factory.mktemp("live"),
        public_url=base,
        dev_access_token_seconds=TOKEN_SECONDS,
    )
    config = uvicorn.Config(
        create_api(settings), lifespan="on", log_config=None, http="h11", ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.01)
    yield base
    server.should_exit = True
    await task


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Browser:
    """Stands in for the user's browser: follows the authorization URL and reads the
    redirect the server answers with (consent is automatic in development)."""

    def __init__(self) -> None:
        self.redirects: list[dict[str, str]] = []

    async def open(self, url: str) -> None:
        async with httpx2.AsyncClient() as http:
            response = await http.get(url)
        assert response.status_code == 302, response.text
        assert response.headers["location"].startswith(REDIRECT_URI + "?")
        self.redirects.append(query(response.headers["location"]))

    async def callback(self) -> AuthorizationCodeResult:
        params = self.redirects[-1]
        return AuthorizationCodeResult(code=params["code"], state=params.get("state"))


class TestMcpClient:
    async def test_full_flow_then_refresh(self, server_url: str) -> None:
        storage = MemoryStorage()
        browser = Browser()
        provider = OAuthClientProvider(
            server_url=f"{server_url}/api/v2/me",
            client_metadata=OAuthClientMetadata(
                client_name="mcp sdk acceptance test",
                redirect_uris=[REDIRECT_URI],  # type: ignore[list-item]
            ),
            storage=storage,
            redirect_handler=browser.open,
            callback_handler=browser.callback,
        )
        seen: list[tuple[str, str, int]] = []

        async def record(response: httpx2.Response) -> None:
            request = response.request
            seen.append((request.method, request.url.path, response.status_code))

        async with httpx2.AsyncClient(
            auth=provider, event_hooks={"response": [record]}
        ) as http:
            first = await http.get(f"{server_url}/api/v2/me")

            assert first.status_code == 200, first.text
            assert first.json()["id"] == "user_local_developer"
            assert seen == [
                ("GET", "/api/v2/me", 401),
                ("GET", "/.well-known/oauth-protected-resource", 200),
                ("GET", "/.well-known/oauth-authorization-server", 200),
                ("POST", "/oauth2/register", 201),
                ("POST", "/oauth2/token", 200),
                ("GET", "/api/v2/me", 200),
            ]
            assert len(browser.redirects) == 1
            assert storage.tokens is not None
            first_tokens = storage.tokens

            await asyncio.sleep(TOKEN_SECONDS + 0.5)
            seen.clear()
            second = await http.get(f"{server_url}/api/v2/me")

            assert second.status_code == 200, second.text
            assert seen == [("POST", "/oauth2/token", 200), ("GET", "/api/v2/me", 200)]
            assert storage.tokens.access_token != first_tokens.access_token
            assert storage.tokens.refresh_token != first_tokens.refresh_token
            assert len(browser.redirects) == 1

        async with httpx2.AsyncClient() as http:
            assert storage.client_info is not None
            replay = await http.post(
                f"{server_url}/oauth2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": first_tokens.refresh_token or "",
                },
                auth=(
                    storage.client_info.client_id,
                    storage.client_info.client_secret or "",
                ),
            )
        assert replay.status_code == 400
        assert replay.json()["error"] == "invalid_grant"


class TestAuthlibClient:
    async def test_pkce_flow_by_hand_then_refresh(self, server_url: str) -> None:
        async with httpx2.AsyncClient() as http:
            challenge = await http.get(f"{server_url}/api/v2/me")
            assert challenge.status_code == 401
            found = re.search(
                r'resource_metadata="([^"]+)"', challenge.headers["www-authenticate"]
            )
            assert found is not None
            resource_metadata = (await http.get(found.group(1))).json()
            issuer = resource_metadata["authorization_servers"][0]
            server_metadata = (
                await http.get(f"{issuer}/.well-known/oauth-authorization-server")
            ).json()
            assert server_metadata["issuer"] == issuer
            assert "S256" in server_metadata["code_challenge_methods_supported"]
            registered = await http.post(
                server_metadata["registration_endpoint"],
                json={
                    "client_name": "authlib acceptance test",
                    "redirect_uris": [REDIRECT_URI],
                    "grant_types": ["authorization_code", "refresh_token"],
                    "token_endpoint_auth_method": "none",
                },
            )
            assert registered.status_code == 201
            client_id = registered.json()["client_id"]
            assert "client_secret" not in registered.json()

        resource = resource_metadata["resource"]
        refreshed: list[dict[str, Any]] = []

        async def update_token(token: dict[str, Any], **_: Any) -> None:
            refreshed.append(token)

        async with AsyncOAuth2Client(
            client_id=client_id,
            token_endpoint_auth_method="none",
            redirect_uri=REDIRECT_URI,
            scope="openid profile email drio:read",
            code_challenge_method="S256",
            token_endpoint=server_metadata["token_endpoint"],
            update_token=update_token,
            leeway=0,
        ) as oauth:
            verifier = generate_token(64)
            url, state = oauth.create_authorization_url(
                server_metadata["authorization_endpoint"],
                code_verifier=verifier,
                resource=resource,
            )
            async with httpx2.AsyncClient() as browser:
                redirect = await browser.get(url)
            assert redirect.status_code == 302
            token = await oauth.fetch_token(
                server_metadata["token_endpoint"],
                authorization_response=redirect.headers["location"],
                state=state,
                code_verifier=verifier,
                resource=resource,
            )
            assert token["token_type"] == "Bearer"
            assert token["scope"] == "openid profile email drio:read"

            me = await oauth.get(f"{server_url}/api/v2/me")
            assert me.status_code == 200
            assert me.json()["scopes"] == ["drio:read", "email", "openid", "profile"]

            await asyncio.sleep(TOKEN_SECONDS + 0.5)
            again = await oauth.get(f"{server_url}/api/v2/me")

            assert again.status_code == 200
            assert len(refreshed) == 1
            assert refreshed[0]["access_token"] != token["access_token"]
            assert refreshed[0]["refresh_token"] != token["refresh_token"]
