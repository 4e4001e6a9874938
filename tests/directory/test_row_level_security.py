"""Row-level security: without the tenant setting, or with another tenant's, no rows leak."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.core.tenancy import set_scope

TENANT_TABLES = ["organizations", "role_assignments", "api_keys", "audit_log"]


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_no_tenant_setting_sees_nothing(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID], admin_conn: asyncpg.Connection, table: str
) -> None:
    assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 0


@pytest.mark.parametrize("table", ["organizations", "role_assignments"])
async def test_other_tenant_sees_none_of_demo(
    conn: asyncpg.Connection, demo: dict[str, uuid.UUID], admin_conn: asyncpg.Connection, table: str
) -> None:
    demo_rows = await admin_conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", demo["demo"])
    assert demo_rows > 0
    await set_scope(conn, tenant_id=demo["other"])
    assert await conn.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", demo["demo"]) == 0
    assert await conn.fetchval(f"SELECT count(*) FROM {table}") > 0


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
