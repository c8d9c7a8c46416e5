"""A Python client generated from the served OpenAPI document works against the API.

What fails to generate, to type-check or to round-trip here is a bug in our document.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import BASE_URL

BIN = Path(sys.executable).parent
PACKAGE = "drio_client"


@pytest.fixture(scope="module")
def generated(api: FastAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("client")
    (folder / "openapi.json").write_text(json.dumps(api.openapi()))
    (folder / "config.yaml").write_text(
        f"project_name_override: drio-client\npackage_name_override: {PACKAGE}\n"
        "post_hooks: []\n"
    )
    result = subprocess.run(  # noqa: S603
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
            "--fail-on-warning",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(folder))
    yield folder
    sys.path.remove(str(folder))
    for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def load(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
async def sdk(
    generated: Path, api: FastAPI, auth: dict[str, str]
) -> AsyncIterator[Any]:
    """The generated AuthenticatedClient, talking to the test API in process."""
    client_module = load("client")
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=auth
    ) as http:
        token = auth["Authorization"].removeprefix("Bearer ")
        client = client_module.AuthenticatedClient(base_url=BASE_URL, token=token)
        client.set_async_httpx_client(http)
        yield client


class TestGeneratedClient:
    def test_type_checks_strictly(self, generated: Path) -> None:
        result = subprocess.run(  # noqa: S603
            [str(BIN / "mypy"), "--strict", "--no-incremental", PACKAGE],
            cwd=generated,
            capture_output=True,
            text=True,
            check=False,
        )

        assert result.returncode == 0, result.stdout + result.stderr

    async def test_create_edit_and_publish_an_app(self, sdk: Any) -> None:
        models = load("models")
        create_app = load("api.apps.create_app")
        update_app = load("api.apps.update_app")
        get_draft_validation = load("api.drafts.get_draft_validation")
        publish_app = load("api.releases.publish_app")
        list_releases = load("api.releases.list_releases")
        get_release = load("api.releases.get_release")

        created = await create_app.asyncio_detailed(
            client=sdk,
            body=models.AppCreate(
                name="Generated client app",
                branding=models.BrandingInput(primary_color="#0f172a"),
            ),
            idempotency_key="generated-create-1",
        )
        assert created.status_code == 201, created.content
        app = created.parsed
        assert isinstance(app, models.AppRead)
        assert app.branding.primary_color == "#0f172a"

        updated = await update_app.asyncio(
            app.id,
            client=sdk,
            body=models.AppUpdate(description="Made by a generated client"),
            if_match=f'"{app.current_draft.revision}"',
        )
        assert isinstance(updated, models.AppRead)
        assert updated.description == "Made by a generated client"

        integration = await load("api.integrations.create_integration").asyncio(
            app.id,
            client=sdk,
            body=models.IntegrationCreate(
                name="CRM API", base_url="https://crm.example.com/api"
            ),
        )
        assert isinstance(integration, models.IntegrationRead)
        operation = await load("api.operations.create_operation").asyncio(
            app.id,
            integration.id,
            client=sdk,
            body=models.OperationCreate(
                name="List contacts", method=models.Method.GET, path="/contacts"
            ),
        )
        assert isinstance(operation, models.OperationRead)
        tool = await load("api.tools.create_tool").asyncio(
            app.id, client=sdk, body=models.ToolCreate(name="List contacts")
        )
        assert isinstance(tool, models.ToolRead)
        bound = await load("api.tools.put_tool_binding").asyncio(
            app.id,
            tool.id,
            client=sdk,
            body=models.BindingPut(operation_id=operation.id),
        )
        assert isinstance(bound, models.ToolRead)
        assert bound.binding is not None
        assert bound.binding.operation_id == operation.id

        report = await get_draft_validation.asyncio(app.id, client=sdk)
        assert isinstance(report, models.ValidationReport)
        assert report.ok

        published = await publish_app.asyncio_detailed(
            app.id,
            client=sdk,
            body=models.ReleaseCreate(notes="From the generated client"),
            idempotency_key="generated-publish-1",
        )
        assert published.status_code == 201, published.content
        result = published.parsed
        assert isinstance(result, models.PublishResult)
        assert result.release.version == 1

        listed = await list_releases.asyncio(app.id, client=sdk)
        assert [r.id for r in listed.data] == [result.release.id]
        detail = await get_release.asyncio(app.id, result.release.id, client=sdk)
        assert isinstance(detail, models.ReleaseDetail)
        assert detail.notes == "From the generated client"

    async def test_errors_parse_as_the_envelope(self, sdk: Any) -> None:
        models = load("models")
        get_app = load("api.apps.get_app")
        publish_app = load("api.releases.publish_app")

        missing = await get_app.asyncio_detailed(
            "app_01jd7x3k5q9n2m4p6r8t0v2w4y", client=sdk
        )
        empty = await publish_app.asyncio_detailed(
            "app_01jd7x3k5q9n2m4p6r8t0v2w4y", client=sdk
        )

        assert missing.status_code == 404
        assert isinstance(missing.parsed, models.ErrorEnvelope)
        assert missing.parsed.error.code == "not_found"
        assert missing.parsed.error.request_id == missing.headers["x-request-id"]
        assert isinstance(empty.parsed, models.ErrorEnvelope)
