"""Ids are RFC 9562 version 7 on every supported server, built in (18) or the platform's own."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace

import asyncpg

from services.core.dsn import with_database
from services.core.migrations import migrate
from services.core.settings import Settings

UUIDV7_VERSION = "20261125000005"


def _unix_ms(value: uuid.UUID) -> int:
    return value.int >> 80


async def _generate(conn: asyncpg.Connection, function: str, count: int) -> tuple[list[uuid.UUID], int, int]:
    row = await conn.fetchrow(
        "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS before,"
        f" (SELECT array_agg({function}() ORDER BY n) FROM generate_series(1, $1) AS n) AS ids,"
        " (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS after",
        count,
    )
    assert row is not None
    return list(row["ids"]), row["before"] - 1, row["after"] + 1


async def test_the_platforms_uuidv7_has_the_rfc_9562_layout(admin_conn: asyncpg.Connection) -> None:
    ids, before, after = await _generate(admin_conn, "alliance_uuidv7", 2000)
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert (value.version, value.variant) == (7, uuid.RFC_4122)
        assert before <= _unix_ms(value) <= after
    # Time, version and sub-millisecond time: one session's ids follow each other.
    prefixes = [value.int >> 64 for value in ids]
    assert prefixes == sorted(prefixes)
    assert len(set(prefixes)) > 1


async def test_uuidv7_resolves_on_this_server(admin_conn: asyncpg.Connection) -> None:
    ids, before, after = await _generate(admin_conn, "uuidv7", 100)
    assert all(v.version == 7 and before <= _unix_ms(v) <= after for v in ids)


async def test_table_ids_default_to_version_7(
    admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    ids = [row["id"] for row in await admin_conn.fetch("SELECT id FROM organizations")]
    assert ids and all(value.version == 7 for value in ids)
    assert {value.version for value in demo.values()} == {7}


async def test_a_database_migrated_before_the_uuidv7_migration_takes_it(
    admin_url: str, admin_conn: asyncpg.Connection
) -> None:
    """dbmate applies the missing older version on a database already past it, harmlessly."""
    name = f"alliance_uuid_{uuid.uuid4().hex[:8]}"
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        await _migrate(url)
        owner = await asyncpg.connect(url)
        try:
            # As migrated before 20261125000005 existed (on 18: the built-in uuidv7 only).
            await owner.execute("DROP FUNCTION alliance_uuidv7()")
            await owner.execute("DELETE FROM schema_migrations WHERE version = $1", UUIDV7_VERSION)
            await _migrate(url)
            assert await owner.fetchval("SELECT 1 FROM schema_migrations WHERE version = $1", UUIDV7_VERSION)
            tenant = await owner.fetchval(
                "INSERT INTO alliances (slug, name, region_code) VALUES ('late', 'Late', '110101') RETURNING id"
            )
            assert tenant.version == 7
            assert (await owner.fetchval("SELECT alliance_uuidv7()")).version == 7
        finally:
            await owner.close()
    finally:
        await admin_conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def _migrate(url: str) -> None:
    await asyncio.to_thread(migrate, replace(Settings(), database_url=url))
