"""The councils domain's event types and their read rules.

Aggregates: ``council`` (created, member_added, member_removed), ``meeting`` (scheduled,
cancelled, held, attendance_recorded, minutes_published, reminder), ``agenda_item``
(proposed, accepted, declined, deferred, closed, resolved, commented) and ``resolution``
(adopted). Partners read only public councils' councils and meetings; agenda items,
comments, attendance and resolutions as adopted (before the minutes) never reach them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from services.councils.models import AgendaItem, Council, Meeting, Resolution
from services.events.types import Audience, DomainEvent, Permission

READ = ("council", "read")
READ_DETAILS = ("council", "read_details")


@dataclass(frozen=True, kw_only=True)
class CouncilEvent(DomainEvent, aggregate="council"):
    source: ClassVar[str] = "alliance/councils"
    read_permission: ClassVar[Permission] = READ

    id: str
    name: str
    kind: str
    host_org_id: str
    public: bool

    @classmethod
    def of(cls, council: Council, **more: Any) -> Self:
        return cls(
            id=str(council.id),
            name=council.name,
            kind=council.kind,
            host_org_id=str(council.host_org_id),
            public=council.public,
            **more,
        )

    def audience(self) -> Audience:
        """As ``councils`` reads them: partners only public councils."""
        return Audience(
            permission=self.read_permission,
            partners=self.public is True,
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class CouncilCreated(CouncilEvent, change="created"):
    pass


@dataclass(frozen=True, kw_only=True)
class CouncilMemberAdded(CouncilEvent, change="member_added"):
    audit_entity: ClassVar[str] = "council_member"

    organization_id: str


@dataclass(frozen=True, kw_only=True)
class CouncilMemberRemoved(CouncilEvent, change="member_removed"):
    audit_entity: ClassVar[str] = "council_member"

    organization_id: str


@dataclass(frozen=True, kw_only=True)
class MeetingEvent(DomainEvent, aggregate="meeting"):
    source: ClassVar[str] = "alliance/councils"
    read_permission: ClassVar[Permission] = READ

    id: str
    council_id: str
    title: str
    start: str
    end: str
    convening_org_id: str
    place: str | None
    status: str
    council_public: bool

    @classmethod
    def of(cls, meeting: Meeting, *, council_public: bool, **more: Any) -> Self:
        return cls(
            id=str(meeting.id),
            council_id=str(meeting.council_id),
            title=meeting.title,
            start=meeting.starts_at.isoformat(),
            end=meeting.ends_at.isoformat(),
            convening_org_id=str(meeting.convening_org_id),
            place=meeting.place,
            status=meeting.status,
            council_public=council_public,
            **more,
        )

    def audience(self) -> Audience:
        """As ``meeting`` reads it: partners only the meetings of public councils."""
        return Audience(
            permission=self.read_permission,
            partners=self.council_public is True and self.read_permission == READ,
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class MeetingScheduled(MeetingEvent, change="scheduled"):
    pass


@dataclass(frozen=True, kw_only=True)
class MeetingCancelled(MeetingEvent, change="cancelled"):
    pass


@dataclass(frozen=True, kw_only=True)
class MeetingHeld(MeetingEvent, change="held"):
    pass


@dataclass(frozen=True, kw_only=True)
class MeetingAttendanceRecorded(MeetingEvent, change="attendance_recorded"):
    """Attendance is read in detail only (never by partners)."""

    read_permission: ClassVar[Permission] = READ_DETAILS

    entries: int


@dataclass(frozen=True, kw_only=True)
class MeetingMinutesPublished(MeetingEvent, change="minutes_published"):
    pass


@dataclass(frozen=True, kw_only=True)
class MeetingReminder(MeetingEvent, change="reminder"):
    """Sent before the start by the ``council-reminders`` job, once per meeting and offset."""

    offset_minutes: int


@dataclass(frozen=True, kw_only=True)
class AgendaItemEvent(DomainEvent, aggregate="agenda_item"):
    source: ClassVar[str] = "alliance/councils"
    read_permission: ClassVar[Permission] = READ_DETAILS

    id: str
    council_id: str
    raised_by_org_id: str
    title: str
    category: str | None
    status: str
    meeting_id: str | None
    reason: str | None

    @classmethod
    def of(cls, item: AgendaItem, **more: Any) -> Self:
        return cls(
            id=str(item.id),
            council_id=str(item.council_id),
            raised_by_org_id=str(item.raised_by_org_id),
            title=item.title,
            category=item.category,
            status=item.status,
            meeting_id=str(item.meeting_id) if item.meeting_id else None,
            reason=item.reason,
            **more,
        )

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class AgendaItemProposed(AgendaItemEvent, change="proposed"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgendaItemAccepted(AgendaItemEvent, change="accepted"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgendaItemDeclined(AgendaItemEvent, change="declined"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgendaItemDeferred(AgendaItemEvent, change="deferred"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgendaItemClosed(AgendaItemEvent, change="closed"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgendaItemResolved(AgendaItemEvent, change="resolved"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgendaItemCommented(AgendaItemEvent, change="commented"):
    """A member unit's comment (协商), audited as the comment."""

    audit_entity: ClassVar[str] = "council_agenda_comment"

    comment_id: str
    comment_org_id: str


@dataclass(frozen=True, kw_only=True)
class ResolutionEvent(DomainEvent, aggregate="resolution"):
    source: ClassVar[str] = "alliance/councils"
    read_permission: ClassVar[Permission] = READ_DETAILS

    id: str
    council_id: str
    meeting_id: str
    agenda_item_id: str
    text: str
    task_count: int

    @classmethod
    def of(cls, resolution: Resolution, *, council_id: str) -> Self:
        return cls(
            id=str(resolution.id),
            council_id=council_id,
            meeting_id=str(resolution.meeting_id),
            agenda_item_id=str(resolution.agenda_item_id),
            text=resolution.text,
            task_count=resolution.task_count,
        )

    def audience(self) -> Audience:
        """Adopted, not yet published: partners read resolutions once the minutes are out."""
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class ResolutionAdopted(ResolutionEvent, change="adopted"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    CouncilCreated,
    CouncilMemberAdded,
    CouncilMemberRemoved,
    MeetingScheduled,
    MeetingCancelled,
    MeetingHeld,
    MeetingAttendanceRecorded,
    MeetingMinutesPublished,
    MeetingReminder,
    AgendaItemProposed,
    AgendaItemAccepted,
    AgendaItemDeclined,
    AgendaItemDeferred,
    AgendaItemClosed,
    AgendaItemResolved,
    AgendaItemCommented,
    ResolutionAdopted,
)
