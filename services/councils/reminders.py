"""Meeting reminders (会议提醒): ``meeting.reminder`` events before each meeting's start.

The ``council-reminders`` background job looks for due reminders every few seconds. Several
replicas may run it at once: a reminder is claimed by inserting its row (meeting, offset) in
the same transaction as its event, so a second replica's insert waits for the first and then
does nothing, and each reminder goes out exactly once, whichever replica sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from typing import cast

import asyncpg

from services.core.db import create_pool
from services.core.records import from_record
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.councils.events import MeetingReminder
from services.councils.meetings import COLUMNS
from services.councils.models import Meeting
from services.events.changes import SystemActor, record_change

log = logging.getLogger(__name__)

REMINDER_LOGIN = "council-reminders"
INTERVAL_SECONDS = 15.0

# Claims the due reminders of the tenant in scope: a reminder is due from ``offset`` minutes
# before the start until the start. Already claimed ones are skipped without waiting; a claim
# in flight in another replica makes this insert wait for it, then do nothing.
_CLAIM = f"""
WITH due AS (
    SELECT mt.id, o.offset_minutes
    FROM council_meetings mt, unnest(mt.reminder_minutes) AS o (offset_minutes)
    WHERE mt.status = 'SCHEDULED' AND mt.starts_at > $1
      AND mt.starts_at - make_interval(mins => o.offset_minutes) <= $1
      AND NOT EXISTS (SELECT 1 FROM council_meeting_reminders r
                      WHERE r.meeting_id = mt.id AND r.offset_minutes = o.offset_minutes)
), claimed AS (
    INSERT INTO council_meeting_reminders (tenant_id, meeting_id, offset_minutes)
    SELECT $2, id, offset_minutes FROM due
    ON CONFLICT DO NOTHING
    RETURNING meeting_id, offset_minutes
)
SELECT {COLUMNS}, c.public AS council_public, claimed.offset_minutes
FROM claimed JOIN council_meetings mt ON mt.id = claimed.meeting_id JOIN councils c ON c.id = mt.council_id
ORDER BY mt.starts_at, claimed.offset_minutes
"""


async def send_due_reminders(conn: asyncpg.Connection, *, tenant_id: uuid.UUID, now: dt.datetime) -> int:
    """Claim and announce the tenant's due reminders, in the caller's transaction; how many."""
    await set_scope(conn, tenant_id=tenant_id)
    actor = SystemActor(tenant_id=tenant_id, login=REMINDER_LOGIN)
    rows = await conn.fetch(_CLAIM, now, tenant_id)
    for row in rows:
        meeting = from_record(Meeting, row)
        event = MeetingReminder.of(
            meeting, council_public=row["council_public"], offset_minutes=row["offset_minutes"]
        )
        await record_change(conn, actor, event, after={"offsetMinutes": row["offset_minutes"]})
    return len(rows)


async def send_all_due_reminders(pool: asyncpg.Pool, *, now: dt.datetime | None = None) -> int:
    """One pass over every tenant, one transaction each."""
    at = now or dt.datetime.now(dt.UTC)
    sent = 0
    async with pool.acquire() as reader:
        tenants = [row["id"] for row in await reader.fetch("SELECT id FROM alliances ORDER BY id")]
    for tenant_id in tenants:
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
            sent += await send_due_reminders(conn, tenant_id=tenant_id, now=at)
    return sent


async def run_reminders(settings: Settings, stop: asyncio.Event) -> None:
    """The ``council-reminders`` job: a pass every few seconds until ``stop`` is set."""
    pool = await create_pool(settings)
    try:
        while not stop.is_set():
            try:
                await send_all_due_reminders(pool)
            except (OSError, asyncpg.PostgresError):
                log.exception("a reminder pass failed; the next one retries")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
    finally:
        await pool.close()
