"""Who may see a council and who may act in it, checked with the rows in hand.

Casbin has already said the caller's role may do the action at all. Here: partners see
public councils only, and of their meetings none cancelled (SQL predicates, shared by the
services' reads and the compiled reads); a meeting is run by the host's admin or the meeting's
convener's admin (and the alliance admin); items are raised and commented on by member units'
admins.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import Forbidden, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.councils.models import Council, Meeting
from services.directory.reads import Role, may_manage

COUNCIL_COLUMNS = "c.id, c.tenant_id, c.name, c.kind, c.host_org_id, c.public, c.created_at, c.updated_at"


@dataclass(frozen=True, slots=True)
class ReadScope:
    """Partners read public councils only (and of those never the details)."""

    partner: bool

    @classmethod
    def of(cls, actor: Principal) -> ReadScope:
        return cls(partner=actor.is_partner)


def council_visible(alias: str, partner: str) -> str:
    """SQL: the caller sees the council row ``alias``; ``partner`` is the placeholder of
    ``ReadScope.partner`` (partners see public councils only)."""
    return f"(NOT {partner}::boolean OR {alias}.public)"


def meeting_visible(alias: str, partner: str) -> str:
    """SQL: the caller sees the meeting row ``alias`` of a council it sees; ``partner`` as in
    ``council_visible`` (partners see no cancelled meetings)."""
    return f"(NOT {partner}::boolean OR {alias}.status <> 'CANCELLED')"


def agenda_item_visible(alias: str, partner: str) -> str:
    """SQL: the caller sees the agenda item row ``alias`` (and so its comments): its council is
    one it sees, and so is its meeting when it is on one; ``partner`` as in ``council_visible``.

    Casbin's ``council``/``read_details`` says whether a role reads items at all; a login or
    key that holds the partner role beside one that reads details still sees only the items of
    the councils and meetings it sees."""
    return (
        f"(EXISTS (SELECT 1 FROM councils vc WHERE vc.tenant_id = {alias}.tenant_id"
        f" AND vc.id = {alias}.council_id AND {council_visible('vc', partner)})"
        f" AND ({alias}.meeting_id IS NULL OR EXISTS (SELECT 1 FROM council_meetings vm"
        f" WHERE vm.tenant_id = {alias}.tenant_id AND vm.id = {alias}.meeting_id"
        f" AND {meeting_visible('vm', partner)})))"
    )


def resolutions_visible(meeting: str, details: str) -> str:
    """SQL: the caller sees the resolutions of the meeting row ``meeting`` (one it sees): once
    its minutes are published, or before to those who read a council's details (``details``, a
    boolean), as ``Meeting.resolutions`` answers."""
    return f"({meeting}.status = 'MINUTES_PUBLISHED' OR {details})"


async def council_for(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    council_id: uuid.UUID,
    field: str = "councilId",
    lock: bool = False,
) -> Council:
    """The council, as far as the caller may see it (NOT_FOUND otherwise)."""
    row = await conn.fetchrow(
        f"SELECT {COUNCIL_COLUMNS} FROM councils c WHERE c.id = $1 AND {council_visible('c', '$2')}"
        + (" FOR UPDATE" if lock else ""),
        council_id,
        ReadScope.of(actor).partner,
    )
    if row is None:
        raise NotFound("no such council", field=field)
    return from_record(Council, row)


async def is_member(conn: asyncpg.Connection, *, council_id: uuid.UUID, organization_id: uuid.UUID) -> bool:
    """Whether the organisation is a current member unit (the host counts as one)."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM council_members WHERE council_id = $1 AND organization_id = $2"
            " AND left_on IS NULL) OR EXISTS (SELECT 1 FROM councils WHERE id = $1 AND host_org_id = $2)",
            council_id,
            organization_id,
        )
    )


async def member_unit(
    conn: asyncpg.Connection, *, actor: Principal, council: Council, given: uuid.UUID | None, field: str
) -> uuid.UUID:
    """The member unit the caller acts for: ``given``, or the one of its roles that is a member.
    A unit that is not a member may not raise items or comment (FORBIDDEN)."""
    if given is not None:
        if not await is_member(conn, council_id=council.id, organization_id=given):
            raise Forbidden(f"{field}: only member units of the council may do this")
        if given not in actor.organization_ids and not await may_manage(conn, actor, given):
            raise Forbidden(f"you may act only for your own organization ({field})")
        return given
    for organization_id in sorted(actor.managed_organization_ids):
        if await is_member(conn, council_id=council.id, organization_id=organization_id):
            return organization_id
    if Role.ALLIANCE_ADMIN in actor.roles:
        return council.host_org_id
    raise Forbidden("only member units of the council may do this")


async def may_run(
    conn: asyncpg.Connection, *, actor: Principal, council: Council, meeting: Meeting | None
) -> None:
    """The host's admin, the meeting's convener's admin or the alliance admin (FORBIDDEN otherwise)."""
    if await may_manage(conn, actor, council.host_org_id):
        return
    if meeting is not None and await may_manage(conn, actor, meeting.convening_org_id):
        return
    raise Forbidden("only the host's or the convener's admin runs this council's meetings")
