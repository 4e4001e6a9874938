"""三会一课 records (组织生活记录): a branch records each session; the levels above look them up.

Attendees and absentees must be members of that branch on that day (the membership history
answers it). Every look-up by anyone but the branch's own admin is audited (调阅留痕).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.validation import clean_text, optional_text
from services.events.changes import record_change
from services.orglife.access import ReadScope, audit_reads, require_manager
from services.orglife.events import LifeRecorded
from services.orglife.members import today
from services.orglife.models import CONSTRAINTS, Absence, LifeKind, LifeRecord, ListPage

ENTITY = "organisational_life_record"
MAX_PEOPLE = 500
_COLUMNS = (
    "l.id, l.organization_id, l.kind, l.held_on, l.topic, l.place, l.resource_id, l.minutes, l.created_at"
)


@dataclass(frozen=True, slots=True)
class RecordData:
    organization_id: uuid.UUID
    kind: str
    held_on: dt.date
    topic: str
    place: str | None
    resource_id: uuid.UUID | None
    attendee_member_ids: list[uuid.UUID]
    absentees: list[Absence]
    minutes: str | None


async def _not_members(
    conn: asyncpg.Connection, organization_id: uuid.UUID, on: dt.date, member_ids: list[uuid.UUID]
) -> bool:
    found = await conn.fetchval(
        "SELECT count(DISTINCT member_id) FROM party_memberships WHERE organization_id = $1"
        " AND member_id = ANY($2::uuid[]) AND from_on <= $3 AND (to_on IS NULL OR to_on > $3)",
        organization_id,
        member_ids,
        on,
    )
    return int(found) != len(set(member_ids))


async def record_session(conn: asyncpg.Connection, *, actor: Principal, data: RecordData) -> LifeRecord:
    """Record one session (记录组织生活) with its attendance."""
    if not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)", data.organization_id
    ):
        raise NotFound("no such organization")
    await require_manager(conn, actor, data.organization_id, doing="record its sessions")
    if data.kind not in LifeKind.__members__:
        raise BadUserInput("unknown kind of session", field="kind")
    if data.held_on > await today(conn):
        raise BadUserInput("a session is recorded once it is held", field="heldOn")
    topic = clean_text(data.topic, field="topic", max_length=200)
    place = optional_text(data.place, field="place", max_length=200)
    minutes = optional_text(data.minutes, field="minutes", max_length=20000, multiline=True)
    attendees = list(dict.fromkeys(data.attendee_member_ids))
    if not attendees:
        raise BadUserInput("a session has at least one attendee", field="attendeeMemberIds")
    if len(attendees) + len(data.absentees) > MAX_PEOPLE:
        raise BadUserInput(f"at most {MAX_PEOPLE} people", field="attendeeMemberIds")
    absentees = [
        Absence(a.member_id, clean_text(a.reason, field="absentees", max_length=200)) for a in data.absentees
    ]
    absent_ids = [a.member_id for a in absentees]
    if len(set(absent_ids)) != len(absent_ids) or set(absent_ids) & set(attendees):
        raise BadUserInput("each member is either present or absent, once", field="absentees")
    if await _not_members(conn, data.organization_id, data.held_on, attendees):
        raise BadUserInput(
            "an attendee is not a member of the branch on that date", field="attendeeMemberIds"
        )
    if absent_ids and await _not_members(conn, data.organization_id, data.held_on, absent_ids):
        raise BadUserInput("an absentee is not a member of the branch on that date", field="absentees")
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO organisational_life_records AS l (tenant_id, organization_id, kind, held_on, topic, place,
                                                      resource_id, minutes, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {_COLUMNS}
        """,
        actor.tenant_id,
        data.organization_id,
        data.kind,
        data.held_on,
        topic,
        place,
        data.resource_id,
        minutes,
        actor.account_id,
    )
    await conn.execute(
        """
        INSERT INTO organisational_life_attendance (tenant_id, record_id, member_id, present, absence_reason)
        SELECT $1, $2, a.member_id, a.reason IS NULL, a.reason
        FROM unnest($3::uuid[], $4::text[]) AS a (member_id, reason)
        """,
        actor.tenant_id,
        row["id"],
        attendees + absent_ids,
        [None] * len(attendees) + [a.reason for a in absentees],
    )
    record = LifeRecord(**dict(row), attendee_member_ids=tuple(attendees), absentees=tuple(absentees))
    await record_change(
        conn,
        actor,
        LifeRecorded.of(record),
        after={"kind": record.kind, "heldOn": record.held_on.isoformat()},
    )
    return record


@dataclass(frozen=True, slots=True)
class RecordFilter:
    organization_id: uuid.UUID | None = None
    kind: str | None = None
    from_: dt.date | None = None
    to: dt.date | None = None


async def _with_attendance(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[LifeRecord]:
    ids = [row["id"] for row in rows]
    marks = await conn.fetch(
        "SELECT record_id, member_id, present, absence_reason FROM organisational_life_attendance"
        " WHERE record_id = ANY($1::uuid[]) ORDER BY member_id",
        ids,
    )
    present: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    absent: dict[uuid.UUID, list[Absence]] = {i: [] for i in ids}
    for mark in marks:
        if mark["present"]:
            present[mark["record_id"]].append(mark["member_id"])
        else:
            absent[mark["record_id"]].append(Absence(mark["member_id"], mark["absence_reason"]))
    return [
        LifeRecord(
            **dict(row), attendee_member_ids=tuple(present[row["id"]]), absentees=tuple(absent[row["id"]])
        )
        for row in rows
    ]


async def list_sessions(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: RecordFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool,
) -> ListPage[LifeRecord]:
    """Sessions the caller may look up, by id; each look-up audited (see the module)."""
    scope = await ReadScope.of(conn, actor)
    args = _args(scope, filter)
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM organisational_life_records l WHERE {_WHERE}"
        " AND ($8::uuid IS NULL OR l.id > $8)"
        " ORDER BY l.id LIMIT $9",
        *args,
        after,
        first + 1,
    )
    items = await _with_attendance(conn, list(rows[:first]))
    total = (
        int(await conn.fetchval(f"SELECT count(*) FROM organisational_life_records l WHERE {_WHERE}", *args))
        if count
        else None
    )
    await _audit(conn, actor, scope, items)
    return ListPage(items=items, total=total, has_next=len(rows) > first)


async def get_session(conn: asyncpg.Connection, *, actor: Principal, record_id: uuid.UUID) -> LifeRecord:
    """One session the caller may look up, as ``list_sessions`` sees it (no filter) and audited
    as it audits; NOT_FOUND otherwise (also for another tenant's id)."""
    scope = await ReadScope.of(conn, actor)
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM organisational_life_records l WHERE l.id = $8 AND {_WHERE}",
        *_args(scope, RecordFilter()),
        record_id,
    )
    if row is None:
        raise NotFound("no such session record", field="id")
    items = await _with_attendance(conn, [row])
    await _audit(conn, actor, scope, items)
    return items[0]


# Which sessions a caller may look up (its scope, $1 to $3), narrowed by a filter ($4 to $7).
_WHERE = """($1::boolean OR l.organization_id = ANY($2::uuid[]) OR l.organization_id = ANY($3::uuid[]))
    AND ($4::uuid IS NULL OR l.organization_id = $4) AND ($5::text IS NULL OR l.kind = $5)
    AND ($6::date IS NULL OR l.held_on >= $6) AND ($7::date IS NULL OR l.held_on <= $7)"""


def _args(scope: ReadScope, filter: RecordFilter) -> tuple[object, ...]:
    return (
        scope.sees_all,
        scope.subtree,
        scope.member_of,
        filter.organization_id,
        filter.kind,
        filter.from_,
        filter.to,
    )


async def _audit(
    conn: asyncpg.Connection, actor: Principal, scope: ReadScope, items: list[LifeRecord]
) -> None:
    """Each look-up (调阅) of these sessions, as the module says."""
    await audit_reads(
        conn, actor=actor, scope=scope, entity_type=ENTITY, read=((r.id, r.organization_id) for r in items)
    )
