"""The demo data loads once and obeys the rules; resource rows stay in their tenant."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.core.tenancy import set_scope
from services.directory.demo import seed_directory
from services.resources.demo import seed_resources
from tests.support.databases import scratch_database


async def test_demo_resources_load_once(admin_url: str) -> None:
    """In a database of its own, so the check "demo has resources" sees only the seed's."""
    async with scratch_database(admin_url, "alliance_resdemo") as url:
        conn = await asyncpg.connect(url)
        try:
            await seed_directory(conn)
            assert await seed_resources(conn) is True
            assert await seed_resources(conn) is False
            per_tenant = await conn.fetch(
                "SELECT a.slug, count(DISTINCT r.id) AS resources, count(DISTINCT b.id) AS bookings,"
                " count(DISTINCT m.id) AS menu_items"
                " FROM alliances a JOIN resources r ON r.tenant_id = a.id"
                " LEFT JOIN bookings b ON b.resource_id = r.id"
                " LEFT JOIN resource_menu_items m ON m.resource_id = r.id"
                " GROUP BY a.slug ORDER BY a.slug"
            )
            assert [
                (row["slug"], row["resources"], row["bookings"], row["menu_items"]) for row in per_tenant
            ] == [
                ("demo", 8, 7, 3),
                ("other", 8, 7, 3),
            ]
            kinds = await conn.fetchval("SELECT array_agg(DISTINCT kind ORDER BY kind) FROM resources")
            assert kinds == ["BASE", "FUNDING", "LECTURER", "MATERIAL", "SERVICE", "VENUE"]
        finally:
            await conn.close()


async def test_other_tenant_writes_none_of_demo(
    conn: asyncpg.Connection, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    """(Reading is covered for every tenant table by tests/directory/test_row_level_security.py.)"""
    await set_scope(conn, tenant_id=demo["other"])
    demo_org = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 LIMIT 1", demo["demo"]
    )
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute(
            "INSERT INTO resources (tenant_id, owner_org_id, kind, title) VALUES ($1, $2, 'VENUE', 'x')",
            demo["demo"],
            demo_org,
        )


async def test_an_owner_from_another_tenant_is_refused(
    conn: asyncpg.Connection, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    """The composite foreign key keeps a resource's owner inside its tenant."""
    foreign_org = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 LIMIT 1", demo["other"]
    )
    await set_scope(conn, tenant_id=demo["demo"])
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await conn.execute(
            "INSERT INTO resources (tenant_id, owner_org_id, kind, title) VALUES ($1, $2, 'VENUE', 'x')",
            demo["demo"],
            foreign_org,
        )


async def test_bookings_are_never_deleted(conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> None:
    await set_scope(conn, tenant_id=demo["demo"])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await conn.execute("DELETE FROM bookings")
