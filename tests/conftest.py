from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from drio.db.migrate import upgrade_to_head
from drio.main import create_api
from drio.settings import Settings
from tests.fixtures.database import create_database, drop_database, server_url
from tests.fixtures.issuer import TestIssuer

BASE_URL = "http://testserver"


@pytest.fixture(scope="session")
def database_server() -> Iterator[str]:
    with server_url(os.environ.get("DATABASE_URL")) as url:
        yield url


@pytest.fixture(scope="session")
async def database_url(database_server: str) -> AsyncIterator[str]:
    url = await create_database(database_server)
    # Alembic's env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(upgrade_to_head, url)
    yield url
    await drop_database(database_server, url)


@pytest.fixture(scope="session")
def issuer() -> Iterator[TestIssuer]:
    server = TestIssuer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(
    database_url: str, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        database_url=database_url,
        authkit_issuer=issuer.url,
        public_url=BASE_URL,
        data_dir=tmp_path_factory.mktemp("data"),
        mcp_endpoint_template="https://{public_mcp_id}.mcp.example.test/mcp",
    )


async def start_api(settings: Settings) -> tuple[FastAPI, Any]:
    api = create_api(settings)
    context = api.router.lifespan_context(api)
    await context.__aenter__()
    return api, context


@pytest.fixture(scope="session")
async def api(settings: Settings) -> AsyncIterator[FastAPI]:
    app, context = await start_api(settings)
    yield app
    await context.__aexit__(None, None, None)


@pytest.fixture
async def client(api: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http


@pytest.fixture
def org_id() -> str:
    """Each test gets an organization of its own, so tests never see each other's data."""
    return f"org_{secrets.token_hex(8)}"


@pytest.fixture
def token(issuer: TestIssuer, org_id: str) -> str:
    return issuer.token(
        sub=f"user_{secrets.token_hex(6)}",
        org_id=org_id,
        email="dev@example.com",
        name="Dev Eloper",
    )


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def other_auth(issuer: TestIssuer) -> dict[str, str]:
    """A caller from another organization."""
    other = issuer.token(
        sub=f"user_{secrets.token_hex(6)}", org_id=f"org_{secrets.token_hex(8)}"
    )
    return {"Authorization": f"Bearer {other}"}


@pytest.fixture
def make_auth(issuer: TestIssuer, org_id: str) -> Callable[..., dict[str, str]]:
    def make(**kwargs: Any) -> dict[str, str]:
        kwargs.setdefault("org_id", org_id)
        return {"Authorization": f"Bearer {issuer.token(**kwargs)}"}

    return make


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
