"""Mutations of meetings (会议): schedule, cancel, attendance, minutes."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.councils.inputs import (
    CancelMeetingInput,
    PublishMinutesInput,
    RecordAttendanceInput,
    ScheduleMeetingInput,
)
from schema.councils.types import Meeting
from schema.pagination import parse_id
from schema.permissions import requires
from services.core.errors import BadUserInput
from services.councils import attendance, meetings
from services.councils.models import MAX_ATTENDANCE


@strawberry.type
class MeetingPayload:
    meeting: Meeting


@strawberry.type
class MeetingMutation:
    @strawberry.mutation(
        description=(
            "Schedule a meeting (安排会议); a shared venue is booked with it, and a clash answers CONFLICT."
        ),
        extensions=requires("meeting", "schedule"),
    )
    async def schedule_meeting(self, info: Info, input: ScheduleMeetingInput) -> MeetingPayload:
        plan = meetings.MeetingPlan(
            council_id=parse_id(input.council_id, "councilId"),
            title=input.title,
            start=input.start,
            end=input.end,
            convening_organization_id=parse_id(input.convening_organization_id, "conveningOrganizationId")
            if input.convening_organization_id
            else None,
            venue_resource_id=parse_id(input.venue_resource_id, "venueResourceId")
            if input.venue_resource_id
            else None,
            place=input.place,
            reminder_minutes=input.reminder_minutes,
        )
        async with info.context.db() as conn:
            meeting = await meetings.schedule_meeting(conn, actor=info.context.principal, plan=plan)
        return MeetingPayload(meeting=Meeting.from_model(meeting))

    @strawberry.mutation(
        description="Cancel a scheduled meeting (取消会议).", extensions=requires("meeting", "cancel")
    )
    async def cancel_meeting(self, info: Info, input: CancelMeetingInput) -> MeetingPayload:
        async with info.context.db() as conn:
            meeting = await meetings.cancel_meeting(
                conn, actor=info.context.principal, meeting_id=parse_id(input.id), reason=input.reason
            )
        return MeetingPayload(meeting=Meeting.from_model(meeting))

    @strawberry.mutation(
        description="Record attendance per member unit once the meeting has begun (出席登记).",
        extensions=requires("meeting", "run"),
    )
    async def record_attendance(self, info: Info, input: RecordAttendanceInput) -> MeetingPayload:
        if len(input.entries) > MAX_ATTENDANCE:
            raise BadUserInput(f"at most {MAX_ATTENDANCE} entries", field="entries")
        entries = [
            attendance.AttendanceEntry(
                organization_id=parse_id(e.organization_id, "organizationId"),
                status=e.status.value,
                delegate=e.delegate,
            )
            for e in input.entries
        ]
        async with info.context.db() as conn:
            meeting = await attendance.record_attendance(
                conn,
                actor=info.context.principal,
                meeting_id=parse_id(input.meeting_id, "meetingId"),
                entries=entries,
            )
        return MeetingPayload(meeting=Meeting.from_model(meeting))

    @strawberry.mutation(
        description="Publish the minutes of a held meeting (发布纪要); the meeting is read-only afterwards.",
        extensions=requires("meeting", "run"),
    )
    async def publish_minutes(self, info: Info, input: PublishMinutesInput) -> MeetingPayload:
        async with info.context.db() as conn:
            meeting = await meetings.publish_minutes(
                conn,
                actor=info.context.principal,
                meeting_id=parse_id(input.meeting_id, "meetingId"),
                text=input.text,
            )
        return MeetingPayload(meeting=Meeting.from_model(meeting))
