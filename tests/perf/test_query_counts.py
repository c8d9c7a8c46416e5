"""P4: the SQL statements a read sends do not depend on how many rows there are.

Two tenants are seeded side by side, one with 10 of everything and one with 10,000
(apps in the tenant, and every kind of row an app grows: see APP_SEEDERS). Each
list and get route must send exactly as many statements for the large one as for
the small one. Counts, not timings, so this belongs in the test suite.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from benchmarks.seed import APP_SEEDERS, seed_apps
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from drio.db.querycount import count_queries
from drio.settings import Settings
from tests.conftest import start_api
from tests.factories import create_app, publish
from tests.fixtures import issuer as issuer_fixtures
from tests.fixtures.database import _asyncpg_kwargs

SMALL = 10
LARGE = 10_000

# Every list and get route, with {app_id} and {release_id} filled in per tenant.
# A new resource adds its list and get paths here (and its seeder to APP_SEEDERS).
ROUTES = [
    "/api/v2/me",
    "/api/v2/apps",
    "/api/v2/apps?limit=100&sort=name",
    "/api/v2/apps?query=seeded",
    "/api/v2/apps/{app_id}",
    "/api/v2/apps/{app_id}/draft",
    "/api/v2/apps/{app_id}/draft/changes",
    "/api/v2/apps/{app_id}/draft/validation",
    "/api/v2/apps/{app_id}/releases",
    "/api/v2/apps/{app_id}/releases?limit=100&sort=version",
    "/api/v2/apps/{app_id}/releases/{release_id}",
    "/api/v2/apps/{app_id}/auth-connections",
    "/api/v2/apps/{app_id}/integrations",
    "/api/v2/apps/{app_id}/integrations/{integration_id}/operations",
    "/api/v2/apps/{app_id}/tools",
    "/api/v2/apps/{app_id}/tools?sort=-name&query=seeded",
    "/api/v2/apps/{app_id}/widgets",
    "/api/v2/apps/{app_id}/auth-connections/{auth_id}",
    "/api/v2/apps/{app_id}/integrations/{integration_id}",
    "/api/v2/apps/{app_id}/operations/{operation_id}",
    "/api/v2/apps/{app_id}/tools/{tool_id}",
    "/api/v2/apps/{app_id}/widgets/{widget_id}",
    "/api/v2/auth-providers",
    "/api/v2/integration-providers",
    "/api/v2/starter-templates",
]
# Routes that read the whole draft send one statement per kind of resource.
WHOLE_DRAFT = ("/draft", "/draft/changes", "/draft/validation")


@dataclass
class World:
    auth: dict[str, str]
    app_id: str
    release_id: str
    resource_ids: dict[str, str]

    def path(self, template: str) -> str:
        return template.format(
            app_id=self.app_id, release_id=self.release_id, **self.resource_ids
        )


# One seeded row of each kind, named as the path parameters name them.
RESOURCE_TABLES = {
    "auth_id": "auth_connections",
    "integration_id": "integrations",
    "operation_id": "operations",
    "tool_id": "tools",
    "widget_id": "widgets",
}


async def _make_world(
    client: httpx.AsyncClient,
    issuer: issuer_fixtures.TestIssuer,
    database_url: str,
    n: int,
) -> World:
    org_id = f"org_{secrets.token_hex(8)}"
    token = issuer.token(sub=f"user_{secrets.token_hex(6)}", org_id=org_id)
    auth = {"Authorization": f"Bearer {token}"}
    app = await create_app(client, auth)
    published = await publish(client, auth, app["id"])
    patch = await client.patch(
        f"/api/v2/apps/{app['id']}", json={"description": "changed"}, headers=auth
    )
    assert patch.status_code == 200, patch.text

    connection = await asyncpg.connect(
        **_asyncpg_kwargs(database_url, make_url(database_url).database or "")
    )
    try:
        tenant_id = f"org:{org_id}"
        await seed_apps(connection, tenant_id, n - 1, tag=secrets.token_hex(4))
        for seed in APP_SEEDERS:
            await seed(connection, tenant_id, app["id"], n)
        await connection.execute("ANALYZE")
        resource_ids = {
            name: await connection.fetchval(
                f"SELECT id FROM {table} WHERE app_id = $1 ORDER BY id LIMIT 1",  # noqa: S608
                app["id"],
            )
            for name, table in RESOURCE_TABLES.items()
        }
    finally:
        await connection.close()
    return World(
        auth=auth,
        app_id=app["id"],
        release_id=published["release"]["id"],
        resource_ids=resource_ids,
    )


@pytest.fixture(scope="module")
async def worlds(
    api: FastAPI, issuer: issuer_fixtures.TestIssuer, database_url: str
) -> dict[int, World]:
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as c:
        return {
            n: await _make_world(c, issuer, database_url, n) for n in (SMALL, LARGE)
        }


async def _count(client: httpx.AsyncClient, world: World, template: str) -> int:
    with count_queries() as counter:
        response = await client.get(world.path(template), headers=world.auth)
    assert response.status_code == 200, response.text
    return counter.count


class TestQueryCounts:
    @pytest.mark.parametrize("template", ROUTES)
    async def test_same_count_for_10_and_10000_rows(
        self, client: httpx.AsyncClient, worlds: dict[int, World], template: str
    ) -> None:
        small = await _count(client, worlds[SMALL], template)
        large = await _count(client, worlds[LARGE], template)

        assert small == large
        assert small <= (8 if template.endswith(WHOLE_DRAFT) else 3)

    async def test_large_world_is_large(
        self, client: httpx.AsyncClient, worlds: dict[int, World]
    ) -> None:
        world = worlds[LARGE]

        response = await client.get(
            world.path("/api/v2/apps/{app_id}/releases?limit=1&sort=-version"),
            headers=world.auth,
        )

        assert response.json()["data"][0]["version"] == LARGE + 1


class TestCountQueries:
    async def test_counts_only_inside_the_block(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        with count_queries() as outer:
            await client.get(f"/api/v2/apps/{app['id']}", headers=auth)
            with count_queries() as inner:
                await client.get("/api/v2/apps", headers=auth)

        assert inner.count >= 1
        assert outer.count >= 1
        assert all(s.lstrip().upper().startswith("SELECT") for s in outer.statements)

    async def test_no_header_by_default(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.get("/api/v2/apps", headers=auth)

        assert "x-query-count" not in response.headers

    async def test_header_when_debug_setting_is_on(
        self, settings: Settings, auth: dict[str, str]
    ) -> None:
        debug = settings.model_copy(update={"debug_query_count": True})
        api, context = await start_api(debug)
        try:
            transport = httpx.ASGITransport(app=api)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as http:
                response = await http.get("/api/v2/apps", headers=auth)
        finally:
            await context.__aexit__(None, None, None)

        assert response.status_code == 200
        assert int(response.headers["x-query-count"]) >= 1
