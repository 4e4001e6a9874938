"""Demo data: a year's ledger for the demo tenant's street committee and its two communities.

Items in every status (some overdue), a problem signed off through the task that answers it,
and two responsibility letters: one signed (签订), one waiting.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import asyncpg

STREET, GARDEN, RIVERSIDE = "东城街道党工委", "花园社区党委", "滨河社区党支部"


@dataclass(frozen=True, slots=True)
class _Item:
    key: str
    list: str
    org: str
    title: str
    due_in_days: int
    status: str
    source: str = "PLAN"
    percent: int = 0
    holder_role: str | None = None
    answers: str | None = None


_ITEMS = [
    _Item("p1", "PROBLEM", GARDEN, "社区党员活动阵地面积不足", -40, "SIGNED_OFF", "REVIEW", 100),
    _Item("t1", "TASK", GARDEN, "与驻区单位共建共享党员活动室", -45, "SIGNED_OFF", percent=100, answers="p1"),
    _Item("t2", "TASK", RIVERSIDE, "开展党员冬训专题学习", -10, "IN_PROGRESS", percent=60),
    _Item("t3", "TASK", GARDEN, "老旧小区加装电梯议事协商", -3, "OPEN"),
    _Item("p2", "PROBLEM", STREET, "两新组织党的组织覆盖不全", 30, "OPEN", "INSPECTION"),
    _Item("t4", "TASK", STREET, "向两新组织选派党建指导员", 5, "SUBMITTED", percent=100, answers="p2"),
    _Item("t5", "TASK", RIVERSIDE, "社区志愿服务积分制试点", 20, "CANCELLED"),
    _Item(
        "r1", "RESPONSIBILITY", GARDEN, "落实党建工作第一责任人职责", 60, "OPEN", holder_role="社区党委书记"
    ),
    _Item(
        "r2",
        "RESPONSIBILITY",
        RIVERSIDE,
        "落实意识形态工作责任制",
        60,
        "IN_PROGRESS",
        percent=30,
        holder_role="社区党支部书记",
    ),
]


async def seed_ledger(conn: asyncpg.Connection) -> bool:
    """Load the ledger's demo data unless tenant ``demo`` has ledger items; say whether it loaded."""
    async with conn.transaction():
        tenant_id = await conn.fetchval("SELECT id FROM alliances WHERE slug = 'demo'")
        if tenant_id is None or await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM ledger_items WHERE tenant_id = $1)", tenant_id
        ):
            return False
        await _seed(conn, tenant_id)
    return True


async def _org(conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    found = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    assert found is not None, name
    return uuid.UUID(str(found))


async def _seed(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    district = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND parent_id IS NULL ORDER BY id LIMIT 1",
        tenant_id,
    )
    street = await _org(conn, tenant_id, STREET)
    ids: dict[str, uuid.UUID] = {}
    for item in _ITEMS:
        org = await _org(conn, tenant_id, item.org)
        assigner = district if item.org == STREET else street
        due = today + dt.timedelta(days=item.due_in_days)
        done = item.status == "SIGNED_OFF"
        ids[item.key] = await conn.fetchval(
            """
            INSERT INTO ledger_items (tenant_id, list, organization_id, assigning_organization_id, year,
                                      title, source, responsible_organization_id, responsible_person,
                                      holder_role,
                                      due_date, status, percent, evidence, submitted_at, signed_off_at,
                                      cancelled_at, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $3, $8, $9, $10, $11, $12,
                    CASE WHEN $11 IN ('SUBMITTED', 'SIGNED_OFF') THEN '已完成，见佐证材料' END,
                    CASE WHEN $11 IN ('SUBMITTED', 'SIGNED_OFF') THEN $13::timestamptz END,
                    CASE WHEN $11 = 'SIGNED_OFF' THEN $13::timestamptz END,
                    CASE WHEN $11 = 'CANCELLED' THEN now() END,
                    now() - interval '90 days')
            RETURNING id
            """,
            tenant_id,
            item.list,
            org,
            assigner,
            today.year,
            item.title,
            item.source,
            "王书记" if item.list != "RESPONSIBILITY" else None,
            item.holder_role,
            due,
            item.status,
            item.percent,
            dt.datetime.combine(due - dt.timedelta(days=2), dt.time(10), ZoneInfo("Asia/Shanghai"))
            if done
            else dt.datetime.now(dt.UTC),
        )
        await conn.execute(
            "INSERT INTO ledger_item_steps (tenant_id, item_id, action, status, due_date, actor_login, at)"
            " VALUES ($1, $2, 'CREATED', 'OPEN', $3, 'demo-seed', now() - interval '90 days')",
            tenant_id,
            ids[item.key],
            due,
        )
        if item.status != "OPEN":
            action = {"IN_PROGRESS": "PROGRESSED", "SUBMITTED": "SUBMITTED", "SIGNED_OFF": "SIGNED_OFF"}.get(
                item.status, "CANCELLED"
            )
            await conn.execute(
                "INSERT INTO ledger_item_steps (tenant_id, item_id, action, status, percent, actor_login)"
                " VALUES ($1, $2, $3, $4, $5, 'demo-seed')",
                tenant_id,
                ids[item.key],
                action,
                item.status,
                item.percent,
            )
        if item.answers:
            await conn.execute(
                "INSERT INTO ledger_item_answers (tenant_id, task_id, problem_id) VALUES ($1, $2, $3)",
                tenant_id,
                ids[item.key],
                ids[item.answers],
            )
    for org_name, item_key, signed in ((GARDEN, "r1", True), (RIVERSIDE, "r2", False)):
        letter_id = await conn.fetchval(
            """
            INSERT INTO responsibility_letters (tenant_id, issuer_organization_id, organization_id, year,
                                                issued_by_login, acknowledged_by_login, acknowledged_at)
            VALUES ($1, $2, $3, $4, 'street-admin',
                    CASE WHEN $5 THEN 'demo-seed' END, CASE WHEN $5 THEN now() END)
            RETURNING id
            """,
            tenant_id,
            street,
            await _org(conn, tenant_id, org_name),
            today.year,
            signed,
        )
        await conn.execute(
            "INSERT INTO responsibility_letter_items (tenant_id, letter_id, item_id) VALUES ($1, $2, $3)",
            tenant_id,
            letter_id,
            ids[item_key],
        )
