from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from drio.db.engine import create_engine
from drio.settings import Settings
from tests.conftest import BASE_URL, start_api
from tests.factories import assert_error, create_app


class TestEnvelope:
    async def test_unknown_route_and_trailing_slash(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        assert_error(
            await client.get("/api/v2/nothing-here", headers=auth), 404, "not_found"
        )
        assert_error(await client.get("/api/v2/apps/", headers=auth), 404, "not_found")

    async def test_wrong_method_names_allowed_methods(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.delete("/api/v2/apps", headers=auth)

        assert_error(response, 405, "method_not_allowed")
        assert response.headers["allow"] == "GET, HEAD, POST"

    async def test_head_answers_as_get_without_a_body(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        get = await client.get(f"/api/v2/apps/{app['id']}", headers=auth)
        head = await client.head(f"/api/v2/apps/{app['id']}", headers=auth)
        unknown = await client.head("/api/v2/nothing-here", headers=auth)
        anonymous = await client.head("/api/v2/apps")
        put_only = await client.head(
            f"/api/v2/apps/{app['id']}/tools/tool_01jd7x3k5q9n2m4p6r8t0v2w4y/chain",
            headers=auth,
        )

        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["etag"] == get.headers["etag"]
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["x-request-id"]
        assert unknown.status_code == 404
        assert anonymous.status_code == 401
        assert "resource_metadata" in anonymous.headers["www-authenticate"]
        assert put_only.status_code == 405
        assert put_only.headers["allow"] == "PUT"

    async def test_malformed_json_is_400(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            content=b'{"name": ',
            headers={**auth, "Content-Type": "application/json"},
        )

        assert_error(response, 400, "invalid_request")

    async def test_invalid_utf8_is_400(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            content=b'{"name": "\xff"}',
            headers={**auth, "Content-Type": "application/json"},
        )

        assert_error(response, 400, "invalid_request")

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
    async def test_json_in_another_encoding_than_utf8_is_400(
        self, client: httpx.AsyncClient, auth: dict[str, str], encoding: str
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            content='{"name": "wide"}'.encode(encoding),
            headers={**auth, "Content-Type": "application/json"},
        )

        assert_error(response, 400, "invalid_request")

    async def test_not_json_is_415(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            content=b"name=x",
            headers={**auth, "Content-Type": "application/x-www-form-urlencoded"},
        )

        assert_error(response, 415, "unsupported_media_type")

    async def test_body_over_1_mib_is_413(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        body = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'

        declared = await client.post(
            "/api/v2/apps",
            content=body,
            headers={**auth, "Content-Type": "application/json"},
        )

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 65536):
                yield body[start : start + 65536]

        chunked = await client.post(
            "/api/v2/apps",
            content=chunks(),
            headers={**auth, "Content-Type": "application/json"},
        )

        assert_error(declared, 413, "payload_too_large")
        assert_error(chunked, 413, "payload_too_large")

    @pytest.mark.parametrize(
        "raw",
        [
            b'{"name": NaN}',
            b'{"name": "a", "description": Infinity}',
            b'{"name": "nul\\u0000"}',
            b'{"name": 123456789012345678901234567890}',
            b'{"name": "a", "description": ' + b"9" * 5000 + b"}",
            b'{"name": "a", "description": -' + b"9" * 5000 + b"}",
            b'{"name": "lone \\ud800 surrogate"}',
            b'{"name": "a", "branding": ' + b'{"x": ' * 70 + b"1" + b"}" * 70 + b"}",
        ],
    )
    async def test_hostile_values_are_422(
        self, client: httpx.AsyncClient, auth: dict[str, str], raw: bytes
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            content=raw,
            headers={**auth, "Content-Type": "application/json"},
        )

        assert_error(response, 422, "validation_failed")

    async def test_lone_surrogates_in_free_form_json_are_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        base = f"/api/v2/apps/{app['id']}"
        headers = {**auth, "Content-Type": "application/json"}

        widget = await client.post(
            f"{base}/widgets",
            content=b'{"name": "w", "type": "card", "config": {"style": {"x": "\\ud800"}}}',
            headers=headers,
        )
        secret = await client.post(
            f"{base}/auth-connections",
            content=b'{"name": "k", "provider_key": "api-key", "secrets": {"api_key": "\\udfff"}}',
            headers=headers,
        )

        assert_error(widget, 422, "validation_failed")
        assert_error(secret, 422, "validation_failed")

    async def test_wrong_json_type_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        for body in (b"[]", b'"text"', b"null", b'{"name": 5}'):
            response = await client.post(
                "/api/v2/apps",
                content=body,
                headers={**auth, "Content-Type": "application/json"},
            )
            assert_error(response, 422, "validation_failed")

    async def test_request_id_is_echoed_when_sane(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        sane = await client.get(
            "/api/v2/me", headers={**auth, "X-Request-Id": "abc-123"}
        )
        insane = await client.get(
            "/api/v2/apps/nope", headers={**auth, "X-Request-Id": "bad id\twith spaces"}
        )

        assert sane.headers["x-request-id"] == "abc-123"
        error = assert_error(insane, 404, "not_found")
        assert error["request_id"] != "bad id\twith spaces"

    async def test_body_value_errors_read_like_other_validation_errors(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps", json={"name": "nul\u0000here"}, headers=auth
        )

        error = assert_error(response, 422, "validation_failed")
        assert error["message"].startswith("The request is invalid: ")
        assert error["details"]["errors"][0]["field"] == "name"

    async def test_token_shaped_request_id_is_replaced(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        # The log redacts anything shaped like a JWT, so such an id could never be
        # matched to its log line; a fresh one is used instead.
        jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

        response = await client.get(
            "/api/v2/apps/nope", headers={**auth, "X-Request-Id": jwt_like}
        )

        error = assert_error(response, 404, "not_found")
        assert error["request_id"] == response.headers["x-request-id"]
        assert jwt_like not in response.text
        assert jwt_like not in response.headers["x-request-id"]


class TestClientDisconnect:
    async def test_disconnect_before_the_body_is_not_a_500(
        self, api: FastAPI, auth: dict[str, str]
    ) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/api/v2/apps",
            "raw_path": b"/api/v2/apps",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                (b"content-type", b"application/json"),
                (b"content-length", b"100"),
                *((k.lower().encode(), v.encode()) for k, v in auth.items()),
            ],
            "client": ("127.0.0.1", 1),
            "server": ("testserver", 80),
        }
        messages: list[dict[str, object]] = [
            {"type": "http.request", "body": b'{"name": ', "more_body": True},
            {"type": "http.disconnect"},
        ]
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await api(scope, receive, send)

        start = next(m for m in sent if m["type"] == "http.response.start")
        assert start["status"] == 400


class TestCors:
    async def test_refused_preflight_is_in_the_envelope(
        self, settings: Settings
    ) -> None:
        cors = settings.model_copy(update={"cors_origins": ["https://app.example"]})
        api, context = await start_api(cors)
        preflight = {
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        }
        try:
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL
            ) as http:
                allowed = await http.options(
                    "/api/v2/apps",
                    headers={**preflight, "Origin": "https://app.example"},
                )
                refused = await http.options(
                    "/api/v2/apps",
                    headers={**preflight, "Origin": "https://evil.example"},
                )
        finally:
            await context.__aexit__(None, None, None)

        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example"
        error = assert_error(refused, 400, "invalid_request")
        assert error["request_id"] == refused.headers["x-request-id"]
        assert "access-control-allow-origin" not in refused.headers


@asynccontextmanager
async def _one_connection_api(
    settings: Settings, issuer: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, dict[str, str], AsyncEngine]]:
    """An API whose pool holds one connection, a client, auth headers, and a second
    engine to act on the database from outside the API."""
    api, context = await start_api(settings.model_copy(update={"db_pool_size": 1}))
    assert settings.database_url is not None
    other = create_engine(settings.database_url, pool_size=2)
    token = issuer.token(org_id=f"org_one_conn_{secrets.token_hex(4)}")
    try:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield api, http, {"Authorization": f"Bearer {token}"}, other
    finally:
        await other.dispose()
        await context.__aexit__(None, None, None)


async def _pooled_backend(api: FastAPI) -> int:
    """The PostgreSQL backend of the API's one pooled connection."""
    async with api.state.engine.connect() as connection:
        pid: int = await connection.scalar(text("SELECT pg_backend_pid()"))
    return pid


async def _end_backend(other: AsyncEngine, pid: int) -> None:
    async with other.connect() as connection:
        await connection.execute(
            text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
        )


class TestTransactions:
    async def test_failed_commit_answers_with_the_envelope_and_keeps_nothing(
        self, api: FastAPI, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        # A deferred constraint trigger fails only at COMMIT, after the route returned.
        async with api.state.engine.begin() as connection:
            await connection.execute(
                text(
                    "CREATE FUNCTION fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$"
                    " BEGIN IF NEW.name = 'fail at commit' THEN RAISE EXCEPTION 'refused';"
                    " END IF; RETURN NEW; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON apps"
                    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_at_commit()"
                )
            )
        try:
            response = await client.post(
                "/api/v2/apps", json={"name": "fail at commit"}, headers=auth
            )
        finally:
            async with api.state.engine.begin() as connection:
                await connection.execute(text("DROP TRIGGER fail_at_commit ON apps"))
                await connection.execute(text("DROP FUNCTION fail_at_commit()"))

        assert_error(response, 500, "internal_error")
        listed = (await client.get("/api/v2/apps", headers=auth)).json()
        assert listed["data"] == []

    async def test_database_down_is_503(self, settings: Settings, issuer) -> None:  # type: ignore[no-untyped-def]
        down = settings.model_copy(
            update={"database_url": "postgresql://postgres@127.0.0.1:1/none"}
        )
        api, context = await start_api(down)
        token = issuer.token(org_id="org_down")
        try:
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL
            ) as http:
                response = await http.get(
                    "/api/v2/apps", headers={"Authorization": f"Bearer {token}"}
                )
        finally:
            await context.__aexit__(None, None, None)

        assert_error(response, 503, "service_unavailable")
        assert response.headers["retry-after"]

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/v2/apps"),
            ("HEAD", "/api/v2/apps"),
            ("GET", "/api/v2/apps/app_01jd7x3k5q9n2m4p6r8t0v2w4y"),
            ("GET", "/api/v2/apps/app_01jd7x3k5q9n2m4p6r8t0v2w4y/draft"),
            ("POST", "/api/v2/apps"),
        ],
    )
    async def test_database_socket_gone_is_503(  # type: ignore[no-untyped-def]
        self, settings: Settings, issuer, tmp_path, method: str, path: str
    ) -> None:
        # A stopped PostgreSQL reached by a Unix socket (the embedded database) takes
        # its socket file with it: connecting raises FileNotFoundError, not a
        # ConnectionError.
        down = settings.model_copy(
            update={"database_url": f"postgresql://postgres@/none?host={tmp_path}/gone"}
        )
        api, context = await start_api(down)
        token = issuer.token(org_id="org_down")
        try:
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL
            ) as http:
                response = await http.request(
                    method,
                    path,
                    json={"name": "down"} if method == "POST" else None,
                    headers={"Authorization": f"Bearer {token}"},
                )
        finally:
            await context.__aexit__(None, None, None)

        assert response.status_code == 503
        assert response.headers["retry-after"]
        if method != "HEAD":
            assert_error(response, 503, "service_unavailable")

    async def test_connection_ended_mid_statement_is_503(  # type: ignore[no-untyped-def]
        self, settings: Settings, issuer
    ) -> None:
        # PostgreSQL restarted, failed over or ended the backend while a statement
        # ran: asyncpg reports a generic error, which SQLAlchemy marks as a
        # disconnect (connection_invalidated).
        async with _one_connection_api(settings, issuer) as (api, http, headers, other):
            app = await create_app(http, headers)
            pid = await _pooled_backend(api)
            async with other.connect() as blocker:
                # Hold the app's row lock, so the PATCH waits inside a statement.
                await blocker.execute(
                    text("SELECT id FROM apps WHERE id = :id FOR UPDATE"),
                    {"id": app["id"]},
                )
                patch = asyncio.create_task(
                    http.patch(
                        f"/api/v2/apps/{app['id']}",
                        json={"name": "blocked"},
                        headers=headers,
                    )
                )
                await asyncio.sleep(0.5)
                await _end_backend(other, pid)
                response = await patch
                await blocker.rollback()

        assert_error(response, 503, "service_unavailable")
        assert response.headers["retry-after"]

    async def test_reads_recover_after_idle_connections_are_dropped(  # type: ignore[no-untyped-def]
        self, settings: Settings, issuer
    ) -> None:
        # GET /apps/{id} reads on the pool's driver connection directly
        # (drio.db.driver). A connection the server ended while it sat idle fails
        # once with a 503; the pool then reconnects, and reads work again.
        async with _one_connection_api(settings, issuer) as (api, http, headers, other):
            app = await create_app(http, headers)
            path = f"/api/v2/apps/{app['id']}"
            assert (await http.get(path, headers=headers)).status_code == 200
            await _end_backend(other, await _pooled_backend(api))
            await asyncio.sleep(0.2)
            dropped = await http.get(path, headers=headers)
            after = [await http.get(path, headers=headers) for _ in range(3)]

        assert_error(dropped, 503, "service_unavailable")
        assert [r.status_code for r in after] == [200, 200, 200]
        assert {r.json()["id"] for r in after} == {app["id"]}

    async def test_other_os_errors_stay_500(self, settings: Settings) -> None:
        async def missing_file() -> None:
            raise FileNotFoundError("no such file")

        api, context = await start_api(settings)
        try:
            api.add_api_route("/missing-file", missing_file)
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(
                transport=transport, base_url=BASE_URL
            ) as http:
                response = await http.get("/missing-file")
        finally:
            await context.__aexit__(None, None, None)

        assert_error(response, 500, "internal_error")

    async def test_app_survives_a_failed_request(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, slug="keep-me")
        other = await create_app(client, auth, slug="other-one")

        bad = await client.patch(
            f"/api/v2/apps/{other['id']}",
            json={"name": "Renamed", "slug": "keep-me"},
            headers=auth,
        )
        after = (await client.get(f"/api/v2/apps/{other['id']}", headers=auth)).json()

        assert_error(bad, 409, "slug_taken")
        assert after["name"] == other["name"]
        assert after["current_draft"]["revision"] == 1
        assert app["slug"] == "keep-me"
