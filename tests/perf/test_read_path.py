"""The read-path shortcuts of issue 6 keep behaviour identical."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from drio.apps import repository
from drio.apps.schemas import to_read
from drio.auth.principal import Principal
from drio.auth.verifier import KeySource, TokenVerifier
from tests.factories import create_app, publish
from tests.fixtures import issuer as issuer_fixtures


class CountingKeys(KeySource):
    def __init__(self, inner: KeySource) -> None:
        self.inner = inner
        self.calls = 0

    async def get(self, kid: str) -> object:  # type: ignore[override]
        self.calls += 1
        return await self.inner.get(kid)


class TestVerifiedTokenCache:
    async def test_same_token_is_checked_once(
        self, api: FastAPI, issuer: issuer_fixtures.TestIssuer
    ) -> None:
        keys = CountingKeys(api.state.verifier.keys)
        verifier = TokenVerifier(
            issuer=issuer.url, audiences=["http://testserver"], keys=keys
        )
        token = issuer.token(sub="user_cache", org_id="org_cache")

        first = await verifier.verify(token)
        second = await verifier.verify(token)

        assert keys.calls == 1
        assert first == second
        assert isinstance(first, Principal)

    async def test_other_token_is_checked(
        self, api: FastAPI, issuer: issuer_fixtures.TestIssuer
    ) -> None:
        keys = CountingKeys(api.state.verifier.keys)
        verifier = TokenVerifier(
            issuer=issuer.url, audiences=["http://testserver"], keys=keys
        )

        await verifier.verify(issuer.token(sub="user_a"))
        await verifier.verify(issuer.token(sub="user_b"))

        assert keys.calls == 2


class TestDriverReadOfAnApp:
    async def test_same_shape_as_the_orm_load(
        self,
        api: FastAPI,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        org_id: str,
    ) -> None:
        app = await create_app(client, auth, branding={"primary_color": "#112233"})
        await publish(client, auth, app["id"])
        await client.patch(
            f"/api/v2/apps/{app['id']}", json={"name": "Renamed"}, headers=auth
        )
        tenant_id = f"org:{org_id}"

        read = await repository.read_app(
            api.state.engine, tenant_id=tenant_id, app_id=app["id"]
        )
        async with api.state.sessionmaker() as session:
            locked = await repository.get_app_for_update(
                session, tenant_id=tenant_id, app_id=app["id"]
            )
            assert read is not None
            assert locked is not None
            settings = api.state.settings
            assert to_read(read, settings) == to_read(locked, settings)
            editor = locked.current_draft.last_edited_by
            editor_id = editor.id if editor is not None else None
            await session.rollback()

        assert read.current_draft.last_edited_by is not None
        assert read.current_draft.last_edited_by.id == editor_id
        assert read.latest_release is not None

    async def test_other_tenant_reads_nothing(
        self, api: FastAPI, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        found = await repository.read_app(
            api.state.engine, tenant_id="org:someone-else", app_id=app["id"]
        )

        assert found is None
