from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from drio.settings import Settings
from tests.conftest import BASE_URL, start_api


@asynccontextmanager
async def running_api(
    settings: Settings, **changes: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An API of its own, built from the test settings with `changes` applied."""
    api, context = await start_api(settings.model_copy(update=changes))
    try:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield api, http
    finally:
        await context.__aexit__(None, None, None)
