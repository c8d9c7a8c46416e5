"""Running the Alembic migrations from code (the CLI, the server start, the tests)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from drio.db.engine import async_url

if TYPE_CHECKING:
    from alembic.config import Config


def _project_root() -> Path:
    """Where alembic.ini is: the working directory, else the source checkout."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[3]):
        if (candidate / "alembic.ini").exists():
            return candidate
    raise FileNotFoundError(
        "alembic.ini not found: run drio from the project folder (or /app in the image)"
    )


def alembic_config(database_url: str | None = None) -> Config:
    from alembic.config import Config

    root = _project_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    if database_url is not None:
        # ConfigParser interpolates %; escape it so passwords survive.
        config.set_main_option(
            "sqlalchemy.url", async_url(database_url).replace("%", "%%")
        )
    return config


def upgrade_to_head(database_url: str) -> None:
    from alembic import command

    command.upgrade(alembic_config(database_url), "heads")


def head_revisions() -> frozenset[str] | None:
    """The latest revisions the code knows, or None when no migrations are at hand.

    Read from the migration files' `revision` and `down_revision` assignments rather
    than through Alembic: every server worker asks (for /readyz), and importing
    Alembic cost each worker 11 MB of memory (issue 6, P6). A test holds the answer
    equal to Alembic's own.
    """
    try:
        folder = _project_root() / "migrations" / "versions"
    except FileNotFoundError:
        return None
    revisions: set[str] = set()
    replaced: set[str] = set()
    for path in folder.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                value = ast.literal_eval(node.value) if names & _NAMES else None
                if "revision" in names and isinstance(value, str):
                    revisions.add(value)
                elif "down_revision" in names and value is not None:
                    replaced.update([value] if isinstance(value, str) else value)
    return frozenset(revisions - replaced) if revisions else None


_NAMES = frozenset({"revision", "down_revision"})
