"""Run drio's benchmarks and print a table: `python -m benchmarks [P1 P3 ...]`.

Each run starts its own embedded PostgreSQL in a temporary folder (or in --data-dir,
kept and reused across runs, which saves the 1,000,000-app seeding of P3), the
servers it compares, and wrk on loopback (install it with `apt-get install wrk`;
without it a slower Python load generator is used).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

from benchmarks import harness
from benchmarks.targets import TARGETS, Row, prepare

DEFAULT_TARGETS = ["P1", "P2", "P3", "P5", "P6", "P7"]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{mem_kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "unknown memory"
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, Python {platform.python_version()}"
    )


def table(rows: list[Row]) -> str:
    header = ["target", "measure", "value", "goal", "ok", "req/s", "p50 ms", "p99 ms"]
    lines = [header]
    for row in rows:
        load = row.load
        lines.append(
            [
                row.target,
                row.measure,
                row.value,
                row.goal,
                "" if row.ok is None else ("yes" if row.ok else "NO"),
                f"{load.rps:,.0f}" if load else "",
                f"{load.p50_ms:.2f}" if load else "",
                f"{load.p99_ms:.2f}" if load else "",
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            "| "
            + " | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True))
            + " |"
        )
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help=f"targets to run (default: {' '.join(DEFAULT_TARGETS)}; known: "
        f"{' '.join(sorted(TARGETS))})",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="seconds per measurement (default 10)",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=32,
        help="concurrent connections (default 32)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server workers for P1 and P3 (default 1)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternating rounds per comparison; the median is kept",
    )
    parser.add_argument(
        "--data-dir", type=Path, help="keep the database here and reuse it next time"
    )
    parser.add_argument(
        "--large-apps", type=int, default=1_000_000, help="apps in the P3 tenant"
    )
    parser.add_argument(
        "--p6-requests", type=int, default=100_000, help="requests for P6"
    )
    parser.add_argument(
        "--skip-suite", action="store_true", help="P5 without timing the test suite"
    )
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="use the Python load generator even if wrk exists",
    )
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)

    names = [t.upper() for t in args.targets] or DEFAULT_TARGETS
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown targets: {', '.join(unknown)}")
    if not harness.has_wrk() and not args.python_load:
        print(
            "wrk not found (apt-get install wrk): using the Python load generator, "
            "which saturates before the server does; ratios are still side by side.",
            file=sys.stderr,
        )

    options = harness.Options(
        duration=args.duration,
        connections=args.connections,
        workers=args.workers,
        rounds=max(1, args.rounds),
        data_dir=args.data_dir,
        force_python_load=args.python_load,
        extra={
            "large_apps": args.large_apps,
            "p6_requests": args.p6_requests,
            "skip_suite": args.skip_suite,
        },
    )
    print(f"machine: {machine()}")
    print(
        f"load: {'python' if args.python_load or not harness.has_wrk() else 'wrk'}, "
        f"{args.connections} connections, {args.duration:g} s per measurement"
    )
    rows: list[Row] = []
    with harness.workspace(options) as folder:
        bench = prepare(options, folder)
        for name in names:
            title, run = TARGETS[name]
            print(f"{name}: {title}", flush=True)
            started = time.perf_counter()
            rows.extend(run(bench, options))
            print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    print()
    print(table(rows))
    if args.json:
        args.json.write_text(
            json.dumps([asdict(r) for r in rows], indent=2, default=str)
        )
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
