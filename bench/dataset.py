"""The benchmark's data set: 5 tenants, 200 organisations and 20,000 resources each, 100,000 bookings.

Generated from a fixed seed with COPY as the owner (which bypasses row-level security), kept in
the benchmark's own data folder and reused while ``DATASET_VERSION`` and the seed are unchanged.
Resource ids are time-ordered like the database's own ``uuidv7()`` defaults, so "the first
resources" are the oldest; older resources are the popular ones and carry most bookings, so
the first page of a tenant has upcoming approved bookings to show.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import orjson

from services.core.dsn import database_name, with_database
from services.core.migrations import migrate
from services.core.settings import Settings

DATASET_VERSION = "3"
SEED = 20261125
TENANTS = 5
ORGANIZATIONS_PER_TENANT = 200
RESOURCES_PER_TENANT = 20_000
BOOKINGS = 100_000
# Bookings are anchored at the day the data set was made; past that age it is made anew so
# that "upcoming" bookings stay upcoming.
MAX_AGE = dt.timedelta(days=60)
LOCAL_OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai, no daylight saving

MEMBER = "member"
REQUESTER = "requester"
APPROVER = "street-admin"
ADMIN = "alliance-admin"

_KINDS = (
    ["VENUE"] * 40
    + ["BASE"] * 15
    + ["LECTURER"] * 10
    + ["MATERIAL"] * 15
    + ["SERVICE"] * 15
    + ["FUNDING"] * 5
)
_EXCLUSIVE = {"VENUE", "BASE", "LECTURER"}
_ORG_KINDS = ["COMMUNITY"] * 5 + [
    "STATIONED_UNIT",
    "SOE",
    "PRIVATE_ENTERPRISE",
    "SOCIAL_ORGANIZATION",
    "SCHOOL",
]
_ORG_NAMES = {
    "COMMUNITY": "社区党委",
    "STATIONED_UNIT": "驻区单位党委",
    "SOE": "国有企业党委",
    "PRIVATE_ENTERPRISE": "科技有限公司党支部",
    "SOCIAL_ORGANIZATION": "社会组织党支部",
    "SCHOOL": "学校党委",
}
_PLACES = ["东城", "西湖", "滨江", "花园", "翠苑", "文新", "古荡", "湖滨", "清波", "南星", "紫阳", "望江"]
_THINGS = {
    "VENUE": ["党群服务中心多功能厅", "党员活动室", "会议室", "报告厅", "文化礼堂", "阅览室"],
    "BASE": ["开放式组织生活基地", "红色教育基地", "党性教育基地"],
    "LECTURER": ["党课讲师", "理论宣讲员", "红色故事讲解员"],
    "MATERIAL": ["便携式音响", "宣传展板", "帐篷", "投影仪", "折叠桌椅"],
    "SERVICE": ["志愿服务队", "法律咨询服务", "义诊服务", "心理辅导服务"],
    "FUNDING": ["党建共建资金", "公益微项目资金"],
}
_TAGS = ["党课", "会议", "培训", "主题党日", "红色教育", "志愿服务", "宣讲", "设备", "文化", "亲子"]
_EVERY_DAY = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(1, 8)]
_WORKDAYS = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(1, 6)]
# Two-hour slots (local time) every booked resource is open for, every day.
_SLOT_HOURS = (8, 10, 14, 16, 18)


@dataclass(frozen=True, slots=True)
class Tenant:
    id: uuid.UUID
    slug: str
    member_id: uuid.UUID
    requester_id: uuid.UUID
    approver_id: uuid.UUID
    street_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class Dataset:
    tenants: list[Tenant]
    anchor: dt.date

    @property
    def first(self) -> Tenant:
        return self.tenants[0]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _uuid7(rng: random.Random, at: dt.datetime) -> uuid.UUID:
    """A version-7 id for ``at``: ordering by id is ordering by creation."""
    millis = int(at.timestamp() * 1000)
    value = (millis << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    return uuid.UUID(int=value)


def _records(anchor: dt.date) -> tuple[dict[str, list[tuple[object, ...]]], list[Tenant]]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible data, not secrets
    today = dt.datetime.combine(anchor, dt.time(), dt.UTC)
    tables: dict[str, list[tuple[object, ...]]] = {
        "alliances": [],
        "organizations": [],
        "accounts": [],
        "role_assignments": [],
        "resources": [],
        "bookings": [],
    }
    tenants: list[Tenant] = []
    bookings_per_tenant = BOOKINGS // TENANTS
    for t in range(TENANTS):
        tenant_id = _uuid(rng)
        slug = f"bench-{t + 1}"
        created = today - dt.timedelta(days=1200)
        tables["alliances"].append(
            (tenant_id, slug, f"基准测试区域化党建联盟{t + 1}", f"3301{t + 1:02d}", created)
        )
        # District committee, 10 street committees, then organisations below them.
        orgs: list[uuid.UUID] = []
        district = _uuid(rng)
        streets = [_uuid(rng) for _ in range(10)]
        for index in range(ORGANIZATIONS_PER_TENANT):
            if index == 0:
                org_id, kind, parent, name = district, "DISTRICT_COMMITTEE", None, "区委组织部"
            elif index <= 10:
                org_id, kind, parent = streets[index - 1], "STREET_COMMITTEE", district
                name = f"{_PLACES[index % len(_PLACES)]}街道党工委"
            else:
                org_id, kind = _uuid(rng), rng.choice(_ORG_KINDS)
                parent = rng.choice(streets) if kind == "COMMUNITY" else district
                name = f"{rng.choice(_PLACES)}{_ORG_NAMES[kind]}{index:03d}"
            orgs.append(org_id)
            tables["organizations"].append(
                (org_id, tenant_id, name, kind, parent, "联络员", "0571-88880000", created, created, created)
            )
        accounts = {login: _uuid(rng) for login in (MEMBER, REQUESTER, APPROVER, ADMIN)}
        grants = {
            MEMBER: ("member", orgs[11]),
            REQUESTER: ("member", orgs[12]),
            APPROVER: ("org_admin", streets[0]),
            ADMIN: ("alliance_admin", None),
        }
        for login, account_id in accounts.items():
            tables["accounts"].append((account_id, tenant_id, login, f"{slug} {login}", created))
            role, org = grants[login]
            tables["role_assignments"].append((_uuid(rng), tenant_id, account_id, role, org, created))
        # Resources, oldest first; every 10th is a draft or archived.
        resources: list[tuple[uuid.UUID, str, bool]] = []
        for index in range(RESOURCES_PER_TENANT):
            at = created + dt.timedelta(minutes=index * 80, seconds=rng.randrange(60))
            kind = rng.choice(_KINDS)
            roll = rng.random()
            status = "PUBLISHED" if roll < 0.9 else ("DRAFT" if roll < 0.95 else "ARCHIVED")
            resource_id = _uuid7(rng, at)
            place = rng.choice(_PLACES)
            title = f"{place}{rng.choice(_THINGS[kind])}{index % 97 + 1}号"
            hours = _EVERY_DAY if kind in _EXCLUSIVE else rng.choice([[], _WORKDAYS, _EVERY_DAY])
            tables["resources"].append(
                (
                    resource_id,
                    tenant_id,
                    orgs[1] if index % 50 == 0 else rng.choice(orgs),
                    kind,
                    title,
                    f"{title}，面向联盟成员单位开放共享。",
                    f"{place}路{rng.randrange(1, 999)}号",
                    rng.choice([20, 30, 50, 80, 120, 200]) if kind in {"VENUE", "BASE"} else None,
                    rng.randrange(2, 40) if kind == "MATERIAL" else None,
                    rng.sample(_TAGS, rng.randrange(0, 4)),
                    [],
                    orjson.dumps(hours).decode(),
                    [],
                    "Asia/Shanghai",
                    status,
                    "PARTNERS" if rng.random() < 0.3 else "ALLIANCE",
                    at if status != "DRAFT" else None,
                    at + dt.timedelta(days=30) if status == "ARCHIVED" else None,
                    at,
                    at,
                )
            )
            if status == "PUBLISHED" and kind in _EXCLUSIVE:
                resources.append((resource_id, kind, index < 4000))
        # Bookings: the oldest (popular) resources get six each (two past, four upcoming),
        # the rest is spread thinly; each resource's slots never overlap.
        popular = [r for r in resources if r[2]]
        others = [r for r in resources if not r[2]]
        plan = [(r[0], slot) for r in popular for slot in range(6)]
        while len(plan) < bookings_per_tenant:
            plan.append((rng.choice(others)[0], rng.randrange(6, 400)))
        plan = plan[:bookings_per_tenant]
        taken: set[tuple[uuid.UUID, int, int]] = set()
        for resource_id, slot in plan:
            if slot < 2:
                day = (slot - 2) * 3 + rng.randrange(3)
            elif slot < 6:
                day = (slot - 2) * 3 + 1 + rng.randrange(3)
            else:
                day = slot - 200
            hour = rng.choice(_SLOT_HOURS)
            while (resource_id, day, hour) in taken:
                hour = rng.choice(_SLOT_HOURS)
                day += 1
            taken.add((resource_id, day, hour))
            start = today + dt.timedelta(days=day, hours=hour) - LOCAL_OFFSET
            past = day < 0
            status = (
                rng.choice(["COMPLETED"] * 8 + ["CANCELLED", "NO_SHOW"])
                if past
                else rng.choice(["APPROVED"] * 8 + ["PENDING", "REJECTED"])
            )
            decided = status not in {"PENDING", "CANCELLED"}
            requested = start - dt.timedelta(days=rng.randrange(3, 30))
            tables["bookings"].append(
                (
                    _uuid7(rng, requested),
                    tenant_id,
                    resource_id,
                    True,
                    rng.choice(orgs[11:]),
                    accounts[MEMBER],
                    MEMBER,
                    asyncpg.Range(start, start + dt.timedelta(hours=2)),
                    rng.choice([5, 10, 15, 20]),
                    1,
                    "主题党日活动",
                    status,
                    accounts[APPROVER] if decided else None,
                    requested + dt.timedelta(days=1) if decided else None,
                    requested,
                    requested,
                )
            )
        tenants.append(
            Tenant(
                id=tenant_id,
                slug=slug,
                member_id=accounts[MEMBER],
                requester_id=accounts[REQUESTER],
                approver_id=accounts[APPROVER],
                street_id=streets[0],
            )
        )
    return tables, tenants


_COLUMNS = {
    "alliances": ["id", "slug", "name", "region_code", "created_at"],
    "organizations": [
        "id",
        "tenant_id",
        "name",
        "kind",
        "parent_id",
        "contact_name",
        "contact_phone",
        "archived_at",
        "created_at",
        "updated_at",
    ],
    "accounts": ["id", "home_tenant_id", "login", "display_name", "created_at"],
    "role_assignments": ["id", "tenant_id", "account_id", "role", "organization_id", "created_at"],
    "resources": [
        "id",
        "tenant_id",
        "owner_org_id",
        "kind",
        "title",
        "description",
        "address",
        "capacity",
        "quantity",
        "tags",
        "photo_urls",
        "opening_hours",
        "blackout_dates",
        "time_zone",
        "status",
        "visibility",
        "published_at",
        "archived_at",
        "created_at",
        "updated_at",
    ],
    "bookings": [
        "id",
        "tenant_id",
        "resource_id",
        "exclusive",
        "requester_org_id",
        "requested_by",
        "requested_by_login",
        "during",
        "attendees",
        "quantity",
        "purpose",
        "status",
        "decided_by",
        "decided_at",
        "created_at",
        "updated_at",
    ],
}


def _marker(anchor: dt.date) -> str:
    return f"{DATASET_VERSION}:{SEED}:{anchor.isoformat()}"


async def _load(conn: asyncpg.Connection, anchor: dt.date) -> list[Tenant]:
    tables, tenants = _records(anchor)
    # citext travels as text (COPY uses the binary format).
    await conn.set_builtin_type_codec("citext", codec_name="text")
    async with conn.transaction():
        # Bulk load into a fresh database: the rows are valid by construction (the generator
        # follows the rules the triggers check), so triggers and foreign keys are skipped.
        await conn.execute("SET LOCAL session_replication_role = replica")
        for table, columns in _COLUMNS.items():
            await conn.copy_records_to_table(table, records=tables[table], columns=columns)
        await conn.execute("CREATE TABLE bench_dataset (marker text NOT NULL)")
        await conn.execute("INSERT INTO bench_dataset (marker) VALUES ($1)", _marker(anchor))
    await conn.execute("VACUUM ANALYZE")
    return tenants


async def _tenants(conn: asyncpg.Connection) -> list[Tenant]:
    rows = await conn.fetch(
        """
        SELECT a.id, a.slug,
               max(r.account_id::text) FILTER (WHERE c.login = 'member')::uuid AS member_id,
               max(r.account_id::text) FILTER (WHERE c.login = 'requester')::uuid AS requester_id,
               max(r.account_id::text) FILTER (WHERE c.login = 'street-admin')::uuid AS approver_id,
               max(r.organization_id::text) FILTER (WHERE c.login = 'street-admin')::uuid AS street_id
        FROM alliances a JOIN role_assignments r ON r.tenant_id = a.id JOIN accounts c ON c.id = r.account_id
        WHERE a.slug LIKE 'bench-%' GROUP BY a.id, a.slug ORDER BY a.slug
        """
    )
    return [Tenant(**dict(row)) for row in rows]


async def _current(url: str) -> Dataset | None:
    """The data set the database holds, if it is this version and fresh enough."""
    conn = await asyncpg.connect(url)
    try:
        if await conn.fetchval("SELECT to_regclass('bench_dataset')") is None:
            return None
        version, seed, anchor_text = str(await conn.fetchval("SELECT marker FROM bench_dataset")).split(":")
        anchor = dt.date.fromisoformat(anchor_text)
        if version != DATASET_VERSION or seed != str(SEED) or today() - anchor >= MAX_AGE:
            return None
        return Dataset(tenants=await _tenants(conn), anchor=anchor)
    finally:
        await conn.close()


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def ensure_dataset(settings: Settings, say: Callable[[str], None]) -> Dataset:
    """Migrate, and generate the data set into a fresh database unless it is there already."""
    assert settings.database_url
    url = settings.database_url
    found = asyncio.run(_current(url))
    if found is not None:
        migrate(settings)
        return found
    started = time.perf_counter()
    name = database_name(url)

    async def recreate() -> None:
        conn = await asyncpg.connect(with_database(url, "postgres"))
        try:
            # Identifiers cannot be parameters; the name is the embedded default's own.
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    async def load() -> list[Tenant]:
        conn = await asyncpg.connect(url)
        try:
            return await _load(conn, today())
        finally:
            await conn.close()

    asyncio.run(recreate())
    migrate(settings)
    tenants = asyncio.run(load())
    say(f"data set {_marker(today())} generated in {time.perf_counter() - started:.0f} s")
    return Dataset(tenants=tenants, anchor=today())


def data_dir() -> Path:
    """Where the benchmark keeps its embedded database between runs (git-ignored)."""
    return Path(".alliance-bench")
