"""Demo data: the example catalogue of ten dimensions in both tenants; in ``demo`` a signed
agreement between the SOE and the street committee (three projects, milestones — some overdue —
contributions of every kind, both sides' evaluations) and a draft; in ``other`` an agreement
with the same SOE, so its staff see both districts in one query.

The ten dimensions are an example (the district's official list is not published): the
README marks them as editable data.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import asyncpg
import orjson

from services.cobuilding.models import MILESTONE_SOURCE
from services.events.changes import SystemActor
from services.ledger.intake import SourcedTask, open_sourced_tasks

DIMENSIONS = [
    ("ORGANIZATION", "组织联建", "党组织结对共建、联合主题党日"),
    ("MEMBERS", "党员联管", "在职党员到社区报到、双重管理"),
    ("ACTIVITIES", "活动联办", "联合开展党建、志愿和文化活动"),
    ("VENUES", "阵地联用", "党群服务阵地、活动场地互相开放"),
    ("RESOURCES", "资源联享", "资金、物资、信息等资源共享"),
    ("TALENT", "人才联育", "干部人才双向挂职、联合培训"),
    ("PROBLEMS", "难题联解", "基层治理难题共同协商解决"),
    ("CIVILITY", "文明联创", "文明城区、文明单位共同创建"),
    ("DEVELOPMENT", "发展联促", "企业发展与属地发展相互促进"),
    ("SERVICES", "服务联抓", "为民服务项目共同推进"),
]


async def _org(conn: asyncpg.Connection, tenant_id: uuid.UUID, kind: str, name_like: str = "%") -> uuid.UUID:
    found = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = $2 AND name LIKE $3 ORDER BY"
        " name LIMIT 1",
        tenant_id,
        kind,
        name_like,
    )
    assert found is not None, (kind, name_like)
    return uuid.UUID(str(found))


async def _agreement(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    *,
    enterprise: uuid.UUID,
    local: uuid.UUID,
    title: str,
    start: dt.date,
    end: dt.date,
    codes: list[str],
    dims: dict[str, uuid.UUID],
    signed: bool,
) -> uuid.UUID:
    agreement_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO cobuilding_agreements (tenant_id, enterprise_org_id, local_org_id) VALUES"
        " ($1, $2, $3) RETURNING id",
        tenant_id,
        enterprise,
        local,
    )
    await conn.execute(
        "INSERT INTO cobuilding_agreement_versions (tenant_id, agreement_id, version, title,"
        " start_date, end_date,"
        " created_by) VALUES ($1, $2, 1, $3, $4, $5, 'demo-seed')",
        tenant_id,
        agreement_id,
        title,
        start,
        end,
    )
    for code in codes:
        targets = [{"name": "活动场次", "value": "12", "unit": "场"}] if code == "ACTIVITIES" else []
        await conn.execute(
            "INSERT INTO cobuilding_commitments (tenant_id, agreement_id, version, dimension_id,"
            " enterprise_commitment, local_commitment, targets) VALUES ($1, $2, 1, $3, $4, $5,"
            " $6::text::jsonb)",
            tenant_id,
            agreement_id,
            dims[code],
            f"企业方：{code} 方面投入人员与资源",
            f"属地方：{code} 方面提供阵地与组织协调",
            orjson.dumps(targets).decode(),
        )
    if signed:
        for side, org in (("ENTERPRISE", enterprise), ("LOCAL", local)):
            await conn.execute(
                "INSERT INTO cobuilding_signatures (tenant_id, agreement_id, version, side,"
                " organization_id, login,"
                " signed_at) VALUES ($1, $2, 1, $3, $4, $5, $6)",
                tenant_id,
                agreement_id,
                side,
                org,
                "soe-admin" if side == "ENTERPRISE" else "street-admin",
                dt.datetime.combine(start, dt.time(10), tzinfo=dt.UTC),
            )
        await conn.execute(
            "UPDATE cobuilding_agreement_versions SET signed_at = now() WHERE agreement_id = $1", agreement_id
        )
        await conn.execute(
            "UPDATE cobuilding_agreements SET status = 'SIGNED', signed_version = 1 WHERE id = $1",
            agreement_id,
        )
    return agreement_id


async def _project(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    agreement_id: uuid.UUID,
    *,
    code: str,
    dims: dict[str, uuid.UUID],
    title: str,
    lead: uuid.UUID,
    budget: str,
    start: dt.date,
    end: dt.date,
    status: str,
) -> uuid.UUID:
    project_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO cobuilding_projects (tenant_id, agreement_id, dimension_id, title, lead_org_id, budget,"
        " start_date, end_date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        tenant_id,
        agreement_id,
        dims[code],
        title,
        lead,
        decimal.Decimal(budget),
        start,
        end,
        status,
    )
    return project_id


async def _milestone(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    project_id: uuid.UUID,
    *,
    title: str,
    due: dt.date,
    responsible: uuid.UUID,
    lead: uuid.UUID,
    completed: bool,
) -> None:
    milestone_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO cobuilding_milestones (tenant_id, project_id, title, due_date,"
        " responsible_org_id, completed_at)"
        " VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $4::date + time '12:00' END) RETURNING id",
        tenant_id,
        project_id,
        title,
        due,
        responsible,
        completed,
    )
    (task,) = await open_sourced_tasks(
        conn,
        actor=SystemActor(tenant_id=tenant_id, login="demo-seed"),
        source=MILESTONE_SOURCE,
        source_id=project_id,
        assigning_organization_id=lead,
        tasks=[
            SourcedTask(
                key=str(milestone_id), title=title, responsible_organization_id=responsible, due_date=due
            )
        ],
    )
    await conn.execute(
        "UPDATE cobuilding_milestones SET ledger_item_id = $2 WHERE id = $1", milestone_id, task.id
    )


async def seed_cobuilding(conn: asyncpg.Connection) -> bool:
    """Load the co-building demo data unless tenant ``demo`` has dimensions; say whether it loaded."""
    async with conn.transaction():
        if await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM cobuilding_dimensions d JOIN alliances a ON a.id = d.tenant_id"
            " WHERE a.slug = 'demo')"
        ):
            return False
        tenants = {row["slug"]: row["id"] for row in await conn.fetch("SELECT slug, id FROM alliances")}
        for slug in ("demo", "other"):
            if slug in tenants:
                await _seed_tenant(conn, tenants[slug], slug)
    return True


async def _seed_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID, slug: str) -> None:
    # Row-level security applies to the seed's own statements when it runs as the app role.
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
    dims: dict[str, uuid.UUID] = {}
    for position, (code, name, description) in enumerate(DIMENSIONS):
        dims[code] = await conn.fetchval(
            "INSERT INTO cobuilding_dimensions (tenant_id, code, name, description, position)"
            " VALUES ($1, $2, $3, $4, $5) RETURNING id",
            tenant_id,
            code,
            name,
            description,
            position,
        )
    soe = await _org(conn, tenant_id, "SOE")
    street = await _org(conn, tenant_id, "STREET_COMMITTEE")
    year = dt.date.today().year
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 12, 31)
    signed = await _agreement(
        conn,
        tenant_id,
        enterprise=soe,
        local=street,
        title="城投集团与街道党工委“十联十共”共建协议" if slug == "demo" else "城投集团与西湖街道共建协议",
        start=start,
        end=end,
        codes=["ORGANIZATION", "ACTIVITIES", "VENUES", "SERVICES"],
        dims=dims,
        signed=True,
    )
    if slug != "demo":
        return
    community = await _org(conn, tenant_id, "COMMUNITY", "花园%")
    await _agreement(
        conn,
        tenant_id,
        enterprise=soe,
        local=community,
        title="城投集团与花园社区结对共建协议（草案）",
        start=dt.date(year, 7, 1),
        end=dt.date(year + 2, 6, 30),
        codes=["MEMBERS", "TALENT"],
        dims=dims,
        signed=False,
    )
    today = dt.date.today()
    projects = [
        ("ORGANIZATION", "联合主题党日", soe, "50000.00", "RUNNING"),
        ("VENUES", "党群服务中心共建共用", street, "120000.50", "RUNNING"),
        ("SERVICES", "老旧小区改造志愿服务", soe, "80000.00", "PLANNED"),
    ]
    for i, (code, title, lead, budget, status) in enumerate(projects):
        project_id = await _project(
            conn,
            tenant_id,
            signed,
            code=code,
            dims=dims,
            title=title,
            lead=lead,
            budget=budget,
            start=start,
            end=end,
            status=status,
        )
        await _milestone(
            conn,
            tenant_id,
            project_id,
            title=f"{title}：方案制定",
            due=start + dt.timedelta(days=30 + i),
            responsible=lead,
            lead=lead,
            completed=i == 0,
        )
        await _milestone(
            conn,
            tenant_id,
            project_id,
            title=f"{title}：阶段推进",
            due=max(start, today - dt.timedelta(days=10 + i)),
            responsible=street if lead == soe else soe,
            lead=lead,
            completed=False,
        )
        await _milestone(
            conn,
            tenant_id,
            project_id,
            title=f"{title}：总结验收",
            due=today + dt.timedelta(days=20 + i),
            responsible=lead,
            lead=lead,
            completed=False,
        )
        contributions: list[tuple[str, uuid.UUID, str, str, str, str | None]] = [
            ("FUNDING", soe, "ENTERPRISE", "20000.00", "CNY", None),
            ("VOLUNTEER_HOURS", soe, "ENTERPRISE", "120", "hours", None),
            ("MATERIALS", street, "LOCAL", "30", "items", None),
            ("VENUE", street, "LOCAL", "16", "hours", None),
            ("SERVICE", soe, "ENTERPRISE", "4", "sessions", None),
            ("TRAINING", street, "LOCAL", "2", "sessions", None),
        ]
        if i == 0:
            contributions.append(("FUNDING", soe, "ENTERPRISE", "-500.00", "CNY", "重复录入，冲减更正"))
        for kind, org, side, amount, unit, reason in contributions:
            await conn.execute(
                "INSERT INTO cobuilding_contributions (tenant_id, project_id, organization_id,"
                " side, kind, amount,"
                " unit, reason, contributed_on, recorded_by_login) VALUES ($1, $2, $3, $4, $5, $6,"
                " $7, $8, $9,"
                " 'demo-seed')",
                tenant_id,
                project_id,
                org,
                side,
                kind,
                decimal.Decimal(amount),
                unit,
                reason,
                min(today, start + dt.timedelta(days=15 + i)),
            )
    scores = {
        "ENTERPRISE": {"ORGANIZATION": 5, "ACTIVITIES": 4, "VENUES": 4, "SERVICES": 2},
        "LOCAL": {"ORGANIZATION": 4, "ACTIVITIES": 4, "VENUES": 5, "SERVICES": 4},
    }
    for side, org in (("ENTERPRISE", soe), ("LOCAL", street)):
        evaluation_id = await conn.fetchval(
            "INSERT INTO cobuilding_evaluations (tenant_id, agreement_id, period, side, organization_id,"
            " submitted_by_login) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            tenant_id,
            signed,
            year,
            side,
            org,
            "soe-admin" if side == "ENTERPRISE" else "street-admin",
        )
        for code, score in scores[side].items():
            await conn.execute(
                "INSERT INTO cobuilding_evaluation_scores (tenant_id, evaluation_id, dimension_id,"
                " score, comment)"
                " VALUES ($1, $2, $3, $4, $5)",
                tenant_id,
                evaluation_id,
                dims[code],
                score,
                "示例评价",
            )
