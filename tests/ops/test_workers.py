"""`drio serve --workers 2` on one embedded database: correct under concurrency, and a
SIGTERM drains in-flight requests and stops the embedded PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from tests.ops.conftest import Served, serving

APPS = 3
ROUNDS = 3
SAME_KEY_COPIES = 3
KEYLESS = 2


def postmasters(data_dir: Path) -> list[psutil.Process]:
    """Running postgres processes serving this data folder."""
    pgdata = str((data_dir / "pgdata").resolve())
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if pgdata in cmdline and process.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(process)
    return found


async def publish_round(
    http: httpx.AsyncClient, app_id: str, round_: int
) -> list[httpx.Response]:
    """Change the draft, then publish it from several clients at once."""
    patched = await http.patch(
        f"/api/v2/apps/{app_id}", json={"description": f"round {round_}"}
    )
    assert patched.status_code == 200, patched.text
    key = {"Idempotency-Key": f"publish-{app_id}-{round_}"}
    requests = [
        http.post(f"/api/v2/apps/{app_id}/releases", json={"notes": "n"}, headers=key)
        for _ in range(SAME_KEY_COPIES)
    ] + [
        http.post(f"/api/v2/apps/{app_id}/releases", json={"notes": "n"})
        for _ in range(KEYLESS)
    ]
    responses = list(await asyncio.gather(*requests))
    # A retry after the fact replays the first answer.
    responses.append(
        await http.post(
            f"/api/v2/apps/{app_id}/releases", json={"notes": "n"}, headers=key
        )
    )
    return responses


async def hammer(served: Served, token: str) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"}
    # No keep-alive: each request is a new connection, which either worker may accept.
    no_reuse = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=served.url, headers=headers, timeout=30, limits=no_reuse
    ) as http:
        created = await asyncio.gather(
            *(http.post("/api/v2/apps", json={"name": f"W{i}"}) for i in range(APPS))
        )
        app_ids = [r.json()["id"] for r in created]
        results = []
        for app_id in app_ids:
            rounds = []
            for round_ in range(ROUNDS):
                rounds.append(await publish_round(http, app_id, round_))
            listed = await http.get(
                f"/api/v2/apps/{app_id}/releases", params={"sort": "version"}
            )
            results.append({"app_id": app_id, "rounds": rounds, "releases": listed})
        return results


def check_app(result: dict[str, Any]) -> None:
    releases = result["releases"].json()["data"]
    versions = [r["version"] for r in releases]
    assert versions == list(range(1, ROUNDS + 1)), versions
    made = [r["id"] for r in releases]
    for round_, responses in enumerate(result["rounds"]):
        texts = [r.text for r in responses]
        for response in responses:
            assert response.status_code in {201, 409}, texts
        fresh = [
            r.json()["release"]["id"]
            for r in responses
            if r.status_code == 201 and "idempotent-replayed" not in r.headers
        ]
        # Each change is published exactly once, whoever wins the race.
        assert fresh == [made[round_]], texts
        keyed = responses[:SAME_KEY_COPIES] + responses[-1:]
        replayed = [r for r in keyed if "idempotent-replayed" in r.headers]
        # A retry replays the first answer: the same release, the work not redone.
        assert {r.json()["release"]["id"] for r in replayed} <= set(fresh), texts
        codes = {r.json()["error"]["code"] for r in responses if r.status_code == 409}
        assert codes <= {"idempotency_key_in_use", "nothing_to_publish"}, texts
        if any(r.status_code == 201 for r in keyed[:-1]):
            assert keyed[-1].status_code == 201, texts
            assert keyed[-1].headers["idempotent-replayed"] == "true"


def publishing_workers(log: str) -> set[int]:
    """The processes that answered publish requests, from the JSON access log."""
    pids = set()
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if (
            entry.get("event") == "http.request"
            and entry.get("route") == "/api/v2/apps/{app_id}/releases"
            and entry.get("method") == "POST"
        ):
            pids.add(entry["process"])
    return pids


class TestWorkers:
    def test_two_workers_share_one_database_and_stop_cleanly(self) -> None:
        with serving("--workers", "2") as served:
            data_dir = served.data_dir
            token = served.token("--org", "org_workers")
            assert len(postmasters(data_dir)) >= 1

            results = asyncio.run(hammer(served, token))
            for result in results:
                check_app(result)

            in_flight = start_slow_create(served.port, token)
            served.terminate()
            time.sleep(1)
            response = finish_slow_create(in_flight)
            code = served.stop()
            log = served.log()
            deadline = time.monotonic() + 10
            while postmasters(data_dir) and time.monotonic() < deadline:
                time.sleep(0.2)

            assert code == 0, log
            assert response.startswith("HTTP/1.1 201"), response
            assert log.count("Started server process") == 2
            assert len(publishing_workers(log)) == 2, log
            assert postmasters(data_dir) == []
            assert not (data_dir / "pgdata" / "postmaster.pid").exists()


def start_slow_create(port: int, token: str) -> tuple[socket.socket, bytes]:
    """Send a create request whose body is not finished yet."""
    body = json.dumps({"name": "Drained"}).encode()
    head = (
        f"POST /api/v2/apps HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    connection.sendall(head + body[:5])
    time.sleep(0.5)
    return connection, body[5:]


def finish_slow_create(in_flight: tuple[socket.socket, bytes]) -> str:
    connection, rest = in_flight
    with connection:
        connection.sendall(rest)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received.decode("latin-1")


class TestSingleProcess:
    def test_sigterm_exits_zero_and_stops_the_embedded_database(self) -> None:
        """Regression: uvicorn re-raised SIGTERM after draining, so the process died
        of it (exit 143) and left the embedded PostgreSQL running."""
        with serving() as served:
            assert httpx.get(f"{served.url}/healthz").status_code == 200
            assert postmasters(served.data_dir)

            code = served.stop()
            log = served.log()

            assert code == 0, log
            assert postmasters(served.data_dir) == []
            assert '"server.stopped"' in log
