"""Demo data: members in three branches, a year of sessions (one branch behind, so its ledger
PROBLEM exists), the common required frequencies, a political birthday today, a criteria
catalogue with ratings of the private firm and the social organisation, one demonstration site,
and one transfer within the district waiting for approval."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.core.tenancy import set_scope
from services.events.changes import SystemActor
from services.orglife.birthdays import claim_birthdays
from services.orglife.compliance import DEFAULT_REQUIREMENTS, open_compliance_problems
from services.orglife.rating import (
    define_criterion,
    mark_demonstration_site,
    rate_organization,
    set_thresholds,
)
from services.orglife.transfers import REPORT_WITHIN_DAYS

GARDEN, RIVERSIDE, PRIVATE = "花园社区党委", "滨河社区党支部", "新华科技有限公司党支部"
SOCIAL = "阳光社会工作服务中心党支部"
# (code, name, weight, maximum score): a common shape of 两新组织 星级创评 criteria.
_CRITERIA = [
    ("ORGANIZATION", "组织建设", 30, 100),
    ("ACTIVITIES", "组织生活", 25, 100),
    ("MEMBERS", "党员教育管理", 20, 100),
    ("ROLE", "发挥作用", 25, 100),
]
_SCORES = {PRIVATE: [92, 88, 85, 90], SOCIAL: [75, 70, 80, 72]}
_MEMBERS = {
    GARDEN: ["张建国", "李秀英", "王志强", "赵丽华"],
    RIVERSIDE: ["刘洋", "陈静", "杨帆", "黄磊"],
    PRIVATE: ["周杰", "吴敏", "郑浩", "孙倩"],
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def seed_orglife(conn: asyncpg.Connection) -> bool:
    """Load the demo unless tenant ``demo`` has members; say whether it loaded."""
    async with conn.transaction():
        tenant_id = await conn.fetchval("SELECT id FROM alliances WHERE slug = 'demo'")
        if tenant_id is None or await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM party_members WHERE tenant_id = $1)", tenant_id
        ):
            return False
        await set_scope(conn, tenant_id=tenant_id)
        await _seed(conn, tenant_id)
    return True


async def _seed(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    today: dt.date = await conn.fetchval("SELECT orglife_today()")
    member_account = await conn.fetchval(
        "SELECT id FROM accounts WHERE home_tenant_id = $1 AND login = 'member'", tenant_id
    )
    for requirement in DEFAULT_REQUIREMENTS:
        await conn.execute(
            "INSERT INTO organisational_life_requirements (tenant_id, kind, period, times)"
            " VALUES ($1, $2, $3, $4)",
            tenant_id,
            requirement.kind.value if hasattr(requirement.kind, "value") else requirement.kind,
            str(requirement.period),
            requirement.times,
        )
    branch_members: dict[uuid.UUID, list[uuid.UUID]] = {}
    for branch_name, names in _MEMBERS.items():
        branch = await conn.fetchval(
            "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, branch_name
        )
        ids: list[uuid.UUID] = []
        for n, name in enumerate(names):
            # The garden's first member joined on this day years ago: a political birthday today.
            joined = (
                _years_before(today, 10)
                if branch_name == GARDEN and n == 0
                else dt.date(2000 + 3 * n, 3 + n, 12)
            )
            full = None if n == 3 else joined + dt.timedelta(days=366)
            member_id = await conn.fetchval(
                "INSERT INTO party_members (tenant_id, organization_id, name, joined_on, full_member_on,"
                " phone, account_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                tenant_id,
                branch,
                name,
                joined,
                full,
                f"1380000{len(ids):02d}{n:02d}",
                member_account if branch_name == GARDEN and n == 1 else None,
            )
            await conn.execute(
                "INSERT INTO party_memberships (tenant_id, member_id, organization_id, from_on)"
                " VALUES ($1, $2, $3, $4)",
                tenant_id,
                member_id,
                branch,
                joined,
            )
            ids.append(member_id)
        branch_members[branch] = ids
        behind = branch_name == RIVERSIDE
        for month in range(1, today.month):
            kinds = (
                ["BRANCH_COMMITTEE"]
                if behind and month % 2
                else []
                if behind
                else ["BRANCH_COMMITTEE", "PARTY_GROUP"]
            )
            if month % 3 == 0:
                kinds += ["BRANCH_GENERAL_MEETING", "PARTY_LECTURE"]
            for kind in kinds:
                await _session(conn, tenant_id, branch, kind, dt.date(today.year, month, 15), ids)
    await open_compliance_problems(conn, tenant_id=tenant_id)
    await claim_birthdays(conn, tenant_id=tenant_id, on=today)
    await _ratings(conn, tenant_id, today)
    await _transfer(conn, tenant_id, today)


async def _transfer(conn: asyncpg.Connection, tenant_id: uuid.UUID, today: dt.date) -> None:
    """A riverside member moving to the private firm's branch (组织关系转接), requested, not yet
    approved; within the district, as the receiving branch has a credit code."""
    member = await conn.fetchrow(
        "SELECT m.id, m.organization_id, m.name, m.joined_on, m.full_member_on FROM party_members m"
        " JOIN organizations o ON o.id = m.organization_id WHERE o.tenant_id = $1 AND o.name = $2"
        " AND m.name = $3",
        tenant_id,
        RIVERSIDE,
        _MEMBERS[RIVERSIDE][2],
    )
    receiving = await conn.fetchrow(
        "SELECT id, credit_code FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, PRIVATE
    )
    assert member is not None and receiving is not None  # the directory demo and the members above
    await conn.execute(
        "INSERT INTO member_transfers (tenant_id, direction, member_id, organization_id,"
        " to_organization_id, to_tenant, to_credit_code, member_name, joined_on, member_status,"
        " full_member_on, letter_number, reason, report_by)"
        " VALUES ($1, 'OUT', $2, $3, $4, 'demo', $5, $6, $7, $8, $9, $10, '居住地变更', $11)",
        tenant_id,
        member["id"],
        member["organization_id"],
        receiving["id"],
        receiving["credit_code"],
        member["name"],
        member["joined_on"],
        "FULL" if member["full_member_on"] is not None else "PROBATIONARY",
        member["full_member_on"],
        f"东组转〔{today.year}〕1号",
        today + dt.timedelta(days=REPORT_WITHIN_DAYS),
    )


async def _ratings(conn: asyncpg.Connection, tenant_id: uuid.UUID, today: dt.date) -> None:
    actor = SystemActor(tenant_id=tenant_id, login="orglife-demo")
    await set_thresholds(conn, actor=actor, min_scores=[0, 60, 70, 80, 90])
    for code, name, weight, most in _CRITERIA:
        await define_criterion(conn, actor=actor, code=code, name=name, weight=weight, max_score=most)
    for org_name, scores in _SCORES.items():
        organization = await conn.fetchval(
            "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, org_name
        )
        if organization is None:
            continue  # a directory demo from before the social organisation was added
        await rate_organization(
            conn,
            actor=actor,
            organization_id=organization,
            year=today.year - 1,
            scores=[(code, float(score)) for (code, *_), score in zip(_CRITERIA, scores, strict=True)],
        )
    garden = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, GARDEN
    )
    await mark_demonstration_site(
        conn,
        actor=actor,
        organization_id=garden,
        brand_name="花园红色驿站",
        designated_on=today.replace(month=1, day=1),
    )


async def _session(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    branch: uuid.UUID,
    kind: str,
    on: dt.date,
    ids: list[uuid.UUID],
) -> None:
    record_id = await conn.fetchval(
        "INSERT INTO organisational_life_records (tenant_id, organization_id, kind, held_on, topic, place)"
        " VALUES ($1, $2, $3, $4, $5, '党员活动室') RETURNING id",
        tenant_id,
        branch,
        kind,
        on,
        f"{on.month}月 学习贯彻党的路线方针政策",
    )
    present, absent = ids[:-1], ids[-1:]
    await conn.execute(
        "INSERT INTO organisational_life_attendance"
        " (tenant_id, record_id, member_id, present, absence_reason)"
        " SELECT $1::uuid, $2::uuid, m, true, NULL FROM unnest($3::uuid[]) m"
        " UNION ALL SELECT $1::uuid, $2::uuid, m, false, '因公出差' FROM unnest($4::uuid[]) m",
        tenant_id,
        record_id,
        present,
        absent,
    )
