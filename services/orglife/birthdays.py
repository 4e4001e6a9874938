"""Political birthdays (政治生日): the anniversary of joining the Party, once per member and year.

The ``orglife-birthdays`` job looks at every tenant every few minutes. In one transaction it
inserts a claim row per member whose anniversary is today (29 February counts on 28 February
in other years) and records ``member.political_birthday`` for each claim it made: the claim's
primary key (tenant, member, year) is what makes it exactly once, whatever the number of
replicas (a second one waits on the first's uncommitted rows, then skips them) and across
restarts (the rows are there). Notices then go out through the sender, claim by claim with
``FOR UPDATE SKIP LOCKED`` so that two replicas never send the same one, and are marked sent;
a failed send stays unsent and is tried again on the next round. Opted-out members get no
claim and no notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from dataclasses import replace
from typing import cast

import asyncpg

from services.core.db import create_pool
from services.core.errors import BadUserInput
from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.events.changes import SystemActor, record_change
from services.orglife.access import ReadScope, audit_reads
from services.orglife.events import MemberPoliticalBirthday
from services.orglife.members import ENTITY
from services.orglife.models import UpcomingBirthday
from services.orglife.senders import BirthdayNotice, NoticeSender, SendFailed, sender_from_settings

log = logging.getLogger(__name__)

ACTOR_LOGIN = "orglife-birthdays"
INTERVAL_SECONDS = 300.0
MAX_DAYS = 366

# Today's anniversaries of members still here and not opted out.
_CLAIM = """
INSERT INTO political_birthday_claims (tenant_id, member_id, year)
SELECT m.tenant_id, m.id, extract(year FROM $1::date)::integer
FROM party_members m
WHERE m.left_on IS NULL AND NOT m.birthday_opt_out AND m.joined_on < $1
  AND orglife_anniversary(m.joined_on, extract(year FROM $1::date)::integer) = $1
ON CONFLICT DO NOTHING
RETURNING member_id, year
"""


async def claim_birthdays(conn: asyncpg.Connection, *, tenant_id: uuid.UUID, on: dt.date) -> int:
    """Claim today's birthdays and record their events, in the caller's transaction."""
    claimed = await conn.fetch(_CLAIM, on)
    if not claimed:
        return 0
    rows = await conn.fetch(
        "SELECT id, organization_id, status, joined_on FROM party_members WHERE id = ANY($1::uuid[])",
        [row["member_id"] for row in claimed],
    )
    actor = SystemActor(tenant_id=tenant_id, login=ACTOR_LOGIN)
    for row in rows:
        event = MemberPoliticalBirthday(
            id=str(row["id"]),
            organization_id=str(row["organization_id"]),
            status=row["status"],
            year=on.year,
            years=on.year - row["joined_on"].year,
        )
        await record_change(conn, actor, event)
    return len(claimed)


async def send_one(conn: asyncpg.Connection, *, tenant_id: uuid.UUID, sender: NoticeSender) -> bool:
    """Send one unsent notice, in the caller's transaction; False when none is left."""
    row = await conn.fetchrow(
        """
        SELECT c.member_id, c.year, m.name, m.phone, m.joined_on FROM political_birthday_claims c
        JOIN party_members m ON m.id = c.member_id
        WHERE c.sent_at IS NULL ORDER BY c.claimed_at LIMIT 1 FOR UPDATE OF c SKIP LOCKED
        """
    )
    if row is None:
        return False
    await sender.send(
        BirthdayNotice(
            tenant_id=tenant_id,
            member_id=row["member_id"],
            name=row["name"],
            phone=row["phone"],
            joined_on=row["joined_on"],
            year=row["year"],
            years=row["year"] - row["joined_on"].year,
        )
    )
    await conn.execute(
        "UPDATE political_birthday_claims SET sent_at = now() WHERE member_id = $1 AND year = $2",
        row["member_id"],
        row["year"],
    )
    return True


async def run_once(pool: asyncpg.Pool, *, sender: NoticeSender, on: dt.date | None = None) -> int:
    """One round over every tenant: claim, then send; how many were claimed."""
    claimed = 0
    async with pool.acquire() as conn:
        tenants = [row["id"] for row in await conn.fetch("SELECT id FROM alliances ORDER BY id")]
    for tenant_id in tenants:
        async with pool.acquire() as proxy, proxy.transaction():
            scoped = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
            await set_scope(scoped, tenant_id=tenant_id)
            day = on or await scoped.fetchval("SELECT orglife_today()")
            claimed += await claim_birthdays(scoped, tenant_id=tenant_id, on=day)
        while True:
            try:
                async with pool.acquire() as proxy, proxy.transaction():
                    scoped = cast(asyncpg.Connection, proxy)
                    await set_scope(scoped, tenant_id=tenant_id)
                    if not await send_one(scoped, tenant_id=tenant_id, sender=sender):
                        break
            except SendFailed as exc:
                log.warning("political-birthday notice not sent, trying later: %r", exc)
                break
    return claimed


async def run_birthdays(settings: Settings, stop: asyncio.Event) -> None:
    """The ``orglife-birthdays`` job (daily in effect: a claim per member and year)."""
    pool = await create_pool(replace(settings, db_pool_min=1, db_pool_max=2))
    sender = sender_from_settings(settings)
    try:
        while not stop.is_set():
            try:
                await run_once(pool, sender=sender)
            except (OSError, asyncpg.PostgresError):
                log.exception("political birthdays failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
    finally:
        await pool.close()


async def upcoming(
    conn: asyncpg.Connection, *, actor: Principal, from_: dt.date, to: dt.date
) -> list[UpcomingBirthday]:
    """``politicalBirthdays(from, to)``: anniversaries in the window, for admins; audited as
    member reads are."""
    if to < from_:
        raise BadUserInput("to must not be before from", field="to")
    if (to - from_).days > MAX_DAYS:
        raise BadUserInput(f"at most {MAX_DAYS} days at once", field="to")
    scope = await ReadScope.of(conn, actor)
    rows = await conn.fetch(
        """
        SELECT m.id AS member_id, m.organization_id, m.name, m.joined_on, m.birthday_opt_out,
               orglife_anniversary(m.joined_on, y) AS on
        FROM party_members m
        CROSS JOIN generate_series(extract(year FROM $1::date)::integer,
                                   extract(year FROM $2::date)::integer) AS y
        WHERE m.left_on IS NULL AND ($3::boolean OR m.organization_id = ANY($4::uuid[]))
          AND orglife_anniversary(m.joined_on, y) BETWEEN $1 AND $2
          AND orglife_anniversary(m.joined_on, y) > m.joined_on
        ORDER BY 6, m.id
        """,
        from_,
        to,
        scope.sees_all,
        scope.subtree,
    )
    found = [
        UpcomingBirthday(
            member_id=row["member_id"],
            organization_id=row["organization_id"],
            name=row["name"],
            on=row["on"],
            years=row["on"].year - row["joined_on"].year,
            opted_out=row["birthday_opt_out"],
        )
        for row in rows
    ]
    await audit_reads(
        conn,
        actor=actor,
        scope=scope,
        entity_type=ENTITY,
        read=((b.member_id, b.organization_id) for b in found),
    )
    return found
