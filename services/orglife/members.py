"""Party members (党员) of a branch: register, update, opt out of birthday notices, read.

Only the fields the issue lists are kept: name, join date (入党日期), status, the date of full
membership, a phone (admins only). Membership history (党员所在支部) lives in
``party_memberships``: one open row per member, closed when a transfer is accepted.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from dataclasses import dataclass, replace
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text, phone_number
from services.directory.reads import Role
from services.events.changes import Actor, record_change
from services.orglife.access import ReadScope, audit_reads, require_manager
from services.orglife.events import MemberRegistered, MemberUpdated
from services.orglife.models import CONSTRAINTS, ListPage, Member, Membership, MemberStatus

COLUMNS = """m.id, m.organization_id, m.name, m.joined_on, m.status, m.full_member_on, m.phone, m.account_id,
m.birthday_opt_out, m.left_on, m.created_at, m.updated_at"""
ENTITY = "party_member"


@dataclass(frozen=True, slots=True)
class MemberData:
    name: str
    joined_on: dt.date
    status: str
    full_member_on: dt.date | None
    phone: str | None


def audit_view(member: Member) -> dict[str, Any]:
    # Personal values stay out of the audit trail: it records which fields changed.
    return {
        "organizationId": str(member.organization_id),
        "status": member.status,
        "name": "(set)",
        "joinedOn": member.joined_on.isoformat(),
        "fullMemberOn": member.full_member_on.isoformat() if member.full_member_on else None,
        "phone": "(set)" if member.phone else None,
        "birthdayOptOut": member.birthday_opt_out,
        "accountId": str(member.account_id) if member.account_id else None,
    }


def checked(data: MemberData, *, today: dt.date) -> MemberData:
    """The input, cleaned; bad values answer BAD_USER_INPUT naming the field."""
    name = clean_text(data.name, field="name", max_length=100)
    if data.joined_on > today:
        raise BadUserInput("the join date cannot be in the future", field="joinedOn")
    if data.status not in MemberStatus.__members__:
        raise BadUserInput("status must be PROBATIONARY or FULL", field="status")
    if data.status == MemberStatus.FULL and data.full_member_on is None:
        raise BadUserInput("a FULL member needs the date of full membership", field="fullMemberOn")
    if data.status == MemberStatus.PROBATIONARY and data.full_member_on is not None:
        raise BadUserInput("a probationary member has no full-membership date", field="fullMemberOn")
    if data.full_member_on is not None:
        if data.full_member_on < data.joined_on:
            raise BadUserInput("full membership cannot come before the join date", field="fullMemberOn")
        if data.full_member_on > today:
            raise BadUserInput("the full-membership date cannot be in the future", field="fullMemberOn")
    return MemberData(
        name=name,
        joined_on=data.joined_on,
        status=data.status,
        full_member_on=data.full_member_on,
        phone=phone_number(data.phone, field="phone"),
    )


async def today(conn: asyncpg.Connection) -> dt.date:
    found: dt.date = await conn.fetchval("SELECT orglife_today()")
    return found


async def fetch_member(conn: asyncpg.Connection, member_id: uuid.UUID, *, lock: bool = False) -> Member:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM party_members m WHERE m.id = $1" + (" FOR UPDATE" if lock else ""), member_id
    )
    if row is None:
        raise NotFound("no such member")
    return from_record(Member, row)


async def insert_member(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    organization_id: uuid.UUID,
    data: MemberData,
    member_since: dt.date,
    account_id: uuid.UUID | None = None,
    transfer_id: uuid.UUID | None = None,
) -> Member:
    """A member row and its open membership, with the audit row and event."""
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO party_members AS m (tenant_id, organization_id, name, joined_on, full_member_on,
                                        phone, account_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}
        """,
        actor.tenant_id,
        organization_id,
        data.name,
        data.joined_on,
        data.full_member_on,
        data.phone,
        account_id,
    )
    member = from_record(Member, row)
    await conn.execute(
        "INSERT INTO party_memberships (tenant_id, member_id, organization_id, from_on, transfer_id)"
        " VALUES ($1, $2, $3, $4, $5)",
        actor.tenant_id,
        member.id,
        organization_id,
        member_since,
        transfer_id,
    )
    await record_change(conn, actor, MemberRegistered.of(member), after=audit_view(member))
    return member


async def _check_branch(conn: asyncpg.Connection, organization_id: uuid.UUID) -> None:
    if not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1 AND archived_at IS NULL)", organization_id
    ):
        raise NotFound("no such organization")


async def register_member(
    conn: asyncpg.Connection, *, actor: Principal, organization_id: uuid.UUID, data: MemberData
) -> Member:
    """A new member of a branch (党员登记), belonging to it from the join date."""
    await _check_branch(conn, organization_id)
    await require_manager(conn, actor, organization_id, doing="register its members")
    cleaned = checked(data, today=await today(conn))
    return await insert_member(
        conn, actor=actor, organization_id=organization_id, data=cleaned, member_since=cleaned.joined_on
    )


async def update_member(
    conn: asyncpg.Connection, *, actor: Principal, member_id: uuid.UUID, data: MemberData
) -> Member:
    """Correct a member's fields, or record full membership (转正)."""
    before = await fetch_member(conn, member_id, lock=True)
    await require_manager(conn, actor, before.organization_id, doing="update its members")
    if before.left_on is not None:
        raise BadUserInput("the member has moved to another district", field="id")
    cleaned = checked(data, today=await today(conn))
    first_from = await conn.fetchval(
        "SELECT min(from_on) FROM party_memberships WHERE member_id = $1", member_id
    )
    if first_from is not None and cleaned.joined_on > first_from:
        raise BadUserInput("the join date cannot be after the member's first branch", field="joinedOn")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        UPDATE party_members m SET name = $2, joined_on = $3, full_member_on = $4, phone = $5,
               updated_at = now()
        WHERE m.id = $1 RETURNING {COLUMNS}
        """,
        member_id,
        cleaned.name,
        cleaned.joined_on,
        cleaned.full_member_on,
        cleaned.phone,
    )
    member = from_record(Member, row)
    await record_change(
        conn, actor, MemberUpdated.of(member), before=audit_view(before), after=audit_view(member)
    )
    return member


async def set_birthday_opt_out(
    conn: asyncpg.Connection, *, actor: Principal, member_id: uuid.UUID, opt_out: bool
) -> Member:
    """A member declines (or accepts again) political-birthday notices; their branch's admins may too."""
    before = await fetch_member(conn, member_id, lock=True)
    if before.account_id != actor.account_id:
        await require_manager(conn, actor, before.organization_id, doing="change a member's notices")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"UPDATE party_members m SET birthday_opt_out = $2, updated_at = now() WHERE m.id = $1"
        f" RETURNING {COLUMNS}",
        member_id,
        opt_out,
    )
    member = from_record(Member, row)
    await record_change(
        conn, actor, MemberUpdated.of(member), before=audit_view(before), after=audit_view(member)
    )
    return member


# Parameters: $1 sees_all, $2 subtree, $3 the caller's account.
_SCOPE = "($1::boolean OR m.organization_id = ANY($2::uuid[]) OR m.account_id = $3)"


@dataclass(frozen=True, slots=True)
class MemberFilter:
    organization_id: uuid.UUID | None = None
    status: str | None = None
    search: str | None = None


async def list_members(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: MemberFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool,
) -> ListPage[Member]:
    """Current members the caller may read, by id; every read audited unless the caller is
    the branch's own admin."""
    scope = await ReadScope.of(conn, actor)
    search = None
    if filter.search:
        search = clean_text(filter.search, field="search", max_length=100)
    where = f"""{_SCOPE} AND m.left_on IS NULL AND ($4::uuid IS NULL OR m.organization_id = $4)
        AND ($5::text IS NULL OR m.status = $5) AND ($6::text IS NULL OR m.name ILIKE '%' || $6 || '%')"""
    args = (scope.sees_all, scope.subtree, actor.account_id, filter.organization_id, filter.status, search)
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM party_members m WHERE {where} AND ($7::uuid IS NULL OR m.id > $7)"
        " ORDER BY m.id LIMIT $8",
        *args,
        after,
        first + 1,
    )
    items = [_shown(from_record(Member, row), actor, scope) for row in rows[:first]]
    total = (
        int(await conn.fetchval(f"SELECT count(*) FROM party_members m WHERE {where}", *args))
        if count
        else None
    )
    await audit_reads(
        conn, actor=actor, scope=scope, entity_type=ENTITY, read=((m.id, m.organization_id) for m in items)
    )
    return ListPage(items=items, total=total, has_next=len(rows) > first)


async def get_member(conn: asyncpg.Connection, *, actor: Principal, member_id: uuid.UUID) -> Member:
    """One member the caller may read (NOT_FOUND otherwise: another tenant's id or out of reach)."""
    scope = await ReadScope.of(conn, actor)
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM party_members m WHERE m.id = $4 AND {_SCOPE}",
        scope.sees_all,
        scope.subtree,
        actor.account_id,
        member_id,
    )
    if row is None:
        raise NotFound("no such member")
    member = _shown(from_record(Member, row), actor, scope)
    await audit_reads(
        conn, actor=actor, scope=scope, entity_type=ENTITY, read=[(member.id, member.organization_id)]
    )
    return member


def _shown(member: Member, actor: Principal, scope: ReadScope) -> Member:
    """Phones are for admins: the alliance admin and the admins of the branch or above."""
    if Role.ALLIANCE_ADMIN in actor.roles or scope.manages(member.organization_id):
        return member
    return replace(member, phone=None)


async def memberships_of(
    conn: asyncpg.Connection, *, member_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[Membership]]:
    """Branch history (所在支部) of members already read, oldest first."""
    rows = await conn.fetch(
        "SELECT member_id, organization_id, from_on, to_on, transfer_id FROM party_memberships"
        " WHERE member_id = ANY($1::uuid[]) ORDER BY from_on, id",
        member_ids,
    )
    found: dict[uuid.UUID, list[Membership]] = {i: [] for i in member_ids}
    for row in rows:
        found[row["member_id"]].append(from_record(Membership, row))
    return found


EXPORT_LIMIT = 5000
MASKED = "***"


async def export_members(conn: asyncpg.Connection, *, actor: Principal, filter: MemberFilter) -> str:
    """The members the caller may read as CSV (导出), at most ``EXPORT_LIMIT``; phones masked
    unless the caller may see them. Audited as a read of every row."""
    scope = await ReadScope.of(conn, actor)
    page = await list_members(conn, actor=actor, filter=filter, first=EXPORT_LIMIT, after=None, count=False)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "organizationId", "name", "joinedOn", "status", "fullMemberOn", "phone"])
    for member in page.items:
        visible = Role.ALLIANCE_ADMIN in actor.roles or scope.manages(member.organization_id)
        writer.writerow(
            [
                member.id,
                member.organization_id,
                member.name,
                member.joined_on.isoformat(),
                member.status,
                member.full_member_on.isoformat() if member.full_member_on else "",
                (member.phone or "") if visible else MASKED,
            ]
        )
    return out.getvalue()
