"""The ledger's demo data loads once and covers the story; ledgerFigures agree with SQL counts."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest

from services.core.dsn import with_database
from services.core.migrations import migrate
from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.directory.demo import seed_directory
from services.ledger.demo import seed_ledger
from services.ledger.figures import ledger_figures
from tests.ledger.conftest import STREET, local_today


@pytest.fixture
async def demo_db(admin_url: str, admin_conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A database of its own, so "the demo tenant has a ledger" sees only the seed's."""
    name = f"alliance_ledgerdemo_{uuid.uuid4().hex[:8]}"
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin_url, name)
    try:
        await asyncio.to_thread(migrate, replace(Settings(), database_url=url))
        conn = await asyncpg.connect(url)
        try:
            await seed_directory(conn)
            yield conn
        finally:
            await conn.close()
    finally:
        await admin_conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def test_demo_ledger_loads_once_and_tells_the_story(demo_db: asyncpg.Connection) -> None:
    assert await seed_ledger(demo_db) is True
    assert await seed_ledger(demo_db) is False
    statuses = await demo_db.fetchval("SELECT array_agg(DISTINCT status ORDER BY status) FROM ledger_items")
    assert statuses == ["CANCELLED", "IN_PROGRESS", "OPEN", "SIGNED_OFF", "SUBMITTED"]
    lists = await demo_db.fetchval("SELECT array_agg(DISTINCT list ORDER BY list) FROM ledger_items")
    assert lists == ["PROBLEM", "RESPONSIBILITY", "TASK"]
    overdue = await demo_db.fetchval(
        "SELECT count(*) FROM ledger_items WHERE due_date < ledger_today() AND status NOT IN ('SIGNED_OFF', 'CANCELLED')"
    )
    assert overdue >= 2
    chain = await demo_db.fetchval(
        "SELECT count(*) FROM ledger_item_answers a JOIN ledger_items t ON t.id = a.task_id"
        " JOIN ledger_items p ON p.id = a.problem_id WHERE t.status = 'SIGNED_OFF' AND p.status = 'SIGNED_OFF'"
    )
    assert chain == 1
    letters = await demo_db.fetch(
        "SELECT acknowledged_at IS NOT NULL AS signed FROM responsibility_letters ORDER BY signed"
    )
    assert [row["signed"] for row in letters] == [False, True]
    orgs = await demo_db.fetchval(
        "SELECT array_agg(DISTINCT o.name ORDER BY o.name) FROM ledger_items i JOIN organizations o ON o.id = i.organization_id"
    )
    assert orgs == sorted(["东城街道党工委", "花园社区党委", "滨河社区党支部"])


async def test_figures_are_computed_from_the_items(demo_db: asyncpg.Connection) -> None:
    await seed_ledger(demo_db)
    tenant_id = await demo_db.fetchval("SELECT id FROM alliances WHERE slug = 'demo'")
    street = await demo_db.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, STREET
    )
    admin = Principal(
        account_id=uuid.uuid4(),
        login="figures",
        tenant_id=tenant_id,
        tenant_slug="demo",
        roles=frozenset({"alliance_admin"}),
    )
    year = local_today().year
    async with demo_db.transaction():
        await set_scope(demo_db, tenant_id=tenant_id)
        found = await ledger_figures(
            demo_db, actor=admin, year=year, organization_id=street, include_descendants=True
        )
        alone = await ledger_figures(
            demo_db, actor=admin, year=year, organization_id=street, include_descendants=False
        )
    assert [f.organization_id for f in alone] == [street]
    assert len(found) >= 3 and found[0].organization_id == street  # the street and those below it
    for figures in found:
        org = figures.organization_id
        counts = {
            (row["list"], row["status"]): row["n"]
            for row in await demo_db.fetch(
                "SELECT list, status, count(*) AS n FROM ledger_items WHERE organization_id = $1 AND year = $2"
                " GROUP BY list, status",
                org,
                year,
            )
        }
        assert {(c.list, c.status): c.count for c in figures.counts} == counts
        total = sum(n for (_, status), n in counts.items() if status != "CANCELLED")
        signed = sum(n for (_, status), n in counts.items() if status == "SIGNED_OFF")
        assert (figures.total, figures.signed_off) == (total, signed)
        assert figures.sign_off_rate == (round(signed / total, 4) if total else None)
        overdue = await demo_db.fetch(
            "SELECT ledger_today() - due_date AS days FROM ledger_items WHERE organization_id = $1 AND year = $2"
            " AND status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED') AND due_date < ledger_today()",
            org,
            year,
        )
        assert figures.overdue_count == len(overdue)
        expected_days = round(sum(r["days"] for r in overdue) / len(overdue), 2) if overdue else None
        assert figures.average_days_overdue == expected_days
        due, on_time = await demo_db.fetchrow(
            "SELECT count(*) FILTER (WHERE status = 'SIGNED_OFF' OR due_date < ledger_today()),"
            " count(*) FILTER (WHERE status = 'SIGNED_OFF'"
            "                  AND (signed_off_at AT TIME ZONE 'Asia/Shanghai')::date <= due_date)"
            " FROM ledger_items WHERE organization_id = $1 AND year = $2 AND status <> 'CANCELLED'",
            org,
            year,
        )
        assert figures.on_time_rate == (round(on_time / due, 4) if due else None)
    # The demo makes these figures non-trivial: something overdue, something signed off on time.
    assert sum(f.overdue_count for f in found) >= 2
    assert any(f.on_time_rate for f in found)
