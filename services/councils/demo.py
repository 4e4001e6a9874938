"""Demo data: a street joint council with five member units and an SOE joint council; one held
meeting with published minutes, a resolution and its ledger tasks; one upcoming meeting with
accepted items and comments. Loaded once, in the demo tenant."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.councils.models import TASK_SOURCE
from services.events.changes import SystemActor
from services.ledger.intake import SourcedTask, open_sourced_tasks

STREET_COUNCIL = "东城街道区域化党建联席会议"
_STREET_MEMBERS = [
    "花园社区党委",
    "滨河社区党支部",
    "城市建设投资集团有限公司党委",
    "区人民医院党委",
    "新华科技有限公司党支部",
]


async def _org(conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    found: uuid.UUID = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    return found


async def _council(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    *,
    name: str,
    kind: str,
    host: uuid.UUID,
    members: list[uuid.UUID],
    public: bool,
) -> uuid.UUID:
    council_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO councils (tenant_id, name, kind, host_org_id, public) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING id",
        tenant_id,
        name,
        kind,
        host,
        public,
    )
    await conn.executemany(
        "INSERT INTO council_members (tenant_id, council_id, organization_id, joined_on)"
        " VALUES ($1, $2, $3, current_date - 90)",
        [(tenant_id, council_id, member) for member in members],
    )
    return council_id


async def _meeting(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    council_id: uuid.UUID,
    convener: uuid.UUID,
    title: str,
    start: dt.datetime,
) -> uuid.UUID:
    meeting_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO council_meetings (tenant_id, council_id, title, "
        "starts_at, ends_at, convening_org_id, place)"
        " VALUES ($1, $2, $3, $4, $5, $6, '党群服务中心多功能厅') RETURNING id",
        tenant_id,
        council_id,
        title,
        start,
        start + dt.timedelta(hours=2),
        convener,
    )
    return meeting_id


async def _item(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    council_id: uuid.UUID,
    raised_by: uuid.UUID,
    title: str,
    description: str,
    category: str,
    meeting_id: uuid.UUID,
) -> uuid.UUID:
    item_id: uuid.UUID = await conn.fetchval(
        "INSERT INTO council_agenda_items (tenant_id, council_id, raised_by_org_id, raised_by_login, title,"
        " description, category, status, meeting_id) VALUES ($1, $2, $3, "
        "'demo-seed', $4, $5, $6, 'ACCEPTED', $7)"
        " RETURNING id",
        tenant_id,
        council_id,
        raised_by,
        title,
        description,
        category,
        meeting_id,
    )
    return item_id


async def seed_councils(conn: asyncpg.Connection) -> bool:
    """Load the councils' demo data unless the demo tenant has its street council already."""
    async with conn.transaction():
        tenant_id = await conn.fetchval("SELECT id FROM alliances WHERE slug = 'demo'")
        if tenant_id is None or await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM councils WHERE tenant_id = $1 AND name = $2)",
            tenant_id,
            STREET_COUNCIL,
        ):
            return False
        await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        street = await _org(conn, tenant_id, "东城街道党工委")
        district = await _org(conn, tenant_id, "区委组织部")
        members = [await _org(conn, tenant_id, name) for name in _STREET_MEMBERS]
        council = await _council(
            conn,
            tenant_id,
            name=STREET_COUNCIL,
            kind="STREET_JOINT_MEETING",
            host=street,
            members=members,
            public=True,
        )
        await _council(
            conn,
            tenant_id,
            name="示范区国有企业党建联席会议",
            kind="SOE_JOINT_MEETING",
            host=district,
            members=[members[2], members[3]],
            public=False,
        )
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        held = await _meeting(
            conn, tenant_id, council, street, "2026年第四季度联席会议", now - dt.timedelta(days=10)
        )
        parking = await _item(
            conn,
            tenant_id,
            council,
            members[0],
            "老旧小区停车难",
            "花园社区停车位缺口约120个，请驻区单位错时开放停车场。",
            "民生",
            held,
        )
        await conn.executemany(
            "INSERT INTO council_attendance (tenant_id, meeting_id, organization_id, status, delegate)"
            " VALUES ($1, $2, $3, $4, $5)",
            [
                (tenant_id, held, org, "PRESENT" if n != 4 else "EXCUSED", None if n == 4 else "党组织书记")
                for n, org in enumerate(members)
            ],
        )
        resolution = await conn.fetchval(
            "INSERT INTO council_resolutions (tenant_id, meeting_id, agenda_item_id, "
            "text, task_count, adopted_by_login)"
            " VALUES ($1, $2, $3, $4, 2, 'demo-seed') RETURNING id",
            tenant_id,
            held,
            parking,
            "城投集团、区人民医院夜间错时开放停车场，街道牵头协调。",
        )
        await conn.execute("UPDATE council_agenda_items SET status = 'RESOLVED' WHERE id = $1", parking)
        await conn.execute("UPDATE council_meetings SET status = 'HELD' WHERE id = $1", held)
        await conn.execute(
            "UPDATE council_meetings SET status = 'MINUTES_PUBLISHED', minutes "
            "= $2, minutes_published_at = now()"
            " WHERE id = $1",
            held,
            "会议听取了花园社区关于停车难的议题，经协商，形成决议一项。",
        )
        today = now.date()
        await open_sourced_tasks(
            conn,
            actor=SystemActor(tenant_id=tenant_id, login="demo-seed"),
            source=TASK_SOURCE,
            source_id=resolution,
            assigning_organization_id=street,
            tasks=[
                SourcedTask(
                    key="1",
                    title="城投集团停车场夜间开放",
                    responsible_organization_id=members[2],
                    due_date=today + dt.timedelta(days=20),
                    supporting_organization_ids=(street,),
                ),
                SourcedTask(
                    key="2",
                    title="区人民医院停车场错时开放",
                    responsible_organization_id=members[3],
                    due_date=today + dt.timedelta(days=30),
                ),
            ],
        )
        upcoming = await _meeting(
            conn, tenant_id, council, members[2], "2027年第一季度联席会议", now + dt.timedelta(days=7)
        )
        for raised_by, title, text, category, comment_by, comment in [
            (
                members[1],
                "河道沿线环境整治",
                "滨河社区河道沿线垃圾堆放，需多方协同清理。",
                "环境",
                members[2],
                "城投集团可派出志愿服务队参与清理。",
            ),
            (
                members[4],
                "两新组织党员教育阵地",
                "园区缺少党员活动场地，希望共享社区阵地。",
                "党建",
                members[0],
                "花园社区党员活动室可每周开放两个半天。",
            ),
        ]:
            item = await _item(conn, tenant_id, council, raised_by, title, text, category, upcoming)
            await conn.execute(
                "INSERT INTO council_agenda_comments (tenant_id, agenda_item_id, "
                "organization_id, author_login, body)"
                " VALUES ($1, $2, $3, 'demo-seed', $4)",
                tenant_id,
                item,
                comment_by,
                comment,
            )
        await conn.execute(
            "INSERT INTO council_agenda_items (tenant_id, council_id, "
            "raised_by_org_id, raised_by_login, title,"
            " description, category) VALUES ($1, $2, $3, 'demo-seed', "
            "'社区养老服务站建设', '希望驻区医院提供义诊。', '民生')",
            tenant_id,
            council,
            members[1],
        )
        return True
