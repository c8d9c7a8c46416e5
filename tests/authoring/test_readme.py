"""The README's "Authoring resources" walk-through, run as written against the API.

The shell block is read from README.md and each curl line is replayed through the test
client, so the documented steps cannot drift from what the server accepts.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import httpx

from tests.factories import create_app

README = Path(__file__).resolve().parents[2] / "README.md"
ASSIGN = re.compile(r"^(?P<name>[A-Z_]+)=\$\((?P<command>.*)\s*\|\s*jid\)$")
VARIABLE = re.compile(r"\$(?P<name>[A-Z_]+)")


def _walkthrough() -> list[str]:
    text = README.read_text()
    section = text.split("## Authoring resources", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands: list[str] = []
    pending = ""
    for line in block.splitlines():
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        command = (pending + line.strip()).strip()
        pending = ""
        if command.startswith("curl") or ASSIGN.match(command):
            commands.append(command)
    return commands


def _request(command: str, values: dict[str, str]) -> tuple[str, str, Any]:
    words = shlex.split(command)
    assert words[0] == "curl"
    method, body = "GET", None
    url = ""
    index = 1
    while index < len(words):
        word = words[index]
        if word == "-X":
            method = words[index + 1]
            index += 2
        elif word == "-d":
            body = words[index + 1]
            index += 2
        elif word.startswith("$API"):
            url = word
            index += 1
        else:
            index += 1

    def expand(text: str) -> str:
        return VARIABLE.sub(lambda m: values[m.group("name")], text)

    return method, expand(url), expand(body) if body is not None else None


class TestReadmeWalkthrough:
    async def test_steps_run_as_written(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, name="Acme Support")
        values = {"API": "/api/v2", "APP": app["id"]}
        commands = _walkthrough()

        responses: list[httpx.Response] = []
        for command in commands:
            assigned = ASSIGN.match(command)
            method, url, body = _request(
                assigned.group("command") if assigned else command, values
            )
            response = await client.request(
                method,
                url,
                content=body,
                headers={**auth, "Content-Type": "application/json"},
            )
            assert response.is_success, (command, response.text)
            if assigned:
                values[assigned.group("name")] = response.json()["id"]
            responses.append(response)

        assert len(commands) == 14
        validation, changes, release = (r.json() for r in responses[-3:])
        assert validation["ok"] is True
        assert {c["entity_type"] for c in changes["changes"]} == {
            "app",
            "auth_connection",
            "integration",
            "operation",
            "tool",
            "widget",
        }
        assert release["release"]["version"] == 1
        assert "sk-demo-123" not in "".join(r.text for r in responses)
