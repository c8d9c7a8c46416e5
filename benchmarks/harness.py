"""What the benchmarks stand on: a database, servers, a token and a load generator.

Everything runs on this machine: an embedded PostgreSQL in a temporary folder (or a
kept one, with --data-dir), servers on loopback ports, and wrk (or, without it, a
small Python load generator) sending requests to 127.0.0.1 for a bounded time.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Request:
    path: str
    method: str = "GET"
    body: dict[str, Any] | None = None


@dataclass
class Load:
    """What one measurement saw."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Options:
    duration: float = 10.0
    connections: int = 32
    workers: int = 1
    rounds: int = 1
    data_dir: Path | None = None
    force_python_load: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Database:
    """An embedded PostgreSQL migrated to head; it stops when this process exits."""

    def __init__(self, folder: Path) -> None:
        from drio.db.embedded import start_embedded
        from drio.db.migrate import upgrade_to_head

        self.folder = folder
        self.url = start_embedded(folder)
        upgrade_to_head(self.url)

    def run(self, coroutine_fn: Any, *args: Any) -> Any:
        """Run `coroutine_fn(connection, *args)` on one asyncpg connection."""
        import asyncpg

        async def main() -> Any:
            connection = await asyncpg.connect(self.url)
            try:
                return await coroutine_fn(connection, *args)
            finally:
                await connection.close()

        return asyncio.run(main())


@contextmanager
def workspace(options: Options) -> Iterator[Path]:
    if options.data_dir is not None:
        options.data_dir.mkdir(parents=True, exist_ok=True)
        yield options.data_dir
        return
    with tempfile.TemporaryDirectory(prefix="drio-bench-") as folder:
        yield Path(folder)


def token_for(data_dir: Path, org_id: str) -> str:
    from drio.auth.keys import load_or_create_signing_key, mint_access_token

    key = load_or_create_signing_key(data_dir)
    return mint_access_token(
        key,
        issuer=PUBLIC_URL,
        audience=PUBLIC_URL,
        subject="user_bench",
        org_id=org_id,
        expires_in=6 * 3600,
        extra_claims={"email": "bench@example.com", "name": "Bench"},
    )


class Server:
    """A server process on a loopback port, stopped (with its workers) on exit."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        port: int,
        env: dict[str, str],
        log: Path,
        ready_path: str,
    ) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            list(argv),
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.ready_path = ready_path

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Poll until the ready path answers 200; return the seconds it took."""
        started = time.perf_counter()
        deadline = started + timeout
        with httpx.Client(base_url=self.url, timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited; see {self.log}")
                try:
                    if client.get(self.ready_path).status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
        raise RuntimeError(f"server not ready after {timeout} s; see {self.log}")

    def pids(self) -> list[int]:
        """The server process and its children (uvicorn's workers)."""
        found = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            found += [int(p) for p in children.read_text().split()]
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def drio_server(
    database_url: str | None, data_dir: Path, *, workers: int, **env: str
) -> Server:
    port = free_port()
    base = {
        "DRIO_DATA_DIR": str(data_dir),
        "DRIO_PUBLIC_URL": PUBLIC_URL,
        "DRIO_LOG_FORMAT": "json",
        "DRIO_DB_POOL_SIZE": "10",
        **env,
    }
    if database_url is not None:
        base["DATABASE_URL"] = database_url
    argv = [
        str(Path(sys.executable).parent / "drio"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    if database_url is not None:
        argv.append("--no-migrate")
    return Server(
        argv, port=port, env=base, log=data_dir / "drio.log", ready_path="/readyz"
    )


def baseline_server(database_url: str, data_dir: Path, *, workers: int) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.baseline:create_app",
        "--factory",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    return Server(
        argv,
        port=port,
        env={"DATABASE_URL": database_url},
        log=data_dir / "baseline.log",
        ready_path="/healthz",
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# The wrk script: cycles through the given requests, and prints one JSON line at the end.
_WRK_SCRIPT = """
local requests = {requests}
local headers = {headers}
local i = 0
request = function()
  i = i + 1
  local r = requests[(i % #requests) + 1]
  return wrk.format(r[1], r[2], headers, r[3])
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {{"requests":%d,"us":%d,"errors":%d,"p50":%d,"p99":%d}}\\n',
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)


def _wrk(
    base_url: str,
    requests: Sequence[Request],
    headers: dict[str, str],
    options: Options,
    duration: float,
) -> Load:
    lua_requests = (
        "{"
        + ", ".join(
            "{"
            + ", ".join(
                [
                    _lua_string(r.method),
                    _lua_string(r.path),
                    _lua_string(json.dumps(r.body)) if r.body is not None else "nil",
                ]
            )
            + "}"
            for r in requests
        )
        + "}"
    )
    all_headers = {**headers}
    if any(r.body is not None for r in requests):
        all_headers["Content-Type"] = "application/json"
    lua_headers = (
        "{"
        + ", ".join(
            f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in all_headers.items()
        )
        + "}"
    )
    script = _WRK_SCRIPT.format(requests=lua_requests, headers=lua_headers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        output = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                "-t1",
                f"-c{options.connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                base_url,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=duration + 60,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(ln for ln in output.splitlines() if ln.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return Load(
        requests=data["requests"],
        seconds=data["us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p99_ms=data["p99"] / 1000,
        errors=data["errors"],
    )


async def _python_load(
    base_url: str,
    requests: Sequence[Request],
    headers: dict[str, str],
    connections: int,
    duration: float,
) -> Load:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=connections)

    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=10.0
    ) as client:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < deadline:
                r = requests[i % len(requests)]
                i += 1
                started = time.perf_counter()
                try:
                    response = await client.request(r.method, r.path, json=r.body)
                    if response.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Load(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        errors=errors,
    )


def has_wrk() -> bool:
    return shutil.which("wrk") is not None


def load(
    base_url: str,
    requests: Sequence[Request],
    headers: dict[str, str],
    options: Options,
    duration: float | None = None,
) -> Load:
    """Send `requests` in a loop to a loopback server for `duration` seconds."""
    if not base_url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks send load to loopback addresses only")
    seconds = options.duration if duration is None else duration
    if has_wrk() and not options.force_python_load:
        return _wrk(base_url, requests, headers, options, seconds)
    return asyncio.run(
        _python_load(base_url, requests, headers, options.connections, seconds)
    )


def warm_up(
    base_url: str, requests: Sequence[Request], headers: dict[str, str]
) -> None:
    """A few requests first, so no measurement pays for imports and first connections."""
    with httpx.Client(base_url=base_url, headers=headers, timeout=10.0) as client:
        for _ in range(20):
            for r in requests:
                response = client.request(r.method, r.path, json=r.body)
                if response.status_code >= 400:
                    raise RuntimeError(
                        f"{r.method} {r.path} answered {response.status_code}: "
                        f"{response.text[:300]}"
                    )
