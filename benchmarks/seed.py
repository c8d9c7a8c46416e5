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


# Every kind of row that grows with an app. A new authoring resource adds its seeder
# here, and the query-count tests then also run with 10,000 of it.
APP_SEEDERS: list[Seeder] = [seed_releases]
