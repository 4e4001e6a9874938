"""The resource catalogue (资源目录): reading resources as far as the caller may see them,
filtered by kind, owner, tag, Chinese text, capacity and "free in a window"."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.directory.reads import Organization, joined_columns, joined_organization
from services.resources import rules
from services.resources.access import SCOPE_CTE, SCOPE_WHERE, ReadScope
from services.resources.models import OpeningWindow, Resource, ResourceKind, ResourceStatus

COLUMNS = (
    "r.id, r.tenant_id, r.owner_org_id, r.kind, r.title, r.description, r.address, r.capacity,"
    " r.quantity, r.tags, r.photo_urls, r.opening_hours, r.blackout_dates, r.time_zone, r.status,"
    " r.visibility, r.published_at, r.archived_at, r.created_at, r.updated_at"
)


def resource_from_record(row: Mapping[str, Any] | asyncpg.Record) -> Resource:
    hours = row["opening_hours"]
    if isinstance(hours, str):  # a connection without the pool's JSON codec
        hours = orjson.loads(hours)
    return Resource(
        id=row["id"],
        tenant_id=row["tenant_id"],
        owner_org_id=row["owner_org_id"],
        kind=row["kind"],
        title=row["title"],
        description=row["description"],
        address=row["address"],
        capacity=row["capacity"],
        quantity=row["quantity"],
        tags=list(row["tags"]),
        photo_urls=list(row["photo_urls"]),
        opening_hours=[OpeningWindow(w["weekday"], w["start"], w["end"]) for w in hours],
        blackout_dates=list(row["blackout_dates"]),
        time_zone=row["time_zone"],
        status=row["status"],
        visibility=row["visibility"],
        published_at=row["published_at"],
        archived_at=row["archived_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def hours_json(windows: list[OpeningWindow]) -> str:
    """Opening hours as JSON text (bound as ``$n::text::jsonb`` whatever the connection's codec)."""
    return orjson.dumps([w.to_json() for w in windows]).decode()


@dataclass(frozen=True, slots=True)
class ResourceFilter:
    kind: ResourceKind | None = None
    owner_org_id: uuid.UUID | None = None
    tag: str | None = None
    search: str | None = None
    min_capacity: int | None = None
    free_from: dt.datetime | None = None
    free_to: dt.datetime | None = None
    status: ResourceStatus | None = None


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# $1–$3 read scope; $4 kind, $5 owner, $6 tag, $7 search pattern, $8 minimum capacity,
# $9/$10 free window, $11 status. "Free" means open then and not held: for time-exclusive
# kinds no held booking overlaps (GiST index bookings_held_during), for materials some stock
# is left at every instant of the window.
_WHERE = f"""
WHERE ({SCOPE_WHERE})
  AND ($4::text IS NULL OR r.kind = $4)
  AND ($5::uuid IS NULL OR r.owner_org_id = $5)
  AND ($6::text IS NULL OR r.tags @> ARRAY[$6::text])
  AND ($7::text IS NULL OR r.title ILIKE $7 OR r.description ILIKE $7)
  AND ($8::integer IS NULL OR r.capacity >= $8)
  AND ($11::text IS NULL AND r.status <> 'ARCHIVED' OR r.status = $11)
  AND ($9::timestamptz IS NULL OR (
        r.status = 'PUBLISHED'
        AND resource_open_during(r.opening_hours, r.blackout_dates, r.time_zone, $9, $10)
        AND CASE
            WHEN r.kind = 'MATERIAL' THEN resource_peak_held(r.id, tstzrange($9, $10)) < r.quantity
            WHEN r.kind IN ('VENUE', 'BASE', 'LECTURER') THEN NOT EXISTS (
                SELECT 1 FROM bookings b
                WHERE b.resource_id = r.id AND b.status IN ('APPROVED', 'COMPLETED')
                  AND b.during && tstzrange($9, $10))
            ELSE true
        END))
"""

_FILTER = f"FROM resources r {_WHERE}"
_PAGE = "AND ($12::uuid IS NULL OR r.id > $12) ORDER BY r.id LIMIT $13"

# A page ($12 cursor, $13 size), the same with each resource's owner, and the filter's total.
PAGE_SQL = f"{SCOPE_CTE} SELECT {COLUMNS} {_FILTER} {_PAGE}"
PAGE_WITH_OWNERS_SQL = (
    f"{SCOPE_CTE} SELECT {COLUMNS}, {joined_columns('o', 'owner_')}"
    f" FROM resources r LEFT JOIN organizations o ON o.id = r.owner_org_id {_WHERE} {_PAGE}"
)
COUNT_SQL = f"{SCOPE_CTE} SELECT count(*) {_FILTER}"


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """One page of resources; the filter's total only if asked for, the owners if asked for."""

    items: list[Resource]
    total: int | None
    has_next: bool
    owners: dict[uuid.UUID, Organization | None]


def filter_params(*, actor: Principal, filter: ResourceFilter) -> list[Any]:
    """The read scope and the filter as ``$1``–``$11`` of ``PAGE_SQL`` and ``COUNT_SQL``;
    BAD_USER_INPUT for a filter no page can answer."""
    search = filter.search.strip() if filter.search else None
    if search is not None and len(search) > 100:
        raise BadUserInput("search must be at most 100 characters", field="search")
    rules.positive(filter.min_capacity, field="minCapacity")
    if (filter.free_from is None) != (filter.free_to is None):
        missing = "freeTo" if filter.free_to is None else "freeFrom"
        raise BadUserInput("freeFrom and freeTo go together", field=missing)
    if filter.free_from is not None and filter.free_to is not None:
        rules.check_period(filter.free_from, filter.free_to, from_field="freeFrom", to_field="freeTo")
    scope = ReadScope.of(actor)
    return [
        scope.partner,
        scope.sees_all,
        scope.admin_org_ids,
        filter.kind.value if filter.kind else None,
        filter.owner_org_id,
        filter.tag.strip() if filter.tag else None,
        _like_pattern(search) if search else None,
        filter.min_capacity,
        filter.free_from,
        filter.free_to,
        filter.status.value if filter.status else None,
    ]


async def list_resources(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: ResourceFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool = True,
    with_owners: bool = False,
) -> ResourcePage:
    """One page of the resources the caller may see, in creation order; the filter's total
    unless ``count`` is false, and with ``with_owners`` their owning organisations, in the
    same statement as the page."""
    args = filter_params(actor=actor, filter=filter)
    rows = await conn.fetch(PAGE_WITH_OWNERS_SQL if with_owners else PAGE_SQL, *args, after, first + 1)
    total = int(await conn.fetchval(COUNT_SQL, *args)) if count else None
    page = rows[:first]
    owners = {row["owner_org_id"]: joined_organization(row, "owner_") for row in page} if with_owners else {}
    return ResourcePage(
        items=[resource_from_record(row) for row in page],
        total=total,
        has_next=len(rows) > first,
        owners=owners,
    )


# $1–$3 read scope, $4 the ids.
BY_ID_SQL = f"{SCOPE_CTE} SELECT {COLUMNS} FROM resources r WHERE r.id = ANY($4::uuid[]) AND ({SCOPE_WHERE})"


async def resources_by_id(
    conn: asyncpg.Connection, *, actor: Principal, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Resource]:
    """The resources among ``ids`` the caller may see (others are simply absent)."""
    scope = ReadScope.of(actor)
    rows = await conn.fetch(
        BY_ID_SQL,
        scope.partner,
        scope.sees_all,
        scope.admin_org_ids,
        ids,
    )
    return {row["id"]: resource_from_record(row) for row in rows}


async def get_resource(conn: asyncpg.Connection, *, actor: Principal, resource_id: uuid.UUID) -> Resource:
    """One resource the caller may see; NotFound otherwise (other tenants' included)."""
    found = await resources_by_id(conn, actor=actor, ids=[resource_id])
    if resource_id not in found:
        raise NotFound("no such resource", field="id")
    return found[resource_id]
