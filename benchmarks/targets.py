"""The targets of issue 6, each a function that measures and judges one of them.

A target is registered with `@target("P1", "what it measures")` and receives the
shared `Bench` (database, data folder, token, seeded apps) and the options. It returns
rows for the table. Targets that need other data seed it themselves, once: a kept
--data-dir is reused by later runs.
"""

from __future__ import annotations

import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks import harness
from benchmarks.harness import Load, Options, Request
from benchmarks.seed import seed_apps

BENCH_ORG = "bench"
LARGE_ORG = "bench-large"
SEEDED_APPS = 1_000
LARGE_APPS = 1_000_000


@dataclass
class Row:
    target: str
    measure: str
    value: str
    goal: str
    ok: bool | None = None
    load: Load | None = None


@dataclass
class Bench:
    options: Options
    db: harness.Database
    data_dir: Path
    token: str
    app_id: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def drio(self, *, workers: int | None = None, **env: str) -> harness.Server:
        return harness.drio_server(
            self.db.url,
            self.data_dir,
            workers=workers or self.options.workers,
            **env,
        )


Target = Callable[[Bench, Options], list[Row]]
TARGETS: dict[str, tuple[str, Target]] = {}


def target(name: str, title: str) -> Callable[[Target], Target]:
    def register(fn: Target) -> Target:
        TARGETS[name] = (title, fn)
        return fn

    return register


async def _count_apps(connection: Any, tenant_id: str) -> int:
    count: int = await connection.fetchval(
        "SELECT count(*) FROM apps WHERE tenant_id = $1", tenant_id
    )
    return count


async def _seed(connection: Any, tenant_id: str, n: int, tag: str) -> None:
    await seed_apps(connection, tenant_id, n, tag=tag)
    await connection.execute("ANALYZE apps")
    await connection.execute("ANALYZE drafts")


def ensure_apps(bench: Bench, org: str, n: int, tag: str) -> None:
    tenant_id = f"org:{org}"
    have = bench.db.run(_count_apps, tenant_id)
    if have >= n:
        return
    started = time.perf_counter()
    print(f"  seeding {n:,} apps for {tenant_id} ...", flush=True)
    bench.db.run(_seed, tenant_id, n, tag)
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)


def prepare(options: Options, folder: Path) -> Bench:
    """The database, the token and one real app, made through the API and published."""
    db = harness.Database(folder / "pg")
    data_dir = folder / "drio"
    data_dir.mkdir(exist_ok=True)
    bench = Bench(
        options=options,
        db=db,
        data_dir=data_dir,
        token=harness.token_for(data_dir, BENCH_ORG),
    )
    ensure_apps(bench, BENCH_ORG, SEEDED_APPS, "be0c")
    with bench.drio(workers=1) as server:
        server.wait_ready()
        with httpx.Client(base_url=server.url, headers=bench.headers) as client:
            found = client.get("/api/v2/apps", params={"query": "bench-app"}).json()
            if found["data"]:
                bench.app_id = found["data"][0]["id"]
            else:
                app = client.post(
                    "/api/v2/apps",
                    json={"name": "Bench app", "slug": "bench-app"},
                ).json()
                bench.app_id = app["id"]
                client.post(f"/api/v2/apps/{app['id']}/releases", json={})
                client.patch(
                    f"/api/v2/apps/{app['id']}", json={"description": "edited"}
                )
    return bench


def _measure(
    server: harness.Server,
    requests: list[Request],
    headers: dict[str, str],
    options: Options,
) -> Load:
    harness.warm_up(server.url, requests, headers)
    return harness.load(server.url, requests, headers, options)


def _median_load(loads: list[Load]) -> Load:
    return _median_by(loads, "rps")


def _median_by(loads: list[Load], measure: str) -> Load:
    ordered = sorted(loads, key=lambda item: float(getattr(item, measure)))
    return ordered[len(ordered) // 2]


def _ratio_row(
    name: str, measure: str, ratio: float, goal: float, load: Load | None = None
) -> Row:
    return Row(name, measure, f"{ratio:.2f}x", f">= {goal}x", ratio >= goal, load)


@target("P1", "GET /apps/{id} with a real token vs the bare FastAPI + asyncpg baseline")
def p1_read_vs_baseline(bench: Bench, options: Options) -> list[Row]:
    drio_req = [Request(f"/api/v2/apps/{bench.app_id}")]
    base_req = [Request(f"/apps/{bench.app_id}")]
    drio_loads: list[Load] = []
    base_loads: list[Load] = []
    # Rounds alternate, so drift in the machine's load hits both sides alike.
    for _ in range(options.rounds):
        with harness.baseline_server(
            bench.db.url, bench.data_dir, workers=options.workers
        ) as server:
            server.wait_ready()
            base_loads.append(_measure(server, base_req, {}, options))
        with bench.drio() as server:
            server.wait_ready()
            drio_loads.append(_measure(server, drio_req, bench.headers, options))
    base, drio = _median_load(base_loads), _median_load(drio_loads)
    return [
        Row(
            "P1",
            f"baseline, {options.workers} worker(s)",
            f"{base.rps:,.0f} req/s",
            "",
            None,
            base,
        ),
        Row(
            "P1",
            f"drio GET /apps/{{id}}, {options.workers} worker(s)",
            f"{drio.rps:,.0f} req/s",
            "",
            None,
            drio,
        ),
        _ratio_row("P1", "drio / baseline throughput", drio.rps / base.rps, 0.6),
    ]


async def _deep_cursor(connection: Any, tenant_id: str, offset: int) -> str:
    from drio.pagination import cursor_for

    row = await connection.fetchrow(
        "SELECT created_at, id FROM apps WHERE tenant_id = $1 "
        "ORDER BY created_at DESC, id DESC OFFSET $2 LIMIT 1",
        tenant_id,
        offset,
    )
    created_at: datetime = row["created_at"]
    return cursor_for(
        f"apps\0{tenant_id}", "-created_at", None, [created_at, row["id"]]
    )


@target("P3", "a list page deep in 1,000,000 apps of one tenant vs the first page")
def p3_deep_page(bench: Bench, options: Options) -> list[Row]:
    n = int(options.extra.get("large_apps", LARGE_APPS))
    ensure_apps(bench, LARGE_ORG, n, "1a60")
    tenant_id = f"org:{LARGE_ORG}"
    cursor = bench.db.run(_deep_cursor, tenant_id, int(n * 0.9))
    headers = {
        "Authorization": f"Bearer {harness.token_for(bench.data_dir, LARGE_ORG)}"
    }
    first = [Request("/api/v2/apps")]
    deep = [Request(f"/api/v2/apps?cursor={cursor}")]
    # One connection: latency is the page's own cost, not time queued behind others.
    single = dataclasses.replace(options, connections=1)
    with bench.drio() as server:
        server.wait_ready()
        with httpx.Client(base_url=server.url, headers=headers) as client:
            page = client.get(deep[0].path).json()
            assert len(page["data"]) == 50, page
        # Alternating rounds, so drift in the machine's load hits both alike.
        firsts: list[Load] = []
        deeps: list[Load] = []
        for _ in range(options.rounds):
            firsts.append(_measure(server, first, headers, single))
            deeps.append(_measure(server, deep, headers, single))
    first_load = _median_by(firsts, "p50_ms")
    deep_load = _median_by(deeps, "p50_ms")
    ratio = deep_load.p50_ms / first_load.p50_ms
    return [
        Row(
            "P3",
            "first page (50 of 1,000,000)",
            f"{first_load.p50_ms:.2f} ms p50",
            "",
            None,
            first_load,
        ),
        Row(
            "P3",
            "page at row 900,000",
            f"{deep_load.p50_ms:.2f} ms p50",
            "",
            None,
            deep_load,
        ),
        Row(
            "P3",
            "deep / first page p50 latency",
            f"{ratio:.2f}x",
            "<= 1.2x",
            ratio <= 1.2,
        ),
    ]


@target(
    "P5", "drio serve on a fresh data folder to the first 200; the whole test suite"
)
def p5_startup(bench: Bench, options: Options) -> list[Row]:
    rows: list[Row] = []
    times: list[float] = []
    restarts: list[float] = []
    for _ in range(max(1, options.rounds)):
        with tempfile.TemporaryDirectory(prefix="drio-fresh-") as folder:
            started = time.perf_counter()
            server = harness.drio_server(None, Path(folder), workers=1)
            with server:
                server.wait_ready(timeout=120)
                times.append(time.perf_counter() - started)
            # The same folder again: PostgreSQL's initdb is behind us.
            started = time.perf_counter()
            with harness.drio_server(None, Path(folder), workers=1) as server:
                server.wait_ready(timeout=120)
                restarts.append(time.perf_counter() - started)
    startup = statistics.median(times)
    rows.append(
        Row(
            "P5",
            "fresh data folder to first 200 (/readyz)",
            f"{startup:.2f} s",
            "<= 3 s",
            startup <= 3.0,
        )
    )
    restart = statistics.median(restarts)
    rows.append(Row("P5", "existing data folder to first 200", f"{restart:.2f} s", ""))
    if not options.extra.get("skip_suite"):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=harness.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        suite = time.perf_counter() - started
        last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
        rows.append(
            Row(
                "P5",
                f"whole test suite ({last})",
                f"{suite:.1f} s",
                "<= 180 s",
                suite <= 180 and result.returncode == 0,
            )
        )
    return rows


def mixed_workload(app_id: str) -> list[Request]:
    """Dashboard reads with an occasional write, in the proportions of a session."""
    return [
        Request(f"/api/v2/apps/{app_id}"),
        Request("/api/v2/apps"),
        Request(f"/api/v2/apps/{app_id}/draft"),
        Request(f"/api/v2/apps/{app_id}"),
        Request(f"/api/v2/apps/{app_id}/draft/changes"),
        Request(f"/api/v2/apps/{app_id}/releases"),
        Request("/api/v2/me"),
        Request(f"/api/v2/apps/{app_id}/draft/validation"),
        Request(f"/api/v2/apps/{app_id}"),
        Request(f"/api/v2/apps/{app_id}", "PATCH", {"description": "benchmarked"}),
    ]


@target("P6", "memory of one worker after 100,000 requests of a mixed workload")
def p6_memory(bench: Bench, options: Options) -> list[Row]:
    total = int(options.extra.get("p6_requests", 100_000))
    chunk = min(options.duration, 10.0)
    requests = mixed_workload(bench.app_id)
    samples: list[tuple[int, float]] = []
    served = 0
    with bench.drio(workers=1) as server:
        server.wait_ready()
        harness.warm_up(server.url, requests, bench.headers)
        pid = server.pids()[-1]
        samples.append((0, harness.rss_mb(pid)))
        started = time.perf_counter()
        while served < total:
            result = harness.load(server.url, requests, bench.headers, options, chunk)
            served += result.requests
            samples.append((served, harness.rss_mb(pid)))
            if time.perf_counter() - started > 900:
                break
    half = next(rss for count, rss in samples if count >= served / 2)
    final = samples[-1][1]
    growth = final - half
    step = max(1, len(samples) // 6)
    shown = [*samples[::step][:-1], samples[-1]]
    trail = ", ".join(f"{c // 1000}k:{r:.0f}" for c, r in shown)
    return [
        Row(
            "P6",
            f"RSS after {served:,} requests",
            f"{final:.0f} MB",
            "<= 120 MB",
            final <= 120,
        ),
        Row(
            "P6",
            "RSS growth over the second half",
            f"{growth:+.1f} MB",
            "<= 5 MB",
            growth <= 5,
        ),
        Row("P6", f"samples (requests:MB) {trail}", "", ""),
    ]


@target("P7", "read-path throughput with 2 workers vs 1")
def p7_workers(bench: Bench, options: Options) -> list[Row]:
    requests = [Request(f"/api/v2/apps/{bench.app_id}")]
    results: dict[int, list[Load]] = {1: [], 2: []}
    for _ in range(options.rounds):
        for workers in (1, 2):
            with bench.drio(workers=workers) as server:
                server.wait_ready()
                results[workers].append(
                    _measure(server, requests, bench.headers, options)
                )
    one, two = _median_load(results[1]), _median_load(results[2])
    return [
        Row("P7", "GET /apps/{id}, 1 worker", f"{one.rps:,.0f} req/s", "", None, one),
        Row("P7", "GET /apps/{id}, 2 workers", f"{two.rps:,.0f} req/s", "", None, two),
        _ratio_row("P7", "2 workers / 1 worker", two.rps / one.rps, 1.6),
    ]


# A realistic mix of 1,000 resources: connections used by integrations, operations
# under them, tools bound to the operations, and a widget over each tool.
P2_MIX = {"auth_connections": 50, "integrations": 50, "operations": 300, "tools": 300}
P2_WIDGETS = 300


def _build_draft(client: httpx.Client, app_id: str, scale: float) -> int:
    """Fill an app's draft through the API; returns the number of resources made."""
    base = f"/api/v2/apps/{app_id}"
    made = 0

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        nonlocal made
        response = client.post(f"{base}{path}", json=body)
        response.raise_for_status()
        made += 1
        result: dict[str, Any] = response.json()
        return result

    count = {k: max(1, round(v * scale)) for k, v in P2_MIX.items()}
    connections = [
        post(
            "/auth-connections",
            {
                "name": f"Conn {i}",
                "provider_key": "bearer-token",
                "secrets": {"token": "t"},
            },
        )
        for i in range(count["auth_connections"])
    ]
    integrations = [
        post(
            "/integrations",
            {
                "name": f"API {i}",
                "base_url": f"https://api{i}.example.com",
                "auth_connection_id": connections[i % len(connections)]["id"],
            },
        )
        for i in range(count["integrations"])
    ]
    operations = [
        post(
            f"/integrations/{integrations[i % len(integrations)]['id']}/operations",
            {
                "name": f"Op {i}",
                "method": "GET",
                "path": f"/things/{i}",
                "description": "d",
            },
        )
        for i in range(count["operations"])
    ]
    tools = []
    for i in range(count["tools"]):
        tool = post("/tools", {"name": f"Tool {i}", "description": "d"})
        client.put(
            f"{base}/tools/{tool['id']}/binding",
            json={"operation_id": operations[i % len(operations)]["id"]},
        ).raise_for_status()
        tools.append(tool)
    for i in range(max(1, round(P2_WIDGETS * scale))):
        post(
            "/widgets",
            {
                "name": f"Widget {i}",
                "type": "data-table",
                "tool_id": tools[i % len(tools)]["id"],
            },
        )
    return made


def _ensure_app(client: httpx.Client, slug: str, scale: float) -> str:
    found = client.get("/api/v2/apps", params={"query": slug}).json()["data"]
    if found:
        return str(found[0]["id"])
    app = client.post("/api/v2/apps", json={"name": slug, "slug": slug}).json()
    started = time.perf_counter()
    made = _build_draft(client, app["id"], scale)
    print(
        f"  built {made} resources in {time.perf_counter() - started:.0f} s", flush=True
    )
    return str(app["id"])


def _publish_once(client: httpx.Client, app_id: str, n: int) -> tuple[float, int]:
    client.patch(f"/api/v2/apps/{app_id}", json={"description": f"round {n}"})
    started = time.perf_counter()
    response = client.post(f"/api/v2/apps/{app_id}/releases", json={})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 201:
        raise RuntimeError(
            f"publish failed: {response.status_code} {response.text[:300]}"
        )
    return elapsed, int(response.headers["x-query-count"])


@target("P2", "publish a draft of 1,000 resources (median; round trips)")
def p2_publish(bench: Bench, options: Options) -> list[Row]:
    """Publish after a small edit, many times; compare SQL statements with a tiny draft."""
    rounds = max(15, options.rounds * 5)
    with bench.drio(workers=1, DRIO_DEBUG_QUERY_COUNT="true") as server:
        server.wait_ready()
        with httpx.Client(
            base_url=server.url, headers=bench.headers, timeout=60
        ) as client:
            large = _ensure_app(client, "p2-large-draft", 1.0)
            small = _ensure_app(client, "p2-small-draft", 0.01)
            # The first publish of an app has no release to supersede: one statement
            # fewer. Both apps get theirs before counting.
            _publish_once(client, large, 0)
            _publish_once(client, small, 0)
            timings = []
            large_counts = set()
            for n in range(1, rounds + 1):
                elapsed, count = _publish_once(client, large, n)
                timings.append(elapsed)
                large_counts.add(count)
            small_counts = {_publish_once(client, small, n)[1] for n in range(1, 4)}
    median = statistics.median(timings)
    same = large_counts == small_counts and len(large_counts) == 1
    return [
        Row(
            "P2",
            f"publish of 1,000 resources, median of {rounds}",
            f"{median:.0f} ms (p90 {sorted(timings)[int(len(timings) * 0.9)]:.0f} ms)",
            "<= 150 ms",
            median <= 150,
        ),
        Row(
            "P2",
            "SQL statements per publish, 1,000 vs ~10 resources",
            f"{sorted(large_counts)} vs {sorted(small_counts)}",
            "equal",
            same,
        ),
    ]
