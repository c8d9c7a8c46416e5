from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from drio.logging import redirect
from drio.settings import LogFormat, Settings
from tests.factories import assert_error
from tests.ops.conftest import running_api

_SECRETISH = re.compile(r"(?i)bearer|eyJ[A-Za-z0-9_-]{8,}")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The test reconfigures the root logger; the rest of the session gets it back."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    redirect(None)
    root.handlers = handlers
    root.setLevel(level)


def _capture() -> io.StringIO:
    """Send the configured log lines (drio's and other libraries') to a buffer."""
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    redirect(buffer)
    return buffer


@pytest.mark.usefixtures("restore_logging")
class TestJsonLogs:
    async def test_workflow_logs_are_json_with_ids_and_no_secrets(
        self, settings: Settings, auth: dict[str, str]
    ) -> None:
        token = auth["Authorization"].removeprefix("Bearer ")
        forged = token[:-8] + "AAAAAAAA"

        async with running_api(settings, log_format=LogFormat.json) as (_, http):
            buffer = _capture()
            created = await http.post(
                "/api/v2/apps",
                json={"name": "Logged app"},
                headers={**auth, "Idempotency-Key": "log-1"},
            )
            app_id = created.json()["id"]
            responses = [
                created,
                await http.post(
                    "/api/v2/apps",
                    json={"name": "Logged app"},
                    headers={**auth, "Idempotency-Key": "log-1"},
                ),
                await http.patch(
                    f"/api/v2/apps/{app_id}",
                    json={"description": "Now with logs"},
                    headers={**auth, "If-Match": '"1"'},
                ),
                await http.patch(
                    f"/api/v2/apps/{app_id}",
                    json={"description": "Stale"},
                    headers={**auth, "If-Match": '"1"'},
                ),
                await http.post(f"/api/v2/apps/{app_id}/releases", headers=auth),
                await http.get(f"/api/v2/apps/{app_id}/releases", headers=auth),
                await http.get("/api/v2/apps/app_nope", headers=auth),
                await http.post("/api/v2/apps", json={"nam": "typo"}, headers=auth),
                await http.get(
                    "/api/v2/apps", headers={"Authorization": f"Bearer {forged}"}
                ),
                await http.get("/api/v2/me", headers={"Authorization": "Basic abc"}),
            ]
            sent = [r.headers["x-request-id"] for r in responses]
        output = buffer.getvalue()

        assert_error(responses[3], 412, "precondition_failed")
        assert_error(responses[6], 404, "not_found")
        assert_error(responses[8], 401, "unauthorized")
        lines = [json.loads(line) for line in output.splitlines()]
        server = [line for line in lines if not line["logger"].startswith("http")]
        assert all(line.get("request_id") for line in server), server
        assert token not in output
        assert forged not in output
        assert not _SECRETISH.search(output), output
        access = {
            line["request_id"]: line
            for line in server
            if line["event"] == "http.request"
        }
        assert list(access) == sent
        patched = access[sent[2]]
        assert patched["method"] == "PATCH"
        assert patched["route"] == "/api/v2/apps/{app_id}"
        assert patched["status"] == 200
        assert patched["app_id"] == app_id
        assert patched["tenant"]
        assert isinstance(patched["duration_ms"], float | int)
        assert access[sent[4]]["route"] == "/api/v2/apps/{app_id}/releases"
        assert access[sent[4]]["status"] == 201
        assert access[sent[8]]["status"] == 401

    def test_secrets_in_log_fields_are_redacted(self, settings: Settings) -> None:
        from drio.logging import configure_logging, log

        configure_logging(settings.model_copy(update={"log_format": LogFormat.json}))
        buffer = _capture()
        jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"

        log.info(
            "test.redaction",
            authorization=f"Bearer {jwt_like}",
            client_secret="s3cr3t",
            note=f"header was Bearer {jwt_like}",
            nested={"refresh_token": "rt-123", "fine": "ok"},
        )
        line: dict[str, Any] = json.loads(buffer.getvalue())

        assert line["authorization"] == "[redacted]"
        assert line["client_secret"] == "[redacted]"
        assert jwt_like not in line["note"]
        assert line["nested"] == {"refresh_token": "[redacted]", "fine": "ok"}


@pytest.mark.usefixtures("restore_logging")
class TestConsoleLogs:
    def test_control_characters_are_escaped(self, settings: Settings) -> None:
        # A request path may carry any byte; a terminal tailing the log must not
        # receive escape sequences or NULs from it, nor a forged line break.
        from drio.logging import configure_logging, log

        configure_logging(settings.model_copy(update={"log_format": LogFormat.console}))
        buffer = _capture()

        log.info("test.control", path="/api/v2/apps/x\x1b[31mRED\x00")
        log.info("test.control", path="/api/v2/apps/x\nFORGED")
        output = buffer.getvalue()

        assert "\x1b" not in output
        assert "\x00" not in output
        assert output.count("\n") == 2
        assert "RED" in output
        assert "FORGED" in output
