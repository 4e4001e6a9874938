"""Migrations: applied in order, recorded, safe to run twice; the app role cannot bypass RLS."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import asyncpg
import pytest

from services.core.migrations import MIGRATIONS_DIR, migrate
from services.core.settings import Settings


async def test_every_migration_is_recorded(admin_conn: asyncpg.Connection) -> None:
    applied = {r["version"] for r in await admin_conn.fetch("SELECT version FROM schema_migrations")}
    on_disk = {p.name.split("_", 1)[0] for p in MIGRATIONS_DIR.glob("*.sql")}
    assert on_disk and applied == on_disk


async def test_running_again_changes_nothing(admin_url: str, admin_conn: asyncpg.Connection) -> None:
    before = await admin_conn.fetchval("SELECT count(*) FROM schema_migrations")
    # migrate() runs its own event loop (the command line's), so off this test's loop.
    await asyncio.to_thread(migrate, replace(Settings(), database_url=admin_url))
    assert await admin_conn.fetchval("SELECT count(*) FROM schema_migrations") == before


async def test_app_role_is_plain(admin_conn: asyncpg.Connection) -> None:
    role = await admin_conn.fetchrow(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolcanlogin"
        " FROM pg_roles WHERE rolname = 'alliance_app'"
    )
    assert role is not None
    assert dict(role) == {
        "rolsuper": False,
        "rolbypassrls": False,
        "rolcreaterole": False,
        "rolcreatedb": False,
        "rolcanlogin": True,
    }


async def test_pool_connects_as_app_role(pool: asyncpg.Pool) -> None:
    assert await pool.fetchval("SELECT current_user") == "alliance_app"


async def test_app_role_cannot_change_the_schema(conn: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute("CREATE TABLE intruder (id int)")
