"""Compliance (七项制度 "regularly and to standard"): sessions held against sessions due.

The tenant sets how often each kind is due (``organisational_life_requirements``). A branch
is any organisation with members in the year. "Due" counts the periods that have ended by
today (a whole past year), times the required number; a branch that held fewer is behind and
gets a PROBLEM in the ledger with source ``INSPECTION`` (督查), through the ledger's declared
interface: once per branch, year and kind (the ledger's unique key is the last word).
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
from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.directory.reads import Role, managed_subtree
from services.events.changes import Actor, SystemActor, record_change
from services.ledger.intake import SourcedTask, open_sourced_tasks
from services.orglife.events import RequirementSet
from services.orglife.members import today
from services.orglife.models import LifeFigure, LifeKind, Period, Requirement

log = logging.getLogger(__name__)

ACTOR_LOGIN = "orglife-compliance"
# The requirement that holds for each kind: the newest one set.
_CURRENT = """
SELECT DISTINCT ON (kind) kind, period, times FROM organisational_life_requirements
ORDER BY kind, set_at DESC, id DESC
"""
INTERVAL_SECONDS = 3600.0
PROBLEM_DUE_DAYS = 30
# The common defaults the demo uses (and a new tenant may copy).
DEFAULT_REQUIREMENTS = (
    Requirement(LifeKind.BRANCH_COMMITTEE, Period.MONTH, 1),
    Requirement(LifeKind.PARTY_GROUP, Period.MONTH, 1),
    Requirement(LifeKind.BRANCH_GENERAL_MEETING, Period.QUARTER, 1),
    Requirement(LifeKind.PARTY_LECTURE, Period.QUARTER, 1),
    Requirement(LifeKind.MEMBER_EVALUATION, Period.YEAR, 1),
)
_PERIODS_PER_YEAR = {Period.MONTH: 12, Period.QUARTER: 4, Period.YEAR: 1}
KIND_NAMES = {
    LifeKind.BRANCH_GENERAL_MEETING: "党员大会",
    LifeKind.BRANCH_COMMITTEE: "支委会",
    LifeKind.PARTY_GROUP: "党小组会",
    LifeKind.PARTY_LECTURE: "党课",
    LifeKind.THEMED_PARTY_DAY: "主题党日",
    LifeKind.DEMOCRATIC_LIFE: "组织生活会",
    LifeKind.MEMBER_EVALUATION: "民主评议党员",
}


def periods_ended(period: str, year: int, on: dt.date) -> int:
    """How many of the year's periods have ended by ``on``."""
    if year < on.year:
        return _PERIODS_PER_YEAR[Period(period)]
    if year > on.year:
        return 0
    months = on.month - 1
    return {Period.MONTH: months, Period.QUARTER: months // 3, Period.YEAR: 0}[Period(period)]


async def set_requirement(
    conn: asyncpg.Connection, *, actor: Actor, kind: str, period: str, times: int
) -> Requirement:
    """How often a kind of session is due in this alliance (组织生活频次要求)."""
    if kind not in LifeKind.__members__:
        raise BadUserInput("unknown kind of session", field="kind")
    if period not in Period.__members__:
        raise BadUserInput("period must be MONTH, QUARTER or YEAR", field="period")
    if not 1 <= times <= 31:
        raise BadUserInput("times must be 1–31", field="times")
    before = await conn.fetchrow(f"SELECT period, times FROM ({_CURRENT}) r WHERE kind = $1", kind)
    await conn.execute(
        "INSERT INTO organisational_life_requirements (tenant_id, kind, period, times)"
        " VALUES ($1, $2, $3, $4)",
        actor.tenant_id,
        kind,
        period,
        times,
    )
    await record_change(
        conn,
        actor,
        RequirementSet(kind=kind, period=period, times=times),
        before=dict(before) if before else None,
        after={"period": period, "times": times},
    )
    return Requirement(kind, period, times)


async def requirements(conn: asyncpg.Connection) -> list[Requirement]:
    rows = await conn.fetch(f"SELECT kind, period, times FROM ({_CURRENT}) r ORDER BY kind")
    return [Requirement(row["kind"], row["period"], row["times"]) for row in rows]


_FIGURES = f"""
WITH branches AS (
    SELECT DISTINCT m.organization_id FROM party_memberships m
    WHERE m.from_on <= $2 AND (m.to_on IS NULL OR m.to_on > $1)
      AND ($3::boolean OR m.organization_id = ANY($4::uuid[]))
)
SELECT b.organization_id, r.kind, r.period, r.times,
       count(DISTINCT l.id) AS held,
       count(a.member_id) FILTER (WHERE a.present) AS present,
       count(a.member_id) FILTER (WHERE NOT a.present) AS absent
FROM branches b
CROSS JOIN ({_CURRENT}) r
LEFT JOIN organisational_life_records l
       ON l.organization_id = b.organization_id AND l.kind = r.kind AND l.held_on BETWEEN $1 AND $2
LEFT JOIN organisational_life_attendance a ON a.record_id = l.id
GROUP BY b.organization_id, r.kind, r.period, r.times
ORDER BY b.organization_id, r.kind
"""


async def figures_for(
    conn: asyncpg.Connection, *, year: int, organization_ids: list[uuid.UUID] | None, on: dt.date
) -> list[LifeFigure]:
    """Held against due per branch and kind; ``None`` for every branch."""
    rows = await conn.fetch(
        _FIGURES, dt.date(year, 1, 1), dt.date(year, 12, 31), organization_ids is None, organization_ids or []
    )
    return [
        LifeFigure(
            organization_id=row["organization_id"],
            kind=row["kind"],
            held=row["held"],
            due=periods_ended(row["period"], year, on) * row["times"],
            due_for_year=_PERIODS_PER_YEAR[Period(row["period"])] * row["times"],
            present=row["present"],
            absent=row["absent"],
        )
        for row in rows
    ]


async def life_figures(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    year: int,
    organization_id: uuid.UUID | None,
    include_descendants: bool,
) -> list[LifeFigure]:
    """``organisationalLifeFigures``: the branches the caller may see, under ``organization_id``."""
    if not 1900 <= year <= 2200:
        raise BadUserInput("year out of range", field="year")
    sees_all = bool({Role.ALLIANCE_ADMIN, Role.AUDITOR, Role.PARTNER} & actor.roles)
    reach: set[uuid.UUID] | None = None
    if not sees_all:
        managed = actor.managed_organization_ids if Role.ORG_ADMIN in actor.roles else frozenset()
        reach = await managed_subtree(conn, organization_ids=managed) if managed else set()
    wanted: set[uuid.UUID] | None = reach
    if organization_id is not None:
        if not await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)", organization_id
        ):
            raise NotFound("no such organization")
        asked = (
            await managed_subtree(conn, organization_ids=[organization_id])
            if include_descendants
            else {organization_id}
        )
        wanted = asked if reach is None else asked & reach
    return await figures_for(
        conn, year=year, organization_ids=None if wanted is None else sorted(wanted), on=await today(conn)
    )


async def open_compliance_problems(conn: asyncpg.Connection, *, tenant_id: uuid.UUID) -> int:
    """Ledger PROBLEMs for every branch behind this year; how many shortfalls were found."""
    on = await today(conn)
    behind = [f for f in await figures_for(conn, year=on.year, organization_ids=None, on=on) if f.behind]
    by_branch: dict[uuid.UUID, list[LifeFigure]] = {}
    for figure in behind:
        by_branch.setdefault(figure.organization_id, []).append(figure)
    actor = SystemActor(tenant_id=tenant_id, login=ACTOR_LOGIN)
    for branch, shortfalls in by_branch.items():
        parent = await conn.fetchval(
            "SELECT coalesce(parent_id, id) FROM organizations WHERE id = $1", branch
        )
        tasks = [
            SourcedTask(
                key=f"{on.year}-{f.kind}",
                title=f"组织生活未按期开展：{KIND_NAMES[LifeKind(f.kind)]} (held {f.held} of {f.due} due)",
                responsible_organization_id=branch,
                due_date=on + dt.timedelta(days=PROBLEM_DUE_DAYS),
                description=f"{on.year}年{KIND_NAMES[LifeKind(f.kind)]}应开{f.due}次，实开{f.held}次。",
            )
            for f in shortfalls
        ]
        await open_sourced_tasks(
            conn,
            actor=actor,
            source="INSPECTION",
            source_id=branch,
            assigning_organization_id=parent,
            tasks=tasks,
            ledger_list="PROBLEM",
        )
    return len(behind)


async def check_all(pool: asyncpg.Pool) -> int:
    """Every tenant's compliance check, one transaction per tenant."""
    found = 0
    async with pool.acquire() as conn:
        tenants = [row["id"] for row in await conn.fetch("SELECT id FROM alliances ORDER BY id")]
    for tenant_id in tenants:
        async with pool.acquire() as proxy, proxy.transaction():
            scoped = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
            await set_scope(scoped, tenant_id=tenant_id)
            found += await open_compliance_problems(scoped, tenant_id=tenant_id)
    return found


async def run_compliance(settings: Settings, stop: asyncio.Event) -> None:
    """The ``orglife-compliance`` job: check every tenant hourly (the ledger keeps items once)."""
    pool = await create_pool(replace(settings, db_pool_min=1, db_pool_max=2))
    try:
        while not stop.is_set():
            try:
                await check_all(pool)
            except (OSError, asyncpg.PostgresError):
                log.exception("organisational-life compliance check failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
    finally:
        await pool.close()
