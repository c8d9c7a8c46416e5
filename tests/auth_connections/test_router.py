from __future__ import annotations

import logging
import stat
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from drio.crypto import SecretBox, secret_box_for
from drio.models.auth_connection import AuthConnection
from drio.models.release import Release
from drio.settings import Settings
from tests.factories import assert_error, create_app, create_resource

SECRET = "s3cr3t-value-never-shown-1234"


async def _connection(
    client: httpx.AsyncClient, auth: dict[str, str], app_id: str, **fields: object
) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Primary auth",
        "provider_key": "custom-oauth",
        "config": {
            "authorization_endpoint": "https://id.example.com/authorize",
            "token_endpoint": "https://id.example.com/token",
            "client_id": "client-123",
            "scopes": ["contacts.read"],
        },
        "secrets": {"client_secret": SECRET},
        **fields,
    }
    return await create_resource(
        client, auth, f"/apps/{app_id}/auth-connections", **body
    )


class TestCreateAuthConnection:
    async def test_creates_ready_connection_without_echoing_secrets(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/auth-connections",
            json={
                "name": "Primary auth",
                "provider_key": "custom-oauth",
                "config": {
                    "authorization_endpoint": "https://id.example.com/authorize",
                    "token_endpoint": "https://id.example.com/token",
                    "client_id": "client-123",
                },
                "secrets": {"client_secret": SECRET},
            },
            headers=auth,
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["id"].startswith("auth_")
        assert body["key"] == "primary-auth"
        assert body["kind"] == "oauth2"
        assert body["status"] == "ready"
        assert body["missing"] == []
        assert body["secrets_set"] == ["client_secret"]
        assert body["last_validated_at"] is None
        assert SECRET not in response.text
        assert "secrets" not in body
        assert response.headers["location"].endswith(
            f"/api/v2/apps/{app['id']}/auth-connections/{body['id']}"
        )
        assert response.headers["etag"] == '"2"'

    async def test_incomplete_lists_missing(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        body = await create_resource(
            client,
            auth,
            f"/apps/{app['id']}/auth-connections",
            name="Key",
            provider_key="api-key",
            config={"header_name": None},
        )

        assert body["status"] == "incomplete"
        assert body["missing"] == ["header_name", "api_key"]
        assert body["secrets_set"] == []

    async def test_provider_presets_fill_config(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        body = await create_resource(
            client,
            auth,
            f"/apps/{app['id']}/auth-connections",
            name="GitHub",
            provider_key="github",
            config={"client_id": "abc"},
        )

        assert body["config"]["token_endpoint"] == (
            "https://github.com/login/oauth/access_token"
        )
        assert body["missing"] == ["client_secret"]

    async def test_missing_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v2/apps/app_01jd7x3k5q9n2m4p6r8t0v2w4y/auth-connections",
            json={"name": "x", "provider_key": "api-key"},
        )

        assert_error(response, 401, "unauthorized")

    async def test_other_tenant_is_404(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/auth-connections",
            json={"name": "x", "provider_key": "api-key"},
            headers=other_auth,
        )

        assert_error(response, 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x", "provider_key": "nope"}, "provider_key"),
            ({"name": "x", "provider_key": "api-key", "kind": "oauth2"}, "kind"),
            (
                {"name": "x", "provider_key": "api-key", "config": {"bad": 1}},
                "config.bad",
            ),
            (
                {"name": "x", "provider_key": "api-key", "secrets": {"token": "t"}},
                "secrets.token",
            ),
            (
                {"name": "x", "provider_key": "api-key", "secrets": {"pin": "1"}},
                "secrets.pin",
            ),
            ({"provider_key": "api-key"}, "name"),
            ({"name": "x", "provider_key": "api-key", "key": "Bad Key"}, "key"),
        ],
    )
    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        body: dict[str, object],
        field: str,
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/auth-connections", json=body, headers=auth
        )

        error = assert_error(response, 422, "validation_failed")
        assert [e["field"] for e in error["details"]["errors"]] == [field]

    async def test_duplicate_key_is_409_and_derived_keys_get_suffixes(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        first = await _connection(client, auth, app["id"])
        second = await _connection(client, auth, app["id"])

        response = await client.post(
            f"/api/v2/apps/{app['id']}/auth-connections",
            json={"name": "x", "provider_key": "api-key", "key": "primary-auth"},
            headers=auth,
        )

        assert (first["key"], second["key"]) == ("primary-auth", "primary-auth-2")
        assert_error(response, 409, "key_taken")

    async def test_if_match_mismatch_is_412(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/auth-connections",
            json={"name": "x", "provider_key": "api-key"},
            headers={**auth, "If-Match": '"99"'},
        )
        listed = await client.get(
            f"/api/v2/apps/{app['id']}/auth-connections", headers=auth
        )

        assert_error(response, 412, "precondition_failed")
        assert listed.json()["data"] == []


class TestGetAndListAuthConnections:
    async def test_get_and_list(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])

        got = await client.get(
            f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}", headers=auth
        )
        listed = await client.get(
            f"/api/v2/apps/{app['id']}/auth-connections?query=PRIMARY", headers=auth
        )

        assert got.status_code == 200
        assert got.json() == created | {"updated_at": got.json()["updated_at"]}
        assert [c["id"] for c in listed.json()["data"]] == [created["id"]]
        assert listed.json()["page"] == {"has_more": False, "next_cursor": None}
        assert SECRET not in got.text + listed.text

    @pytest.mark.parametrize(
        "resource_id",
        ["auth_01jd7x3k5q9n2m4p6r8t0v2w4y", "nope", "tool_01jd7x3k5q9n2m4p6r8t0v2w4y"],
    )
    async def test_unknown_id_is_404(
        self, client: httpx.AsyncClient, auth: dict[str, str], resource_id: str
    ) -> None:
        app = await create_app(client, auth)

        response = await client.get(
            f"/api/v2/apps/{app['id']}/auth-connections/{resource_id}", headers=auth
        )

        assert_error(response, 404, "not_found")

    async def test_other_tenant_is_404(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])

        response = await client.get(
            f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}",
            headers=other_auth,
        )

        assert_error(response, 404, "not_found")


class TestUpdateAuthConnection:
    async def test_merge_patches_config_and_rotates_secrets(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}"

        response = await client.patch(
            url,
            json={
                "config": {"client_id": "client-456", "registration_endpoint": None},
                "secrets": {"client_secret": "rotated-secret-value"},
            },
            headers=auth,
        )
        cleared = await client.patch(
            url, json={"secrets": {"client_secret": None}}, headers=auth
        )

        assert response.status_code == 200, response.text
        assert response.json()["config"]["client_id"] == "client-456"
        assert response.json()["config"]["scopes"] == ["contacts.read"]
        assert "rotated-secret-value" not in response.text
        assert cleared.json()["secrets_set"] == []
        assert cleared.json()["status"] == "incomplete"
        assert cleared.json()["missing"] == ["client_secret"]
        assert cleared.headers["etag"] == '"4"'

    async def test_null_name_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}",
            json={"name": None},
            headers=auth,
        )

        assert_error(response, 422, "validation_failed")

    async def test_key_taken_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        await _connection(client, auth, app["id"], key="one")
        second = await _connection(client, auth, app["id"], key="two")

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/auth-connections/{second['id']}",
            json={"key": "one"},
            headers=auth,
        )
        same = await client.patch(
            f"/api/v2/apps/{app['id']}/auth-connections/{second['id']}",
            json={"key": "two"},
            headers=auth,
        )

        assert_error(response, 409, "key_taken")
        assert same.status_code == 200

    async def test_stale_if_match_is_412(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])

        response = await client.patch(
            f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}",
            json={"name": "Renamed"},
            headers={**auth, "If-Match": '"1"'},
        )

        assert_error(response, 412, "precondition_failed")


class TestDeleteAuthConnection:
    async def test_deletes_unused(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}"

        response = await client.delete(url, headers=auth)
        after = await client.get(url, headers=auth)

        assert response.status_code == 204
        assert response.content == b""
        assert response.headers["etag"] == '"3"'
        assert_error(after, 404, "not_found")

    async def test_used_by_integration_is_409(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])
        integration = await create_resource(
            client,
            auth,
            f"/apps/{app['id']}/integrations",
            name="CRM",
            base_url="https://crm.example.com",
            auth_connection_id=created["id"],
        )

        response = await client.delete(
            f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}", headers=auth
        )

        error = assert_error(response, 409, "resource_in_use")
        assert error["details"]["references"] == [
            {"entity_type": "integration", "entity_id": integration["id"]}
        ]


class TestSecrets:
    async def test_never_in_draft_changes_release_or_logs(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        caplog.set_level(logging.DEBUG)
        app = await create_app(client, auth)
        await _connection(client, auth, app["id"])
        base = f"/api/v2/apps/{app['id']}"

        draft = await client.get(f"{base}/draft", headers=auth)
        changes = await client.get(f"{base}/draft/changes", headers=auth)
        bad = await client.post(
            f"{base}/auth-connections",
            json={"name": "x", "provider_key": "api-key", "secrets": {"token": SECRET}},
            headers=auth,
        )
        published = await client.post(f"{base}/releases", headers=auth)
        release = await client.get(
            f"{base}/releases/{published.json()['release']['id']}", headers=auth
        )

        seen = draft.text + changes.text + bad.text + published.text + release.text
        assert draft.json()["content"]["auth_connections"][0]["secrets_set"] == [
            "client_secret"
        ]
        assert SECRET not in seen
        assert SECRET not in caplog.text
        captured = capsys.readouterr()
        assert SECRET not in captured.out + captured.err

    async def test_stored_encrypted_and_release_keeps_published_values(
        self, client: httpx.AsyncClient, auth: dict[str, str], api: FastAPI
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])
        base = f"/api/v2/apps/{app['id']}"
        published = await client.post(f"{base}/releases", headers=auth)
        await client.patch(
            f"{base}/auth-connections/{created['id']}",
            json={"secrets": {"client_secret": "rotated-after-publish"}},
            headers=auth,
        )

        sessionmaker = api.state.sessionmaker
        box: SecretBox = secret_box_for(api.state.settings)
        async with sessionmaker() as session:
            stored = await session.scalar(
                select(AuthConnection.secrets_encrypted).where(
                    AuthConnection.id == created["id"]
                )
            )
            sealed = await session.scalar(
                select(Release.sealed_secrets).where(
                    Release.id == published.json()["release"]["id"]
                )
            )

        assert SECRET not in str(stored)
        assert box.decrypt(stored["client_secret"]) == "rotated-after-publish"
        assert box.decrypt(sealed[created["id"]]["client_secret"]) == SECRET


class TestSecretsKey:
    def test_generated_key_file_is_private(self, tmp_path: Path) -> None:
        settings = Settings(data_dir=tmp_path / "data")

        box = secret_box_for(settings)
        again = secret_box_for(settings)

        path = tmp_path / "data" / "secrets.key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert again.decrypt(box.encrypt("x")) == "x"

    def test_configured_key_is_used(self, tmp_path: Path) -> None:
        from cryptography.fernet import Fernet

        key = Fernet.generate_key().decode()
        settings = Settings(data_dir=tmp_path, secrets_key=key)

        token = secret_box_for(settings).encrypt("value")

        assert Fernet(key.encode()).decrypt(token.encode()) == b"value"
        assert not (tmp_path / "secrets.key").exists()


class TestSecretRotation:
    async def test_rotation_alone_is_a_change_and_empty_patch_is_not(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        created = await _connection(client, auth, app["id"])
        await client.post(f"/api/v2/apps/{app['id']}/releases", headers=auth)
        url = f"/api/v2/apps/{app['id']}/auth-connections/{created['id']}"

        await client.patch(url, json={"secrets": {}}, headers=auth)
        unchanged = await client.get(f"/api/v2/apps/{app['id']}/draft", headers=auth)
        await client.patch(
            url, json={"secrets": {"client_secret": "next-secret"}}, headers=auth
        )
        rotated = await client.get(
            f"/api/v2/apps/{app['id']}/draft/changes", headers=auth
        )

        assert unchanged.json()["has_changes"] is False
        assert rotated.json()["changes"] == [
            {
                "entity_type": "auth_connection",
                "entity_id": created["id"],
                "label": "Primary auth",
                "change": "updated",
                "fields": ["secrets_updated_at"],
            }
        ]
