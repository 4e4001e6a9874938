"""Row-level security: every tenant table, as the catalogue lists them, is secured; a row of one
tenant is invisible to another and to a transaction with no tenant set."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest

from services.core.db import create_pool
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.domain import Platform
from tests.support.catalogue import (
    NOT_TENANT_SECURED,
    minimal_row,
    primary_key,
    secured_tenant_tables,
    tenant_tables,
)
from tests.support.databases import scratch_database


@pytest.fixture(scope="module")
async def seeded(
    admin_url: str, settings: Settings
) -> AsyncIterator[tuple[asyncpg.Connection, asyncpg.Pool]]:
    """A database of its own with the demo data of every domain: the owner's connection and
    the app role's pool."""
    async with scratch_database(admin_url, "alliance_rls") as url:
        owner = await asyncpg.connect(url)
        pool = await create_pool(replace(settings, database_url=url))
        try:
            await Platform.default().seed_demo(owner)
            yield owner, pool
        finally:
            await pool.close()
            await owner.close()


async def test_every_tenant_table_is_secured_and_forced(
    seeded: tuple[asyncpg.Connection, asyncpg.Pool],
) -> None:
    owner, _ = seeded
    tables = await tenant_tables(owner)
    assert set(NOT_TENANT_SECURED) <= set(tables), "an exception names a table that is gone"
    flags = await owner.fetch(
        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class"
        " WHERE relname = ANY ($1::text[]) AND relnamespace = 'public'::regnamespace",
        await secured_tenant_tables(owner),
    )
    unsecured = sorted(r["relname"] for r in flags if not (r["relrowsecurity"] and r["relforcerowsecurity"]))
    assert unsecured == []
    assert {"organizations", "bookings", "activity"} <= {r["relname"] for r in flags}


async def _count(pool: asyncpg.Pool, table: str, key: dict[str, object], tenant: uuid.UUID | None) -> int:
    where = " AND ".join(f"{column} = ${n}" for n, column in enumerate(key, 1))
    async with pool.acquire() as conn, conn.transaction():
        await set_scope(conn, tenant_id=tenant)
        count: int = await conn.fetchval(f"SELECT count(*) FROM {table} WHERE {where}", *key.values())
        return count


async def test_a_row_of_one_tenant_is_invisible_to_another_and_to_none(
    seeded: tuple[asyncpg.Connection, asyncpg.Pool], subtests: pytest.Subtests
) -> None:
    """For every secured table, found in the catalogue: a row inserted as tenant A (as the app
    does) is seen by A, and neither by B nor without a tenant."""
    owner, pool = seeded
    tenants = {row["slug"]: row["id"] for row in await owner.fetch("SELECT slug, id FROM alliances")}
    a, b = tenants["demo"], tenants["other"]
    tables = await secured_tenant_tables(owner)
    assert tables
    # Rows are written as the app writes them: scoped to a tenant and an account of it.
    actor = await owner.fetchval(
        "SELECT account_id FROM role_assignments WHERE tenant_id = $1 AND role = 'alliance_admin' LIMIT 1", a
    )
    for table in tables:
        with subtests.test(table=table):
            values = await minimal_row(owner, table, a, actor)
            names = list(values)
            placeholders = ", ".join(f"${n}" for n in range(1, len(names) + 1))
            key_columns = await primary_key(owner, table)
            assert key_columns, f"{table} has no primary key to find its row by"
            async with pool.acquire() as conn, conn.transaction():
                await set_scope(conn, tenant_id=a, account_id=actor)
                inserted = await conn.fetchrow(
                    f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders})"
                    f" RETURNING {', '.join(key_columns)}",
                    *values.values(),
                )
            assert inserted is not None
            key = dict(inserted)
            assert await _count(pool, table, key, a) == 1
            assert await _count(pool, table, key, b) == 0
            assert await _count(pool, table, key, None) == 0


async def test_cannot_write_into_another_tenant(conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> None:
    await set_scope(conn, tenant_id=demo["other"])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute(
            "INSERT INTO organizations (tenant_id, name, kind) VALUES ($1, 'x', 'AGENCY')", demo["demo"]
        )


async def test_cannot_move_rows_to_another_tenant(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await set_scope(conn, tenant_id=demo["demo"])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute("UPDATE organizations SET tenant_id = $1", demo["other"])


async def test_audit_rows_cannot_be_changed_or_deleted(
    pool: asyncpg.Pool, demo: dict[str, uuid.UUID]
) -> None:
    async with pool.acquire() as conn:
        for statement in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            async with conn.transaction():
                await set_scope(conn, tenant_id=demo["demo"])
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await conn.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE organizations DISABLE ROW LEVEL SECURITY",
        "SET LOCAL row_security = off; SELECT count(*) FROM organizations",
    ],
)
async def test_app_role_cannot_turn_security_off(conn: asyncpg.Connection, statement: str) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute(statement)
