"""Deadline notices: ``ledger_item.due_soon`` and ``ledger_item.overdue`` exactly once per item
and due date, with several job replicas, after a restart, and again after a new due date."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
import pytest

from services.core.principal import Principal
from services.core.tenancy import set_scope
from services.ledger import deadlines, transitions
from tests.ledger.conftest import local_today


async def _insert(
    admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, org: uuid.UUID, due: dt.date, status: str = "OPEN"
) -> uuid.UUID:
    item_id: uuid.UUID = await admin_conn.fetchval(
        """
        INSERT INTO ledger_items (tenant_id, list, organization_id, assigning_organization_id, year, title,
                                  responsible_organization_id, due_date, status, cancelled_at)
        VALUES ($1, 'TASK', $2, $2, $3, '时间节点测试', $2, $4, $5, CASE WHEN $5 = 'CANCELLED' THEN now() END)
        RETURNING id
        """,
        tenant_id,
        org,
        due.year,
        due,
        status,
    )
    return item_id


async def _notices(admin_conn: asyncpg.Connection, item_ids: list[uuid.UUID]) -> list[tuple[int, str]]:
    """(position of the item in ``item_ids``, event type) of every deadline event recorded."""
    rows = await admin_conn.fetch(
        "SELECT aggregate_id, event_type FROM outbox WHERE aggregate_id = ANY($1::text[])"
        " AND event_type IN ('ledger_item.due_soon.v1', 'ledger_item.overdue.v1') ORDER BY id",
        [str(i) for i in item_ids],
    )
    position = {str(i): n for n, i in enumerate(item_ids)}
    return sorted((position[row["aggregate_id"]], row["event_type"]) for row in rows)


@pytest.fixture
async def items(
    admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> list[uuid.UUID]:
    today, org = local_today(), orgs["riverside"]
    return [
        await _insert(admin_conn, demo["demo"], org, today + dt.timedelta(days=3)),  # due soon
        await _insert(admin_conn, demo["demo"], org, today - dt.timedelta(days=1)),  # overdue
        await _insert(admin_conn, demo["demo"], org, today + dt.timedelta(days=30)),  # not yet
        await _insert(admin_conn, demo["demo"], org, today - dt.timedelta(days=2), "CANCELLED"),  # never
        await _insert(admin_conn, demo["demo"], org, today + dt.timedelta(days=7)),  # due soon, at the edge
    ]


async def _waits_on_a_lock(admin_conn: asyncpg.Connection, pid: int) -> bool:
    return bool(
        await admin_conn.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid)
    )


async def test_two_replicas_at_once_send_each_notice_once(
    pool: asyncpg.Pool, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], items: list[uuid.UUID]
) -> None:
    tenant_id = demo["demo"]
    async with pool.acquire() as first, pool.acquire() as second:
        first_tx, second_tx = first.transaction(), second.transaction()
        await first_tx.start()
        await second_tx.start()
        await set_scope(first, tenant_id=tenant_id)
        await set_scope(second, tenant_id=tenant_id)
        sent_first = await deadlines.send_notices(first, tenant_id=tenant_id, due_soon_days=7)
        racing = asyncio.create_task(deadlines.send_notices(second, tenant_id=tenant_id, due_soon_days=7))
        async with asyncio.timeout(30):
            while not await _waits_on_a_lock(admin_conn, second.get_server_pid()):  # noqa: ASYNC110  (polled)
                await asyncio.sleep(0.01)
        await first_tx.commit()
        sent_second = await asyncio.wait_for(racing, timeout=30)
        await second_tx.commit()
    assert sent_first >= 3
    assert await _notices(admin_conn, items) == [
        (0, "ledger_item.due_soon.v1"),
        (1, "ledger_item.overdue.v1"),
        (4, "ledger_item.due_soon.v1"),
    ]
    assert sent_second == 0  # it waited for the first's notices, then found them sent

    # A restarted job (a fresh run over every tenant) finds them sent.
    await deadlines.send_all_notices(pool, due_soon_days=7)
    assert len(await _notices(admin_conn, items)) == 3


async def test_a_new_due_date_re_arms_the_notices(
    pool: asyncpg.Pool, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], items: list[uuid.UUID]
) -> None:
    await deadlines.send_all_notices(pool, due_soon_days=7)
    admin_id = await admin_conn.fetchval("SELECT id FROM accounts WHERE login = 'alliance-admin'")
    admin = Principal(
        account_id=admin_id,
        login="alliance-admin",
        tenant_id=demo["demo"],
        tenant_slug="demo",
        roles=frozenset({"alliance_admin"}),
    )
    async with pool.acquire() as conn, conn.transaction():
        await set_scope(conn, tenant_id=demo["demo"], account_id=admin_id)
        # The overdue item gets five more days: due soon again; the far one becomes overdue.
        await transitions.change_due_date(
            conn, actor=admin, item_id=items[1], due_date=local_today() + dt.timedelta(days=5), reason="延期"
        )
        await transitions.change_due_date(
            conn, actor=admin, item_id=items[2], due_date=local_today() - dt.timedelta(days=1), reason="提前"
        )
    await deadlines.send_all_notices(pool, due_soon_days=7)
    await deadlines.send_all_notices(pool, due_soon_days=7)
    assert await _notices(admin_conn, items) == [
        (0, "ledger_item.due_soon.v1"),
        (1, "ledger_item.due_soon.v1"),
        (1, "ledger_item.overdue.v1"),
        (2, "ledger_item.overdue.v1"),
        (4, "ledger_item.due_soon.v1"),
    ]


async def test_the_job_runs_and_stops(
    settings: object, admin_conn: asyncpg.Connection, items: list[uuid.UUID]
) -> None:
    """The job as ``alliance worker ledger-deadlines`` runs it: it sends, then stops when asked."""
    stop = asyncio.Event()
    job = asyncio.create_task(deadlines.run_deadlines(settings, stop))  # type: ignore[arg-type]
    async with asyncio.timeout(30):
        while len(await _notices(admin_conn, items)) < 3:  # noqa: ASYNC110  (polled: the job's first round)
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(job, timeout=30)
    assert len(await _notices(admin_conn, items)) == 3
