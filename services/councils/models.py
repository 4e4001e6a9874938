"""What the councils services hand back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from services.core.constraints import Collision, Constraints, Invalid


class CouncilKind(enum.StrEnum):
    STREET_JOINT_MEETING = "STREET_JOINT_MEETING"
    COMMUNITY_JOINT_MEETING = "COMMUNITY_JOINT_MEETING"
    SOE_JOINT_MEETING = "SOE_JOINT_MEETING"
    REGIONAL_PARTY_COMMITTEE = "REGIONAL_PARTY_COMMITTEE"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    MINUTES_PUBLISHED = "MINUTES_PUBLISHED"
    CANCELLED = "CANCELLED"


class AgendaItemStatus(enum.StrEnum):
    PROPOSED = "PROPOSED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    DEFERRED = "DEFERRED"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "PRESENT"
    ABSENT = "ABSENT"
    EXCUSED = "EXCUSED"


# The ledger's source name for a resolution's tasks (DESIGN.md §7b).
TASK_SOURCE = "COUNCIL_RESOLUTION"
MAX_TASKS = 50  # per resolution; the table's CHECK bounds it too
MAX_MEMBERS = 200  # given at once to createCouncil
MAX_ATTENDANCE = 200  # entries in one recordAttendance
# A meeting may be entered up to 30 days after it was held (secretaries often do).
PAST_SCHEDULING = dt.timedelta(days=30)
MAX_MEETING_LENGTH = dt.timedelta(days=1)
DEFAULT_REMINDER_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Council:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
    host_org_id: uuid.UUID
    public: bool
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Membership:
    id: uuid.UUID
    council_id: uuid.UUID
    organization_id: uuid.UUID
    joined_on: dt.date
    left_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Meeting:
    id: uuid.UUID
    tenant_id: uuid.UUID
    council_id: uuid.UUID
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    convening_org_id: uuid.UUID
    place: str | None
    venue_resource_id: uuid.UUID | None
    venue_booking_id: uuid.UUID | None
    reminder_minutes: list[int]
    status: str
    minutes: str | None
    minutes_published_at: dt.datetime | None
    cancel_reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AgendaItem:
    id: uuid.UUID
    tenant_id: uuid.UUID
    council_id: uuid.UUID
    raised_by_org_id: uuid.UUID
    raised_by_login: str | None
    title: str
    description: str
    category: str | None
    status: str
    meeting_id: uuid.UUID | None
    reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Comment:
    id: uuid.UUID
    agenda_item_id: uuid.UUID
    organization_id: uuid.UUID
    author_login: str | None
    body: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Attendance:
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    delegate: str | None
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Resolution:
    id: uuid.UUID
    tenant_id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
    text: str
    task_count: int
    adopted_by_login: str | None
    adopted_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AttendanceRate:
    organization_id: uuid.UUID
    meetings: int  # held meetings in the period while a member
    present: int

    @property
    def rate(self) -> float | None:
        return round(self.present / self.meetings, 4) if self.meetings else None


@dataclass(frozen=True, slots=True)
class CouncilFigures:
    """数据化考核 figures of joint councils over a period, computed from the data."""

    council_id: uuid.UUID | None
    period_from: dt.datetime
    period_to: dt.datetime
    meetings_held: int
    attendance: list[AttendanceRate]
    items_raised: int
    items_accepted: int
    items_resolved: int
    items_solved: int
    resolutions: int
    tasks_on_time: int
    tasks_overdue: int


_LOST_RACE = "the change lost a race: {detail}"
# What the councils tables' constraints and triggers mean to a caller (see the migration).
CONSTRAINTS = Constraints(
    {
        "council_meetings_window": Invalid("end", "the meeting must end after it starts"),
        "council_meetings_length": Invalid("end", "a meeting lasts at most a day"),
        "council_meetings_read_only": Collision("the meeting is closed and read-only: {detail}"),
        "council_meetings_transition": Collision(_LOST_RACE),
        "council_meetings_not_begun": Collision("the meeting has not begun: {detail}"),
        "council_members_current": Collision("the organization is already a member"),
        "council_members_dates": Invalid("organizationId", "a membership cannot end before it began"),
        "council_attendance_members_only": Invalid("entries", "only member units attend: {detail}"),
        "council_resolutions_one_per_item": Collision("the agenda item already has a resolution"),
        "council_resolutions_on_agenda": Invalid("agendaItemId", "the item is not on this meeting's agenda"),
    }
)
