from __future__ import annotations

import subprocess
import sys

import httpx

from drio.settings import Settings
from tests.fixtures.database import create_database, drop_database
from tests.ops.conftest import free_port, running_api


def closed_port_url() -> str:
    """A PostgreSQL URL on a loopback port where nothing listens."""
    return f"postgresql://postgres@127.0.0.1:{free_port()}/drio"


class TestHealthz:
    async def test_up(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response.headers["x-request-id"]

    async def test_needs_no_database(self, settings: Settings) -> None:
        async with running_api(settings, database_url=closed_port_url()) as (_, http):
            response = await http.get("/healthz")

        assert response.status_code == 200

    async def test_needs_no_token_and_is_not_documented(
        self, client: httpx.AsyncClient
    ) -> None:
        document = (await client.get("/api/v2/openapi.json")).json()

        assert "/healthz" not in document["paths"]
        assert "/readyz" not in document["paths"]


class TestReadyz:
    async def test_ready_at_latest_migration(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["database"] == "ok"
        assert body["schema"]

    async def test_database_unreachable_is_503(self, settings: Settings) -> None:
        async with running_api(settings, database_url=closed_port_url()) as (_, http):
            response = await http.get("/readyz")

        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"

    async def test_database_never_migrated_is_503(
        self, settings: Settings, database_server: str
    ) -> None:
        empty = await create_database(database_server)
        try:
            async with running_api(settings, database_url=empty) as (api, http):
                response = await http.get("/readyz")
        finally:
            await drop_database(database_server, empty)

        assert response.status_code == 503
        body = response.json()
        assert body["database"] == "ok"
        assert body["schema"] == []
        assert body["expected"] == sorted(api.state.head_revisions)

    async def test_schema_behind_the_code_is_503(self, settings: Settings) -> None:
        async with running_api(settings) as (api, http):
            current = (await http.get("/readyz")).json()["schema"]
            # As after deploying code with a migration not yet applied.
            api.state.head_revisions = frozenset({*current, "f00dfeedcafe"})
            response = await http.get("/readyz")

        assert response.status_code == 503
        body = response.json()
        assert body["schema"] == current
        assert "f00dfeedcafe" in body["expected"]


class TestSchemaHeads:
    def test_heads_read_from_the_files_match_alembic(self) -> None:
        from alembic.script import ScriptDirectory

        from drio.db.migrate import alembic_config, head_revisions

        expected = ScriptDirectory.from_config(alembic_config()).get_heads()

        assert head_revisions() == frozenset(expected)

    def test_the_server_does_not_import_alembic(self) -> None:
        # Alembic cost every worker 11 MB (issue 6, P6); only migrating needs it.
        code = (
            "import sys\n"
            "from drio.main import create_api\n"
            "from drio.db.migrate import head_revisions\n"
            "create_api()\n"
            "assert head_revisions()\n"
            "assert 'alembic' not in sys.modules, 'alembic was imported'\n"
        )
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )

        assert result.returncode == 0, result.stderr
