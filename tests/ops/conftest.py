from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from drio.settings import Settings
from tests.conftest import BASE_URL, start_api


@asynccontextmanager
async def running_api(
    settings: Settings, **changes: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """An API of its own, built from the test settings with `changes` applied."""
    api, context = await start_api(settings.model_copy(update=changes))
    try:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
            yield api, http
    finally:
        await context.__aexit__(None, None, None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


DRIO = Path(sys.executable).parent / "drio"


@dataclass
class Served:
    """A real `drio serve` subprocess with its own data folder (and embedded DB)."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("DRIO_") and k != "DATABASE_URL"
        }
        env.update(
            DRIO_DATA_DIR=str(self.data_dir),
            DRIO_PUBLIC_URL=self.url,
            DRIO_LOG_FORMAT="json",
        )
        return env

    def start(self, *args: str) -> None:
        self.log_path = self.data_dir.parent / f"serve-{self.port}.log"
        with self.log_path.open("wb") as log_file:
            self.process = subprocess.Popen(  # noqa: S603
                [str(DRIO), "serve", "--port", str(self.port), *args],
                env=self.env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"drio serve exited: {self.log()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"drio serve did not get ready: {self.log()}")

    def token(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [str(DRIO), "token", *args],
            env=self.env,
            capture_output=True,
            check=True,
            text=True,
        )
        return result.stdout.strip()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path else ""

    def terminate(self) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 60) -> int:
        assert self.process is not None
        self.terminate()
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    """`drio serve ARGS` on a data folder of its own.

    The folder is made with tempfile rather than pytest's tmp_path: pytest prunes old
    session folders, which another pytest run on the machine may do mid-test.
    """
    with tempfile.TemporaryDirectory(prefix="drio-serve-") as folder:
        served = Served(data_dir=Path(folder) / "data")
        try:
            served.start(*args)
            yield served
        finally:
            served.kill()
