"""Fast bulk seeding for the query-count tests and the benchmarks: one SQL statement per
kind of row, straight into the database, with no API calls per row.

Seeded rows are well-formed (ids of the right shape, drafts for apps) so every route
reads them as it reads rows made through the API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

# Seeds `n` rows of one kind for the app `app_id` (of tenant `tenant_id`).
Seeder = Callable[[asyncpg.Connection, str, str, int], Awaitable[None]]

# 26 characters of the ULID alphabet, from a number: ids sort as the numbers do.
_ULID_TAIL = "lpad(to_hex({n}), 26, '0')"


async def seed_apps(
    connection: asyncpg.Connection, tenant_id: str, n: int, *, tag: str
) -> None:
    """`n` apps of one tenant, each with its current draft, newest last.

    `tag` (a few hex digits) keeps ids and slugs apart between calls.
    """
    tail = _ULID_TAIL.format(n="i")
    # apps and drafts point at each other; the foreign keys are checked at the end
    # of the one statement, when both rows exist.
    await connection.execute(
        f"""
        WITH numbers AS (
            SELECT i, now() - (($2::int - i) * interval '1 millisecond') AS at
            FROM generate_series(1, $2::int) AS i
        ),
        new_apps AS (
            INSERT INTO apps (
                id, tenant_id, slug, public_mcp_id, name, description, branding,
                current_draft_id, created_at, updated_at
            )
            SELECT
                'app_' || overlay({tail} placing $3 from 1),
                $1,
                'seeded-' || $3 || '-' || i,
                'mcp_' || overlay({tail} placing $3 from 1),
                'Seeded app ' || i,
                'A seeded app',
                '{{}}'::jsonb,
                'draft_' || overlay({tail} placing $3 from 1),
                at,
                at
            FROM numbers
            RETURNING id
        )
        INSERT INTO drafts (
            id, app_id, revision, content_hash, has_changes, last_edited_at,
            created_at, updated_at
        )
        SELECT
            'draft_' || overlay({tail} placing $3 from 1),
            'app_' || overlay({tail} placing $3 from 1),
            1,
            'seeded',
            true,
            at,
            at,
            at
        FROM numbers
        """,  # noqa: S608
        tenant_id,
        n,
        tag,
    )


async def seed_releases(
    connection: asyncpg.Connection, _tenant_id: str, app_id: str, n: int
) -> None:
    """`n` superseded releases of an app, older than anything made through the API."""
    draft_id = await connection.fetchval(
        "SELECT current_draft_id FROM apps WHERE id = $1", app_id
    )
    first = await connection.fetchval(
        "SELECT coalesce(max(version), 0) FROM releases WHERE app_id = $1", app_id
    )
    tail = _ULID_TAIL.format(n="i")
    await connection.execute(
        f"""
        INSERT INTO releases (
            id, app_id, draft_id, version, state, has_changes, content,
            sealed_secrets, content_hash, published_at, created_at, updated_at
        )
        SELECT
            'release_' || overlay({tail} placing substr(md5($1), 1, 8) from 1),
            $1, $2, $3::int + i, 'superseded', true,
            '{{"app": {{}}}}'::jsonb, '{{}}'::jsonb, 'seeded',
            now() - interval '1 day' + i * interval '1 millisecond',
            now() - interval '1 day' + i * interval '1 millisecond',
            now() - interval '1 day' + i * interval '1 millisecond'
        FROM generate_series(1, $4::int) AS i
        """,  # noqa: S608
        app_id,
        draft_id,
        first,
        n,
    )


def _resource_seeder(
    table: str, prefix: str, columns: dict[str, str], *, after: str = ""
) -> Seeder:
    """A seeder of `n` rows of an authoring resource; `columns` are SQL expressions
    over `i` (the row number) and `$1` (the app id); `after` reads a parent row."""

    async def seed(
        connection: asyncpg.Connection, _tenant_id: str, app_id: str, n: int
    ) -> None:
        tail = _ULID_TAIL.format(n="i")
        names = ", ".join(["id", "app_id", "key", "name", *columns])
        values = ", ".join(
            [
                f"'{prefix}_' || overlay({tail} placing substr(md5($1), 1, 8) from 1)",
                "$1",
                f"'seeded-{table}-' || i",
                f"'Seeded {table} ' || i",
                *columns.values(),
            ]
        )
        await connection.execute(
            f"""
            INSERT INTO {table} ({names}, created_at, updated_at)
            SELECT {values},
                now() - interval '1 day' + i * interval '1 millisecond',
                now() - interval '1 day' + i * interval '1 millisecond'
            FROM generate_series(1, $2::int) AS i {after}
            """,  # noqa: S608
            app_id,
            n,
        )

    return seed


seed_auth_connections = _resource_seeder(
    "auth_connections",
    "auth",
    {
        "provider_key": "'bearer-token'",
        "kind": "'bearer'",
        "config": "'{}'::jsonb",
        "secrets_encrypted": "'{}'::jsonb",
    },
)
seed_integrations = _resource_seeder(
    "integrations",
    "integration",
    {
        "provider_key": "'http'",
        "base_url": "'https://seeded.example.com'",
        "default_headers": "'{}'::jsonb",
        "timeout_ms": "10000",
    },
)
seed_operations = _resource_seeder(
    "operations",
    "operation",
    {
        "integration_id": "parent.id",
        "description": "'A seeded operation'",
        "method": "'GET'",
        "path": "'/seeded'",
        "input_schema": """'{"type": "object"}'::jsonb""",
        "output_schema": """'{"type": "object"}'::jsonb""",
        "schema_hash": "'seeded'",
    },
    after="CROSS JOIN LATERAL (SELECT id FROM integrations "
    "WHERE app_id = $1 ORDER BY id LIMIT 1) AS parent",
)
seed_tools = _resource_seeder(
    "tools",
    "tool",
    {
        "description": "'A seeded tool'",
        "kind": "'function'",
        "is_enabled": "false",
        '"order"': "0",
        "annotations": "'{}'::jsonb",
        "next_tool_ids": "'{}'::varchar[]",
    },
)
seed_widgets = _resource_seeder(
    "widgets",
    "widget",
    {
        "type": "'markdown'",
        "display_mode": "'inline'",
        "visibility": "'visible'",
        "config": "'{}'::jsonb",
        "actions": "'[]'::jsonb",
    },
)

# Every kind of row that grows with an app. A new authoring resource adds its seeder
# here, and the query-count tests then also run with 10,000 of it.
APP_SEEDERS: list[Seeder] = [
    seed_releases,
    seed_auth_connections,
    seed_integrations,
    seed_operations,
    seed_tools,
    seed_widgets,
]
