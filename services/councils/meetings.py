"""Meetings (会议) of a council: schedule (booking the venue), cancel, hold, publish minutes.

Each transition locks the meeting row, checks who may make it and that the status allows
it (CONFLICT otherwise); the database's trigger is the last word on statuses and on a
published meeting being read-only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput, Conflict, DomainError, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text, optional_text
from services.councils.access import (
    ReadScope,
    council_for,
    council_visible,
    is_member,
    may_run,
    meeting_visible,
)
from services.councils.events import (
    AgendaItemDeferred,
    MeetingCancelled,
    MeetingEvent,
    MeetingHeld,
    MeetingMinutesPublished,
    MeetingScheduled,
)
from services.councils.models import (
    CONSTRAINTS,
    DEFAULT_REMINDER_MINUTES,
    MAX_MEETING_LENGTH,
    PAST_SCHEDULING,
    AgendaItem,
    Council,
    Meeting,
    MeetingStatus,
)
from services.events.changes import record_change
from services.resources import intake as venues

COLUMNS = (
    "mt.id, mt.tenant_id, mt.council_id, mt.title, mt.starts_at, mt.ends_at, mt.convening_org_id, mt.place,"
    " mt.venue_resource_id, mt.venue_booking_id, mt.reminder_minutes, mt.status, mt.minutes,"
    " mt.minutes_published_at, mt.cancel_reason, mt.created_at, mt.updated_at"
)
ITEM_COLUMNS = (
    "i.id, i.tenant_id, i.council_id, i.raised_by_org_id, i.raised_by_login, i.title, i.description,"
    " i.category, i.status, i.meeting_id, i.reason, i.created_at, i.updated_at"
)


@dataclass(frozen=True, slots=True)
class MeetingPlan:
    council_id: uuid.UUID
    title: str
    start: dt.datetime
    end: dt.datetime
    convening_organization_id: uuid.UUID | None = None
    venue_resource_id: uuid.UUID | None = None
    place: str | None = None
    reminder_minutes: Sequence[int] | None = None


def check_window(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    """End after start, at most a day long, starting no more than 30 days ago."""
    if end <= start:
        raise BadUserInput("end must be after start", field="end")
    if end - start > MAX_MEETING_LENGTH:
        raise BadUserInput("a meeting lasts at most a day", field="end")
    if start < now - PAST_SCHEDULING:
        raise BadUserInput("a meeting may be entered at most 30 days after its start", field="start")


def _reminders(given: Sequence[int] | None) -> list[int]:
    if given is None:
        return [DEFAULT_REMINDER_MINUTES]
    if len(given) > 5 or any(not 1 <= minutes <= 20160 for minutes in given):
        raise BadUserInput("at most 5 reminders, each 1 minute to 14 days before", field="reminderMinutes")
    return sorted(set(given), reverse=True)


async def meeting_for(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    meeting_id: uuid.UUID,
    field: str = "meetingId",
    lock: bool = False,
) -> tuple[Meeting, Council]:
    """The meeting and its council, as far as the caller may see them (NOT_FOUND otherwise)."""
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM council_meetings mt WHERE mt.id = $1 AND {meeting_visible('mt', '$2')}"
        + (" FOR UPDATE" if lock else ""),
        meeting_id,
        ReadScope.of(actor).partner,
    )
    if row is None:
        raise NotFound("no such meeting", field=field)
    meeting = from_record(Meeting, row)
    try:
        council = await council_for(conn, actor=actor, council_id=meeting.council_id, field=field)
    except NotFound:
        raise NotFound("no such meeting", field=field) from None
    return meeting, council


async def _book_venue(
    conn: asyncpg.Connection, *, actor: Principal, plan: MeetingPlan, convener: uuid.UUID, title: str
) -> uuid.UUID:
    request = venues.BookingRequest(
        resource_id=plan.venue_resource_id,  # type: ignore[arg-type]  # checked by the caller
        start=plan.start,
        end=plan.end,
        purpose=title,
        requester_org_id=convener,
    )
    try:
        booking = await venues.request_booking(conn, actor=actor, request=request)
    except DomainError as exc:
        if exc.field in {"resourceId", "requesterOrgId"}:
            exc.field = "venueResourceId"
        raise
    return booking.id


async def schedule_meeting(conn: asyncpg.Connection, *, actor: Principal, plan: MeetingPlan) -> Meeting:
    """A meeting SCHEDULED by the host's or the convener's admin; a venue is booked with it."""
    title = clean_text(plan.title, field="title", max_length=200)
    place = optional_text(plan.place, field="place", max_length=300)
    check_window(plan.start, plan.end, now=dt.datetime.now(dt.UTC))
    reminders = _reminders(plan.reminder_minutes)
    council = await council_for(conn, actor=actor, council_id=plan.council_id)
    convener = plan.convening_organization_id or council.host_org_id
    if not await is_member(conn, council_id=council.id, organization_id=convener):
        raise BadUserInput("the convener must be the host or a member unit", field="conveningOrganizationId")
    probe = Meeting(
        id=uuid.uuid4(),
        tenant_id=actor.tenant_id,
        council_id=council.id,
        title=title,
        starts_at=plan.start,
        ends_at=plan.end,
        convening_org_id=convener,
        place=place,
        venue_resource_id=None,
        venue_booking_id=None,
        reminder_minutes=reminders,
        status=MeetingStatus.SCHEDULED,
        minutes=None,
        minutes_published_at=None,
        cancel_reason=None,
        created_at=plan.start,
        updated_at=plan.start,
    )
    await may_run(conn, actor=actor, council=council, meeting=probe)
    booking_id = None
    if plan.venue_resource_id is not None:
        booking_id = await _book_venue(conn, actor=actor, plan=plan, convener=convener, title=title)
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO council_meetings AS mt (tenant_id, council_id, title, starts_at, ends_at,
            convening_org_id,
                place, venue_resource_id, venue_booking_id, reminder_minutes)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING {COLUMNS}""",
        actor.tenant_id,
        council.id,
        title,
        plan.start,
        plan.end,
        convener,
        place,
        plan.venue_resource_id,
        booking_id,
        reminders,
    )
    meeting = from_record(Meeting, row)
    await record_change(
        conn,
        actor,
        MeetingScheduled.of(meeting, council_public=council.public),
        after={
            "title": title,
            "start": plan.start,
            "end": plan.end,
            "conveningOrgId": convener,
            "place": place,
            "venueResourceId": plan.venue_resource_id,
            "venueBookingId": booking_id,
            "reminderMinutes": reminders,
        },
    )
    return meeting


async def _transition(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    meeting: Meeting,
    council: Council,
    status: MeetingStatus,
    event: type[MeetingEvent],
    minutes: str | None = None,
    reason: str | None = None,
) -> Meeting:
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""UPDATE council_meetings AS mt SET status = $2, minutes = coalesce($3, minutes),
                minutes_published_at = CASE WHEN $2 = 'MINUTES_PUBLISHED' THEN now() END,
                cancel_reason = coalesce($4, cancel_reason), updated_at = now()
            WHERE mt.id = $1 RETURNING {COLUMNS}""",
        meeting.id,
        status.value,
        minutes,
        reason,
    )
    after = from_record(Meeting, row)
    await record_change(
        conn,
        actor,
        event.of(after, council_public=council.public),
        before={"status": meeting.status},
        after={"status": after.status, "reason": reason, "minutes": minutes},
    )
    return after


async def cancel_meeting(
    conn: asyncpg.Connection, *, actor: Principal, meeting_id: uuid.UUID, reason: str | None
) -> Meeting:
    """SCHEDULED → CANCELLED: its venue request is cancelled, its accepted items deferred."""
    reason = optional_text(reason, field="reason", max_length=500, multiline=True)
    meeting, council = await meeting_for(conn, actor=actor, meeting_id=meeting_id, field="id", lock=True)
    await may_run(conn, actor=actor, council=council, meeting=meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"a {meeting.status.lower()} meeting cannot be cancelled")
    if meeting.venue_booking_id is not None:
        status = await conn.fetchval("SELECT status FROM bookings WHERE id = $1", meeting.venue_booking_id)
        if status in {"PENDING", "APPROVED"}:
            await venues.cancel_booking(conn, actor=actor, booking_id=meeting.venue_booking_id)
    cancelled = await _transition(
        conn,
        actor=actor,
        meeting=meeting,
        council=council,
        status=MeetingStatus.CANCELLED,
        event=MeetingCancelled,
        reason=reason,
    )
    rows = await conn.fetch(
        f"""UPDATE council_agenda_items AS i SET status = 'DEFERRED', reason = 'the meeting was cancelled',
                meeting_id = NULL, updated_at = now()
            WHERE i.meeting_id = $1 AND i.status = 'ACCEPTED' RETURNING {ITEM_COLUMNS}""",
        meeting.id,
    )
    for item_row in rows:
        item = from_record(AgendaItem, item_row)
        await record_change(
            conn,
            actor,
            AgendaItemDeferred.of(item),
            before={"status": "ACCEPTED"},
            after={"status": item.status, "reason": item.reason},
        )
    return cancelled


async def open_for_records(
    conn: asyncpg.Connection, *, actor: Principal, meeting_id: uuid.UUID
) -> tuple[Meeting, Council]:
    """The meeting locked for attendance or a resolution: begun, not closed, run by the caller.
    A SCHEDULED meeting that has begun becomes HELD with its first record."""
    meeting, council = await meeting_for(conn, actor=actor, meeting_id=meeting_id, lock=True)
    await may_run(conn, actor=actor, council=council, meeting=meeting)
    if meeting.status not in {MeetingStatus.SCHEDULED, MeetingStatus.HELD}:
        raise Conflict(f"the meeting is {meeting.status.lower()} and read-only")
    if meeting.starts_at > dt.datetime.now(dt.UTC):
        raise Conflict("the meeting has not begun: record attendance and resolutions once it has started")
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting = await _transition(
            conn, actor=actor, meeting=meeting, council=council, status=MeetingStatus.HELD, event=MeetingHeld
        )
    return meeting, council


async def publish_minutes(
    conn: asyncpg.Connection, *, actor: Principal, meeting_id: uuid.UUID, text: str
) -> Meeting:
    """HELD → MINUTES_PUBLISHED (纪要): after that the meeting is read-only."""
    minutes = clean_text(text, field="text", max_length=50000, multiline=True)
    meeting, council = await meeting_for(conn, actor=actor, meeting_id=meeting_id, lock=True)
    await may_run(conn, actor=actor, council=council, meeting=meeting)
    if meeting.status != MeetingStatus.HELD:
        raise Conflict(f"minutes follow a held meeting; this one is {meeting.status.lower()}")
    return await _transition(
        conn,
        actor=actor,
        meeting=meeting,
        council=council,
        status=MeetingStatus.MINUTES_PUBLISHED,
        event=MeetingMinutesPublished,
        minutes=minutes,
    )


# $1 whether the caller is a partner, $2 the ids (the compiled reads run it too).
BY_ID_SQL = (
    f"SELECT {COLUMNS} FROM council_meetings mt JOIN councils c ON c.tenant_id = mt.tenant_id"
    f" AND c.id = mt.council_id WHERE mt.id = ANY($2::uuid[])"
    f" AND {council_visible('c', '$1')} AND {meeting_visible('mt', '$1')}"
)


async def meetings_of(
    conn: asyncpg.Connection, *, actor: Principal, council_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Meeting]]:
    """Meetings by council, by start; partners see no cancelled ones."""
    rows = await conn.fetch(
        f"""SELECT {COLUMNS} FROM council_meetings mt WHERE mt.council_id = ANY($1::uuid[])
            AND {meeting_visible("mt", "$2")} ORDER BY mt.starts_at, mt.id""",
        list(council_ids),
        ReadScope.of(actor).partner,
    )
    found: dict[uuid.UUID, list[Meeting]] = {cid: [] for cid in council_ids}
    for row in rows:
        found[row["council_id"]].append(from_record(Meeting, row))
    return found


async def meetings_by_id(
    conn: asyncpg.Connection, *, actor: Principal, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Meeting]:
    """Meetings by id, as far as the caller may see them (partners: public councils', not cancelled)."""
    rows = await conn.fetch(BY_ID_SQL, ReadScope.of(actor).partner, list(ids))
    return {row["id"]: from_record(Meeting, row) for row in rows}
