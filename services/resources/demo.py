"""Demo data: a few shared resources per tenant, a base with its activity menu, some bookings."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import asyncpg
import orjson

LOCAL = ZoneInfo("Asia/Shanghai")

_WEEKDAYS = [{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(1, 6)] + [
    {"weekday": d, "start": "14:00", "end": "18:00"} for d in range(1, 6)
]
_EVERY_DAY = [{"weekday": d, "start": "08:30", "end": "20:30"} for d in range(1, 8)]
_TUE_TO_SAT = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(2, 7)]


@dataclass(frozen=True, slots=True)
class _DemoResource:
    key: str
    owner: str
    kind: str
    title: str
    description: str
    tags: list[str]
    capacity: int | None = None
    quantity: int | None = None
    hours: list[dict[str, object]] = field(default_factory=list)
    status: str = "PUBLISHED"
    visibility: str = "ALLIANCE"


_RESOURCES = [
    _DemoResource(
        "hall",
        "东城街道党工委",
        "VENUE",
        "党群服务中心多功能厅",
        "可容纳80人，配投影、音响，适合党课、联席会议。",
        ["会议", "党课"],
        capacity=80,
        hours=_WEEKDAYS,
        visibility="PARTNERS",
    ),
    _DemoResource(
        "room",
        "花园社区党委",
        "VENUE",
        "花园社区党员活动室",
        "社区党员活动、志愿服务培训场地。",
        ["活动室", "培训"],
        capacity=30,
        hours=_EVERY_DAY,
    ),
    _DemoResource(
        "base",
        "城市建设投资集团有限公司党委",
        "BASE",
        "城投集团开放式组织生活基地",
        "展示城市建设成就的开放式组织生活基地，提供主题党日活动菜单。",
        ["主题党日", "红色教育"],
        capacity=60,
        hours=_TUE_TO_SAT,
        visibility="PARTNERS",
    ),
    _DemoResource(
        "speakers",
        "东城街道党工委",
        "MATERIAL",
        "便携式音响设备",
        "户外宣讲用便携音响，含无线话筒。",
        ["宣讲", "设备"],
        quantity=6,
    ),
    _DemoResource(
        "boards",
        "东城街道党工委",
        "MATERIAL",
        "党建宣传展板",
        "可移动展板，用于主题展览。",
        ["展览"],
        quantity=20,
    ),
    _DemoResource(
        "clinic",
        "区人民医院党委",
        "SERVICE",
        "党员义诊志愿服务队",
        "每月进社区开展义诊、健康讲座。",
        ["志愿服务", "健康"],
        visibility="PARTNERS",
    ),
    _DemoResource(
        "lecturer",
        "区委组织部",
        "LECTURER",
        "区委党校讲师团：基层治理专题",
        "专题党课，时长约90分钟。",
        ["党课", "基层治理"],
        capacity=200,
    ),
    _DemoResource(
        "fund",
        "区委组织部",
        "FUNDING",
        "区域化党建项目资金",
        "支持成员单位共建项目，按项目申报。",
        ["项目"],
        status="DRAFT",
    ),
]

_MENU = [
    ("重温入党誓词", 30, 60, "在党旗下重温入党誓词。"),
    ("城市建设成就展参观", 90, 40, "讲解员带领参观城市建设成就展。"),
    ("主题党课", 60, 50, "由基地讲师讲授城市发展与初心使命。"),
]


def _next(weekday: int, hour: int, minute: int = 0, *, weeks: int = 1) -> dt.datetime:
    """A local time on ``weekday`` (ISO) of a coming week (negative weeks: a past one)."""
    today = dt.datetime.now(LOCAL).date()
    monday = today - dt.timedelta(days=today.isoweekday() - 1) + dt.timedelta(weeks=weeks)
    day = monday + dt.timedelta(days=weekday - 1)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


@dataclass(frozen=True, slots=True)
class _DemoBooking:
    resource: str
    requester: str
    start: dt.datetime
    end: dt.datetime
    attendees: int | None
    purpose: str
    status: str
    quantity: int = 1
    menu_item: str | None = None
    batch: str | None = None


def _bookings() -> list[_DemoBooking]:
    return [
        _DemoBooking("hall", "花园社区党委", _next(3, 14), _next(3, 16), 45, "社区党员冬训党课", "APPROVED"),
        _DemoBooking(
            "hall", "新华科技有限公司党支部", _next(3, 15), _next(3, 17), 20, "两新组织党建交流会", "PENDING"
        ),
        _DemoBooking(
            "room",
            "城市建设投资集团有限公司党委",
            _next(2, 9),
            _next(2, 11),
            25,
            "地企共建联席会议",
            "PENDING",
        ),
        _DemoBooking(
            "base",
            "滨河社区党支部",
            _next(4, 10),
            _next(4, 11, 30),
            25,
            "主题党日活动",
            "APPROVED",
            menu_item="城市建设成就展参观",
            batch="第一批：滨河社区党员25人",
        ),
        _DemoBooking(
            "speakers", "花园社区党委", _next(5, 8), _next(5, 18), None, "广场政策宣讲", "PENDING", quantity=2
        ),
        _DemoBooking(
            "hall",
            "花园社区党委",
            _next(2, 14, weeks=-2),
            _next(2, 17, weeks=-2),
            50,
            "党员大会",
            "COMPLETED",
        ),
        _DemoBooking(
            "hall",
            "新华科技有限公司党支部",
            _next(4, 9, weeks=-1),
            _next(4, 11, weeks=-1),
            15,
            "支部学习",
            "NO_SHOW",
        ),
    ]


async def seed_resources(conn: asyncpg.Connection) -> bool:
    """Load the resources' demo data unless tenant ``demo`` has resources; say whether it loaded."""
    async with conn.transaction():
        if await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM resources r JOIN alliances a ON a.id = r.tenant_id"
            " WHERE a.slug = 'demo')"
        ):
            return False
        for tenant_id in await conn.fetch(
            "SELECT id FROM alliances WHERE slug IN ('demo', 'other') ORDER BY slug"
        ):
            await _seed_tenant(conn, tenant_id["id"])
    return True


async def _org(conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    # The other tenant's street committee is named 西湖 instead of 东城 (see the directory's demo).
    found = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name IN ($2, replace($2, '东城', '西湖'))",
        tenant_id,
        name,
    )
    assert found is not None, name
    return uuid.UUID(str(found))


async def _seed_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    ids: dict[str, uuid.UUID] = {}
    for r in _RESOURCES:
        ids[r.key] = await conn.fetchval(
            """
            INSERT INTO resources (tenant_id, owner_org_id, kind, title, description, address, capacity,
                                   quantity, tags, opening_hours, status, visibility, published_at)
            VALUES ($1, $2, $3, $4, $5, '示范区东城街道人民路1号', $6, $7, $8, $9::text::jsonb, $10, $11,
                    CASE WHEN $10 = 'PUBLISHED' THEN now() - interval '60 days' END)
            RETURNING id
            """,
            tenant_id,
            await _org(conn, tenant_id, r.owner),
            r.kind,
            r.title,
            r.description,
            r.capacity,
            r.quantity,
            r.tags,
            orjson.dumps(r.hours).decode(),
            r.status,
            r.visibility,
        )
    menu: dict[str, uuid.UUID] = {}
    for name, minutes, capacity, text in _MENU:
        menu[name] = await conn.fetchval(
            "INSERT INTO resource_menu_items"
            " (tenant_id, resource_id, name, duration_minutes, capacity, description)"
            " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            tenant_id,
            ids["base"],
            name,
            minutes,
            capacity,
            text,
        )
    for b in _bookings():
        await conn.execute(
            """
            INSERT INTO bookings (tenant_id, resource_id, requester_org_id, requested_by_login, during,
                                  attendees, quantity, purpose, status, menu_item_id, batch, decided_at)
            VALUES ($1, $2, $3, 'demo-seed', tstzrange($4, $5), $6, $7, $8, $9, $10, $11,
                    CASE WHEN $9 <> 'PENDING' THEN now() END)
            """,
            tenant_id,
            ids[b.resource],
            await _org(conn, tenant_id, b.requester),
            b.start,
            b.end,
            b.attendees,
            b.quantity,
            b.purpose,
            b.status,
            menu[b.menu_item] if b.menu_item else None,
            b.batch,
        )
