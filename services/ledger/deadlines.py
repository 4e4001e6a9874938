"""Deadline notices (时间节点提醒): ``ledger_item.due_soon`` and ``ledger_item.overdue``, each
exactly once per item and due date.

A background job (``ledger-deadlines``, run by ``alliance worker`` or inside ``alliance
serve``) looks at every tenant's open items once a minute. For each item due within
``LEDGER_DUE_SOON_DAYS`` (or past due) it inserts a notice row keyed by (item, kind, due-date
revision) and records the event in the same transaction. The key is what makes it exactly
once: a second replica running at the same moment waits on the first's uncommitted row and
then skips it; a restarted job finds the rows already there; a job that dies before commit
leaves neither row nor event. Changing an item's due date bumps its revision, which re-arms
both notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import replace
from typing import cast

import asyncpg

from services.core.db import create_pool
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.events.changes import SystemActor, record_change
from services.ledger.events import LedgerItemDueSoon, LedgerItemOverdue
from services.ledger.rows import COLUMNS, item_from_record

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60.0
BATCH = 500
ACTOR_LOGIN = "ledger-deadlines"

# Open items due within $1 days (or past due) whose notice of that kind and revision is not
# sent yet; an item seen first when already overdue gets the overdue notice only.
_CLAIM = """
INSERT INTO ledger_deadline_notices (tenant_id, item_id, kind, due_revision, due_date)
SELECT i.tenant_id, i.id, CASE WHEN i.due_date < ledger_today() THEN 'OVERDUE' ELSE 'DUE_SOON' END,
       i.due_revision, i.due_date
FROM ledger_items i
WHERE i.status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED') AND i.due_date <= ledger_today() + $1::integer
  AND NOT EXISTS (
      SELECT 1 FROM ledger_deadline_notices n
      WHERE n.item_id = i.id AND n.due_revision = i.due_revision
        AND n.kind = CASE WHEN i.due_date < ledger_today() THEN 'OVERDUE' ELSE 'DUE_SOON' END)
ORDER BY i.due_date, i.id
LIMIT $2
ON CONFLICT DO NOTHING
RETURNING item_id, kind
"""


async def send_notices(conn: asyncpg.Connection, *, tenant_id: uuid.UUID, due_soon_days: int) -> int:
    """One batch of one tenant's notices, in the caller's transaction; how many were sent."""
    claimed = await conn.fetch(_CLAIM, due_soon_days, BATCH)
    if not claimed:
        return 0
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM ledger_items i WHERE i.id = ANY($1::uuid[])", [r["item_id"] for r in claimed]
    )
    items = {row["id"]: item_from_record(row) for row in rows}
    actor = SystemActor(tenant_id=tenant_id, login=ACTOR_LOGIN)
    for notice in claimed:
        event = LedgerItemOverdue if notice["kind"] == "OVERDUE" else LedgerItemDueSoon
        await record_change(conn, actor, event.of(items[notice["item_id"]]))
    return len(claimed)


async def send_all_notices(pool: asyncpg.Pool, *, due_soon_days: int) -> int:
    """Every tenant's pending notices, one transaction per tenant and batch."""
    sent = 0
    async with pool.acquire() as conn:
        tenants = [row["id"] for row in await conn.fetch("SELECT id FROM alliances ORDER BY id")]
    for tenant_id in tenants:
        while True:
            async with pool.acquire() as proxy, proxy.transaction():
                scoped = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
                await set_scope(scoped, tenant_id=tenant_id)
                batch = await send_notices(scoped, tenant_id=tenant_id, due_soon_days=due_soon_days)
            sent += batch
            if batch < BATCH:
                break
    return sent


async def run_deadlines(settings: Settings, stop: asyncio.Event) -> None:
    """The ``ledger-deadlines`` job: send pending notices every minute until ``stop`` is set."""
    pool = await create_pool(replace(settings, db_pool_min=1, db_pool_max=2))
    try:
        while not stop.is_set():
            try:
                sent = await send_all_notices(pool, due_soon_days=settings.ledger_due_soon_days)
                if sent:
                    log.info("ledger deadline notices sent: %d", sent)
            except (OSError, asyncpg.PostgresError):
                log.exception("ledger deadline notices failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
    finally:
        await pool.close()
