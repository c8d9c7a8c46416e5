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

        parts = await repository.read_app_parts(
            api.state.engine, tenant_id=tenant_id, app_id=app["id"]
        )
        assert parts is not None
        read = repository.app_from_parts(parts)
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

        found = await repository.read_app_parts(
            api.state.engine, tenant_id="org:someone-else", app_id=app["id"]
        )

        assert found is None


class TestReadDocument:
    """GET /apps/{id} renders the row directly; it must equal `to_read` exactly."""

    async def _both(
        self,
        api: FastAPI,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        org_id: str,
        app_id: str,
    ) -> tuple[httpx.Response, dict[str, object]]:
        response = await client.get(f"/api/v2/apps/{app_id}", headers=auth)
        async with api.state.sessionmaker() as session:
            app = await repository.get_app_for_update(
                session, tenant_id=f"org:{org_id}", app_id=app_id
            )
            assert app is not None
            expected = to_read(app, api.state.settings).model_dump(mode="json")
            await session.rollback()
        return response, expected

    async def test_new_app_without_release(
        self,
        api: FastAPI,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        org_id: str,
    ) -> None:
        app = await create_app(client, auth)

        response, expected = await self._both(api, client, auth, org_id, app["id"])

        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == expected
        assert response.json()["latest_release"] is None
        assert response.json()["endpoint"] is None
        assert response.headers["etag"] == '"1"'

    async def test_published_edited_app_with_branding(
        self,
        api: FastAPI,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        org_id: str,
    ) -> None:
        app = await create_app(
            client,
            auth,
            description="Désigné ✓",
            branding={"primary_color": "#AABBCC", "border_radius": "lg"},
        )
        await publish(client, auth, app["id"])
        patched = await client.patch(
            f"/api/v2/apps/{app['id']}",
            json={"server_instructions": "Be brief.", "company_url": None},
            headers=auth,
        )

        response, expected = await self._both(api, client, auth, org_id, app["id"])

        assert response.json() == expected
        assert response.json() == patched.json()
        assert response.json()["branding"] == {
            "primary_color": "#aabbcc",
            "accent_color": None,
            "background_color": None,
            "font_family": None,
            "border_radius": "lg",
        }
        assert response.json()["latest_release"]["version"] == 1
        assert response.json()["endpoint"]
        assert response.headers["etag"] == patched.headers["etag"]
