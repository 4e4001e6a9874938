"""Attendance (出席) of a meeting, per member unit: present, absent or excused, with the delegate."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import optional_text
from services.councils.events import MeetingAttendanceRecorded
from services.councils.meetings import open_for_records
from services.councils.models import CONSTRAINTS, MAX_ATTENDANCE, Attendance, AttendanceStatus, Meeting
from services.events.changes import record_change

COLUMNS = "a.meeting_id, a.organization_id, a.status, a.delegate, a.recorded_at"


@dataclass(frozen=True, slots=True)
class AttendanceEntry:
    organization_id: uuid.UUID
    status: str
    delegate: str | None = None


async def record_attendance(
    conn: asyncpg.Connection, *, actor: Principal, meeting_id: uuid.UUID, entries: Sequence[AttendanceEntry]
) -> Meeting:
    """Record (or correct) attendance per member unit, by the meeting's convener, once it has begun."""
    if not entries or len(entries) > MAX_ATTENDANCE:
        raise BadUserInput(f"give 1 to {MAX_ATTENDANCE} entries", field="entries")
    cleaned: dict[uuid.UUID, AttendanceEntry] = {}
    for entry in entries:
        if entry.status not in AttendanceStatus.__members__:
            raise BadUserInput("status is not an attendance status", field="entries")
        if entry.organization_id in cleaned:
            raise BadUserInput("an organization is given twice", field="entries")
        delegate = optional_text(entry.delegate, field="delegate", max_length=100)
        cleaned[entry.organization_id] = AttendanceEntry(entry.organization_id, entry.status, delegate)
    meeting, council = await open_for_records(conn, actor=actor, meeting_id=meeting_id)
    members = {
        row["organization_id"]
        for row in await conn.fetch(
            """SELECT organization_id FROM council_members WHERE council_id = $1
               AND joined_on <= ($2 AT TIME ZONE 'Asia/Shanghai')::date
               AND (left_on IS NULL OR left_on >= ($2 AT TIME ZONE 'Asia/Shanghai')::date)""",
            council.id,
            meeting.starts_at,
        )
    }
    if set(cleaned) - members:
        raise BadUserInput("only units that were members on the meeting's day attend", field="entries")
    before = {
        str(row["organization_id"]): row["status"]
        for row in await conn.fetch(
            "SELECT organization_id, status FROM council_attendance WHERE meeting_id = $1", meeting.id
        )
    }
    await CONSTRAINTS.execute(
        conn,
        """INSERT INTO council_attendance (tenant_id, meeting_id, organization_id, status, delegate)
           SELECT $1, $2, e.organization_id, e.status, e.delegate
           FROM unnest($3::uuid[], $4::text[], $5::text[]) AS e (organization_id, status, delegate)
           ON CONFLICT (meeting_id, organization_id)
           DO UPDATE SET status = EXCLUDED.status, delegate = EXCLUDED.delegate, recorded_at = now()""",
        actor.tenant_id,
        meeting.id,
        list(cleaned),
        [entry.status for entry in cleaned.values()],
        [entry.delegate for entry in cleaned.values()],
    )
    await record_change(
        conn,
        actor,
        MeetingAttendanceRecorded.of(meeting, council_public=council.public, entries=len(cleaned)),
        before=before,
        after={str(org): entry.status for org, entry in cleaned.items()},
    )
    return meeting


async def attendance_of(
    conn: asyncpg.Connection, *, meeting_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Attendance]]:
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM council_attendance a WHERE a.meeting_id = ANY($1::uuid[])"
        " ORDER BY a.meeting_id, a.organization_id",
        list(meeting_ids),
    )
    found: dict[uuid.UUID, list[Attendance]] = {mid: [] for mid in meeting_ids}
    for row in rows:
        found[row["meeting_id"]].append(from_record(Attendance, row))
    return found
