from __future__ import annotations

import httpx

from drio.settings import Settings
from tests.factories import assert_error
from tests.ops.conftest import running_api

DASHBOARD = "https://dashboard.acme.test"
EXPOSED = {"etag", "x-request-id", "idempotent-replayed", "location"}


def _listed(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",")}


class TestCors:
    async def test_allowed_origin_sees_the_headers_it_needs(
        self, settings: Settings, auth: dict[str, str]
    ) -> None:
        async with running_api(settings, cors_origins=[DASHBOARD]) as (_, http):
            response = await http.post(
                "/api/v2/apps",
                json={"name": "Browser app"},
                headers={**auth, "Origin": DASHBOARD, "Idempotency-Key": "cors-1"},
            )

        assert response.status_code == 201
        assert response.headers["access-control-allow-origin"] == DASHBOARD
        assert EXPOSED <= _listed(response.headers["access-control-expose-headers"])

    async def test_errors_carry_cors_headers_too(self, settings: Settings) -> None:
        async with running_api(settings, cors_origins=[DASHBOARD]) as (_, http):
            response = await http.get("/api/v2/apps", headers={"Origin": DASHBOARD})

        assert response.status_code == 401
        assert response.headers["access-control-allow-origin"] == DASHBOARD

    async def test_a_server_error_is_readable_by_the_browser(
        self, settings: Settings
    ) -> None:
        async def explode() -> None:
            raise RuntimeError("boom")

        async with running_api(settings, cors_origins=[DASHBOARD]) as (api, http):
            api.add_api_route("/explode", explode)
            response = await http.get("/explode", headers={"Origin": DASHBOARD})

        error = assert_error(response, 500, "internal_error")
        assert "boom" not in error["message"]
        assert response.headers["access-control-allow-origin"] == DASHBOARD

    async def test_disallowed_origin_gets_no_cors_headers(
        self, settings: Settings, auth: dict[str, str]
    ) -> None:
        async with running_api(settings, cors_origins=[DASHBOARD]) as (_, http):
            response = await http.get(
                "/api/v2/apps", headers={**auth, "Origin": "https://evil.example"}
            )

        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers

    async def test_no_origin_allowed_by_default(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.get(
            "/api/v2/apps", headers={**auth, "Origin": DASHBOARD}
        )

        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers

    async def test_preflight_allows_the_api_headers(self, settings: Settings) -> None:
        async with running_api(settings, cors_origins=[DASHBOARD]) as (_, http):
            response = await http.options(
                "/api/v2/apps/app_01jd7x3k5q9n2m4p6r8t0v2w4y",
                headers={
                    "Origin": DASHBOARD,
                    "Access-Control-Request-Method": "PATCH",
                    "Access-Control-Request-Headers": (
                        "authorization, content-type, if-match, idempotency-key"
                    ),
                },
            )

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == DASHBOARD
        assert "patch" in _listed(response.headers["access-control-allow-methods"])
        assert {
            "authorization",
            "content-type",
            "if-match",
            "idempotency-key",
        } <= _listed(response.headers["access-control-allow-headers"])
        assert int(response.headers["access-control-max-age"]) > 0

    async def test_preflight_from_disallowed_origin_is_refused(
        self, settings: Settings
    ) -> None:
        async with running_api(settings, cors_origins=[DASHBOARD]) as (_, http):
            response = await http.options(
                "/api/v2/apps",
                headers={
                    "Origin": "https://evil.example",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization",
                },
            )

        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers
