from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.conftest import BASE_URL, start_api
from tests.factories import assert_error
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


class TestAuthorizationServerRelay:
    async def test_relays_and_caches_the_issuer_metadata(self, settings) -> None:  # type: ignore[no-untyped-def]
        upstream = MetadataServer()
        upstream.start()
        try:
            relay_settings = settings.model_copy(
                update={"authkit_issuer": upstream.url}
            )
            api, context = await start_api(relay_settings)
            try:
                transport = httpx.ASGITransport(app=api)
                async with httpx.AsyncClient(
                    transport=transport, base_url=BASE_URL
                ) as http:
                    first = await http.get("/.well-known/oauth-authorization-server")
                    upstream.available = False
                    second = await http.get("/.well-known/oauth-authorization-server")
            finally:
                await context.__aexit__(None, None, None)
        finally:
            upstream.stop()

        assert first.status_code == 200
        assert first.json() == upstream.document
        assert first.json()["issuer"] == upstream.url
        assert second.json() == upstream.document
        assert upstream.hits == 1

    async def test_unreachable_issuer_is_503(self, settings) -> None:  # type: ignore[no-untyped-def]
        upstream = MetadataServer()
        upstream.available = False
        upstream.start()
        try:
            api, context = await start_api(
                settings.model_copy(update={"authkit_issuer": upstream.url})
            )
            try:
                transport = httpx.ASGITransport(app=api)
                async with httpx.AsyncClient(
                    transport=transport, base_url=BASE_URL
                ) as http:
                    response = await http.get("/.well-known/oauth-authorization-server")
            finally:
                await context.__aexit__(None, None, None)
        finally:
            upstream.stop()

        assert_error(response, 503, "service_unavailable")
        assert response.headers["retry-after"]


class MetadataServer:
    """An AuthKit stand-in serving only its RFC 8414 document."""

    def __init__(self) -> None:
        self.available = True
        self.hits = 0
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def document(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/oauth2/authorize",
            "token_endpoint": f"{self.url}/oauth2/token",
            "registration_endpoint": f"{self.url}/oauth2/register",
            "code_challenge_methods_supported": ["S256"],
        }

    def start(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                if (
                    not outer.available
                    or self.path != "/.well-known/oauth-authorization-server"
                ):
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps(outer.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
