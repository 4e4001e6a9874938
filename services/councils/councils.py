"""Councils (联席会议) and their member units: create, add and remove members, read."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from services.core.errors import BadUserInput, Conflict, NotFound
from services.core.principal import Principal
from services.core.records import Page, from_record
from services.core.validation import clean_text, optional_text
from services.councils.access import COUNCIL_COLUMNS, ReadScope, council_for, council_visible
from services.councils.events import CouncilCreated, CouncilMemberAdded, CouncilMemberRemoved
from services.councils.models import CONSTRAINTS, MAX_MEMBERS, Council, CouncilKind, Membership
from services.events.changes import record_change

MEMBER_COLUMNS = "m.id, m.council_id, m.organization_id, m.joined_on, m.left_on"
LOCAL = ZoneInfo("Asia/Shanghai")
# How far back a membership may be dated: far enough for a meeting entered after it was held
# (up to 30 days back) by a council set up since, not so far that old figures shift.
MAX_BACKDATE = dt.timedelta(days=366)


@dataclass(frozen=True, slots=True)
class CouncilFilter:
    kind: str | None = None
    host_organization_id: uuid.UUID | None = None
    member_organization_id: uuid.UUID | None = None
    search: str | None = None


async def _check_organizations(conn: asyncpg.Connection, ids: Sequence[uuid.UUID], *, field: str) -> None:
    found = await conn.fetchval(
        "SELECT count(*) FROM organizations WHERE id = ANY($1::uuid[]) AND archived_at IS NULL",
        list(set(ids)),
    )
    if found != len(set(ids)):
        raise BadUserInput(f"{field} names an organization that is not in this alliance", field=field)


def _member_since(member_since: dt.date | None) -> dt.date:
    """The first day of a membership: today by default, never in the future nor over a year back."""
    today = dt.datetime.now(LOCAL).date()
    if member_since is None:
        return today
    if member_since > today:
        raise BadUserInput("memberSince is in the future", field="memberSince")
    if member_since < today - MAX_BACKDATE:
        raise BadUserInput("memberSince is more than a year back", field="memberSince")
    return member_since


async def create_council(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    name: str,
    kind: str,
    host_organization_id: uuid.UUID,
    member_organization_ids: Sequence[uuid.UUID],
    public: bool = False,
    member_since: dt.date | None = None,
) -> Council:
    """A council with its host and first member units, each membership from ``member_since``
    (today by default)."""
    name = clean_text(name, field="name", max_length=200)
    joined_on = _member_since(member_since)
    if kind not in CouncilKind.__members__:
        raise BadUserInput("kind is not a council kind", field="kind")
    if len(member_organization_ids) > MAX_MEMBERS:
        raise BadUserInput(f"at most {MAX_MEMBERS} member organizations", field="memberOrganizationIds")
    await _check_organizations(conn, [host_organization_id], field="hostOrganizationId")
    members = list(dict.fromkeys(member_organization_ids))
    await _check_organizations(conn, members, field="memberOrganizationIds")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO councils AS c (tenant_id, name, kind, host_org_id, public)
            VALUES ($1, $2, $3, $4, $5) RETURNING {COUNCIL_COLUMNS}""",
        actor.tenant_id,
        name,
        kind,
        host_organization_id,
        public,
    )
    council = from_record(Council, row)
    await conn.executemany(
        """INSERT INTO council_members (tenant_id, council_id, organization_id, joined_on)
           VALUES ($1, $2, $3, $4)""",
        [(actor.tenant_id, council.id, org, joined_on) for org in members],
    )
    await record_change(
        conn,
        actor,
        CouncilCreated.of(council),
        after={
            "name": name,
            "kind": kind,
            "hostOrgId": host_organization_id,
            "public": public,
            "memberOrgIds": [str(org) for org in members],
            "joinedOn": joined_on,
        },
    )
    return council


async def add_member(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    council_id: uuid.UUID,
    organization_id: uuid.UUID,
    member_since: dt.date | None = None,
) -> Council:
    """A new member unit from ``member_since`` (today by default); CONFLICT if it is a member
    already."""
    joined_on = _member_since(member_since)
    council = await council_for(conn, actor=actor, council_id=council_id, lock=True)
    await _check_organizations(conn, [organization_id], field="organizationId")
    if await _current(conn, council.id, organization_id):
        raise Conflict("the organization is already a member")
    # A backdated membership must not reach into an earlier one of the same unit: attendance and
    # figures ask who was a member on a day. (Leaving and rejoining on one day stays possible.)
    last_left = await conn.fetchval(
        "SELECT max(left_on) FROM council_members WHERE council_id = $1 AND organization_id = $2",
        council.id,
        organization_id,
    )
    if last_left is not None and joined_on < last_left:
        raise BadUserInput("memberSince falls within the unit's earlier membership", field="memberSince")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO council_members AS m (tenant_id, council_id, organization_id, joined_on)
            VALUES ($1, $2, $3, $4) RETURNING {MEMBER_COLUMNS}""",
        actor.tenant_id,
        council.id,
        organization_id,
        joined_on,
    )
    membership = from_record(Membership, row)
    await record_change(
        conn,
        actor,
        CouncilMemberAdded.of(council, organization_id=str(organization_id)),
        after={"organizationId": organization_id, "joinedOn": membership.joined_on},
        entity_id=str(membership.id),
    )
    return council


async def remove_member(
    conn: asyncpg.Connection, *, actor: Principal, council_id: uuid.UUID, organization_id: uuid.UUID
) -> Council:
    """End a membership today; the row stays with its dates."""
    council = await council_for(conn, actor=actor, council_id=council_id, lock=True)
    if not await _current(conn, council.id, organization_id):
        raise Conflict("the organization is not a member of this council")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""UPDATE council_members AS m
            SET left_on = greatest((now() AT TIME ZONE 'Asia/Shanghai')::date, joined_on)
            WHERE council_id = $1 AND organization_id = $2 AND left_on IS NULL
            RETURNING {MEMBER_COLUMNS}""",
        council.id,
        organization_id,
    )
    membership = from_record(Membership, row)
    await record_change(
        conn,
        actor,
        CouncilMemberRemoved.of(council, organization_id=str(organization_id)),
        before={"leftOn": None},
        after={"leftOn": membership.left_on},
        entity_id=str(membership.id),
    )
    return council


async def _current(conn: asyncpg.Connection, council_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM council_members WHERE council_id = $1 AND organization_id = $2"
            " AND left_on IS NULL)",
            council_id,
            organization_id,
        )
    )


_FILTER = f"""
FROM councils c
WHERE {council_visible("c", "$1")}
  AND ($2::text IS NULL OR c.kind = $2)
  AND ($3::uuid IS NULL OR c.host_org_id = $3)
  AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM council_members m WHERE m.council_id = c.id
                                   AND m.organization_id = $4 AND m.left_on IS NULL))
  AND ($5::text IS NULL OR c.name ILIKE '%' || $5 || '%')
"""

# The filter ($1–$5 from ``filter_params``), then a page ($6 cursor, $7 size), oldest first;
# the compiled reads run the same statements (schema/councils/compiled.py).
PAGE_SQL = f"SELECT {COUNCIL_COLUMNS} {_FILTER} AND ($6::uuid IS NULL OR c.id > $6) ORDER BY c.id LIMIT $7"
COUNT_SQL = f"SELECT count(*) {_FILTER}"
# $1 whether the caller is a partner, $2 the ids.
BY_ID_SQL = (
    f"SELECT {COUNCIL_COLUMNS} FROM councils c WHERE c.id = ANY($2::uuid[]) AND {council_visible('c', '$1')}"
)


def filter_params(*, actor: Principal, filter: CouncilFilter) -> list[Any]:
    """The read scope and the filter as ``$1``–``$5`` of ``PAGE_SQL`` and ``COUNT_SQL``;
    BAD_USER_INPUT for a filter no page can answer."""
    search = optional_text(filter.search, field="search", max_length=100)
    if search is not None:
        search = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if filter.kind is not None and filter.kind not in CouncilKind.__members__:
        raise BadUserInput("kind is not a council kind", field="kind")
    return [
        ReadScope.of(actor).partner,
        filter.kind,
        filter.host_organization_id,
        filter.member_organization_id,
        search,
    ]


async def list_councils(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: CouncilFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool = True,
) -> Page[Council]:
    """One page of the councils the caller may see, oldest first."""
    args = filter_params(actor=actor, filter=filter)
    rows = await conn.fetch(PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(COUNT_SQL, *args) if count else None
    items = [from_record(Council, row) for row in rows[:first]]
    return Page(items=items, total=int(total or 0), has_next=len(rows) > first)


async def councils_by_id(
    conn: asyncpg.Connection, *, actor: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Council]:
    """The councils among ``ids`` the caller may see (others are simply absent)."""
    rows = await conn.fetch(BY_ID_SQL, ReadScope.of(actor).partner, list(ids))
    return {row["id"]: from_record(Council, row) for row in rows}


async def members_of(
    conn: asyncpg.Connection, *, council_ids: Sequence[uuid.UUID], on: dt.date | None = None
) -> dict[uuid.UUID, list[Membership]]:
    """Memberships by council, former ones too (with their dates), or those current ``on`` a day."""
    rows = await conn.fetch(
        f"""SELECT {MEMBER_COLUMNS} FROM council_members m WHERE m.council_id = ANY($1::uuid[])
            AND ($2::date IS NULL OR (m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on >= $2)))
            ORDER BY m.joined_on, m.id""",
        list(council_ids),
        on,
    )
    found: dict[uuid.UUID, list[Membership]] = {cid: [] for cid in council_ids}
    for row in rows:
        found[row["council_id"]].append(from_record(Membership, row))
    return found


async def require_council(conn: asyncpg.Connection, *, actor: Principal, council_id: uuid.UUID) -> Council:
    """The council or NOT_FOUND (for reads that name one)."""
    found = await councils_by_id(conn, actor=actor, ids=[council_id])
    if council_id not in found:
        raise NotFound("no such council", field="councilId")
    return found[council_id]
