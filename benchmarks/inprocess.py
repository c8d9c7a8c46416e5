"""CPU per request of drio's GET /apps/{id} and of the baseline, without sockets.

    python -m benchmarks.inprocess [--requests 5000] [--concurrency 8]
        [--path /api/v2/me] [--profile drio.html] [--data-dir .bench]

wrk's figures on a shared two-core machine swing by tens of percent between runs; the
CPU time a process spends per request, driving the ASGI application directly (no
HTTP parsing, no load generator), moves by a few. This is how the P1 costs in the
README were found: change one thing, compare the microseconds. `--profile FILE`
writes a pyinstrument profile of drio's run (HTML, or text for a .txt name); the
profiler's own cost inflates every figure, so read its proportions, not its times.
Log lines go to /dev/null, as to a file in a real deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.targets import BENCH_ORG, Bench, prepare

Scope = dict[str, Any]


async def _drive(
    app: Any, path: str, headers: dict[str, str], requests: int, concurrency: int
) -> Counter[int]:
    raw_headers = [(b"host", b"127.0.0.1:8000")] + [
        (name.lower().encode(), value.encode()) for name, value in headers.items()
    ]
    statuses: Counter[int] = Counter()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] += 1

    async def client(count: int) -> None:
        for _ in range(count):
            scope: Scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "GET",
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "root_path": "",
                "query_string": b"",
                "headers": list(raw_headers),
                "server": ("127.0.0.1", 8000),
                "client": ("127.0.0.1", 50000),
            }
            await app(scope, receive, send)

    await asyncio.gather(*(client(requests // concurrency) for _ in range(concurrency)))
    return statuses


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[None]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            inbox.get,
            outbox.put,
        )
    )
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"startup failed: {started}")
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await outbox.get()
        await task


async def _measure(
    name: str,
    app: Any,
    path: str,
    headers: dict[str, str],
    options: argparse.Namespace,
    profile: Path | None = None,
) -> None:
    async with _lifespan(app):
        warm = await _drive(app, path, headers, 500, options.concurrency)
        profiler: Any = None
        if profile is not None:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
        cpu, wall = time.process_time(), time.perf_counter()
        statuses = await _drive(
            app, path, headers, options.requests, options.concurrency
        )
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler is not None and profile is not None:
            profiler.stop()
            text = profile.suffix == ".txt"
            output = (
                profiler.output_text(unicode=False) if text else profiler.output_html()
            )
            await asyncio.to_thread(profile.write_text, output)
    done = sum(statuses.values())
    print(
        f"{name:9} {path}: {1e6 * cpu / done:6.0f} us CPU per request "
        f"({1e6 * wall / done:.0f} us wall), statuses {dict(statuses + warm)}"
    )


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    with open(os.devnull, "w") as devnull:
        saved = sys.stderr
        sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = saved


def _run(bench: Bench, options: argparse.Namespace) -> None:
    os.environ.update(
        {
            "DATABASE_URL": bench.db.url,
            "DRIO_DATA_DIR": str(bench.data_dir),
            "DRIO_PUBLIC_URL": harness.PUBLIC_URL,
            "DRIO_LOG_FORMAT": "json",
            "DRIO_DB_POOL_SIZE": "10",
        }
    )
    from benchmarks.baseline import create_app as create_baseline
    from drio.main import create_api
    from drio.settings import Settings

    drio_path = options.path or f"/api/v2/apps/{bench.app_id}"
    headers = {"Authorization": f"Bearer {bench.token}"}

    async def main() -> None:
        with _quiet_stderr():
            await _measure(
                "baseline", create_baseline(), f"/apps/{bench.app_id}", {}, options
            )
            await _measure(
                "drio",
                create_api(Settings()),
                drio_path,
                headers,
                options,
                options.profile,
            )

    import uvloop

    uvloop.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--path", help="drio path to request instead of the app")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile")
    parser.add_argument("--data-dir", type=Path, help="keep the database here")
    options = parser.parse_args()
    bench_options = harness.Options(data_dir=options.data_dir)
    with contextlib.ExitStack() as stack:
        folder = options.data_dir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="drio-inproc-"))
        )
        folder.mkdir(parents=True, exist_ok=True)
        print(f"org {BENCH_ORG}: seeding and starting PostgreSQL in {folder} ...")
        _run(prepare(bench_options, folder), options)


if __name__ == "__main__":
    main()
