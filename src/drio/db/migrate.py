"""Running the Alembic migrations from code (the CLI, the server start, the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from drio.db.engine import async_url


def _project_root() -> Path:
    """Where alembic.ini is: the working directory, else the source checkout."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[3]):
        if (candidate / "alembic.ini").exists():
            return candidate
    raise FileNotFoundError(
        "alembic.ini not found: run drio from the project folder (or /app in the image)"
    )


def alembic_config(database_url: str | None = None) -> Config:
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
    command.upgrade(alembic_config(database_url), "heads")


def head_revisions() -> frozenset[str] | None:
    """The latest revisions the code knows, or None when no migrations are at hand."""
    try:
        return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())
    except FileNotFoundError:
        return None
