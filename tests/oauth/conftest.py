"""A server in development auth mode: it plays the authorization server itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from drio.settings import Settings
from tests.conftest import BASE_URL, start_api


def development_settings(
    database_url: str, data_dir: Path, **overrides: object
) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "authkit_issuer": None,
        "public_url": BASE_URL,
        "data_dir": data_dir,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
async def dev_api(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[FastAPI]:
    settings = development_settings(database_url, tmp_path_factory.mktemp("dev"))
    app, context = await start_api(settings)
    yield app
    await context.__aexit__(None, None, None)


@pytest.fixture
async def dev_client(dev_api: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=dev_api)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield http
