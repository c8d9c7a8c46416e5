"""Fetching the issuer's keys: rotation, floods of unknown kids, outages.

Each test runs its own server against its own issuer, so the shared ones keep their
cached keys and cooldowns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt

from drio.settings import Settings
from tests.conftest import BASE_URL, start_api
from tests.factories import assert_error
from tests.fixtures.issuer import TestIssuer as Issuer
from tests.fixtures.issuer import new_key


@asynccontextmanager
async def own_server(
    database_url: str, data_dir: Path, issuer: Issuer, **overrides: float
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=database_url,
        authkit_issuer=issuer.url,
        public_url=BASE_URL,
        data_dir=data_dir,
        **overrides,  # type: ignore[arg-type]
    )
    api, context = await start_api(settings)
    try:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield http
    finally:
        await context.__aexit__(None, None, None)


@asynccontextmanager
async def running_issuer() -> AsyncIterator[Issuer]:
    issuer = Issuer()
    issuer.start()
    try:
        yield issuer
    finally:
        issuer.stop()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestKeyRotation:
    async def test_new_key_is_picked_up_with_one_fetch(
        self, database_url: str, tmp_data_dir: Path
    ) -> None:
        async with (
            running_issuer() as issuer,
            own_server(
                database_url, tmp_data_dir, issuer, jwks_refetch_cooldown_seconds=0.2
            ) as http,
        ):
            assert (
                await http.get("/api/v2/me", headers=bearer(issuer.token()))
            ).is_success
            assert issuer.fetches == 1
            rotated = new_key("test-key-2")
            issuer.keys = [rotated, *issuer.keys]
            await asyncio.sleep(0.3)

            first = await http.get(
                "/api/v2/me", headers=bearer(issuer.token(key=rotated))
            )
            second = await http.get(
                "/api/v2/me", headers=bearer(issuer.token(key=rotated))
            )

            assert first.status_code == 200
            assert second.status_code == 200
            assert issuer.fetches == 2

    async def test_cooldown_defaults_to_thirty_seconds(self) -> None:
        assert Settings().jwks_refetch_cooldown_seconds == 30


class TestUnknownKeyFlood:
    async def test_burst_refetches_at_most_once_per_cooldown(
        self, database_url: str, tmp_data_dir: Path
    ) -> None:
        stranger = new_key("stranger")
        claims = jwt_claims(issuer_url="")
        async with (
            running_issuer() as issuer,
            own_server(
                database_url, tmp_data_dir, issuer, jwks_refetch_cooldown_seconds=1.0
            ) as http,
        ):
            claims["iss"] = issuer.url
            tokens = [
                jwt.encode({"alg": "RS256", "kid": f"made-up-{n}"}, claims, stranger)
                for n in range(41)
            ]
            assert (
                await http.get("/api/v2/me", headers=bearer(issuer.token()))
            ).is_success
            await asyncio.sleep(1.1)

            async def burst(batch: list[str]) -> list[httpx.Response]:
                return await asyncio.gather(
                    *(http.get("/api/v2/me", headers=bearer(t)) for t in batch)
                )

            first_burst = await burst(tokens[:20])
            second_burst = await burst(tokens[20:40])

            assert all(r.status_code == 401 for r in first_burst + second_burst)
            assert issuer.fetches == 2
            await asyncio.sleep(1.1)
            await burst(tokens[40:])
            assert issuer.fetches == 3


def jwt_claims(issuer_url: str) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": issuer_url,
        "sub": "user_flood",
        "aud": BASE_URL,
        "iat": now,
        "exp": now + 600,
    }


class TestOutage:
    async def test_cached_keys_keep_working(
        self, database_url: str, tmp_data_dir: Path
    ) -> None:
        async with (
            running_issuer() as issuer,
            own_server(
                database_url,
                tmp_data_dir,
                issuer,
                jwks_cache_seconds=1,
                jwks_refetch_cooldown_seconds=0,
            ) as http,
        ):
            assert (
                await http.get("/api/v2/me", headers=bearer(issuer.token()))
            ).is_success
            issuer.available = False
            await asyncio.sleep(1.1)

            response = await http.get("/api/v2/me", headers=bearer(issuer.token()))

            assert response.status_code == 200
            assert issuer.fetches == 2

    async def test_no_keys_at_all_is_503_with_retry_after(
        self, database_url: str, tmp_data_dir: Path
    ) -> None:
        async with (
            running_issuer() as issuer,
            own_server(
                database_url, tmp_data_dir, issuer, jwks_refetch_cooldown_seconds=0.3
            ) as http,
        ):
            issuer.available = False

            first = await http.get("/api/v2/me", headers=bearer(issuer.token()))
            second = await http.get("/api/v2/me", headers=bearer(issuer.token()))

            for response in (first, second):
                assert_error(response, 503, "service_unavailable")
                assert int(response.headers["retry-after"]) > 0
            assert issuer.fetches == 1
            issuer.available = True
            await asyncio.sleep(0.4)
            recovered = await http.get("/api/v2/me", headers=bearer(issuer.token()))
            assert recovered.status_code == 200
