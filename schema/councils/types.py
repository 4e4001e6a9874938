"""Council types: councils (联席会议), meetings (会议), agenda items (议题), comments (协商意见),
attendance (出席), resolutions (决议) with their ledger tasks, follow-up (督办) and figures."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.extensions.field_extension import FieldExtension
from strawberry.permission import PermissionExtension

from schema.context import Info
from schema.councils.loaders import (
    agenda_loader,
    attendance_loader,
    comments_loader,
    council_loader,
    meeting_loader,
    meetings_loader,
    members_loader,
    open_tasks_loader,
    resolutions_loader,
    tasks_loader,
)
from schema.directory.loaders import organization_loader
from schema.directory.types import Organization
from schema.nodes import Node
from schema.permissions import Quietly
from services.councils import feeds, followup, models
from services.ledger.reads import SourcedTaskState

strawberry.enum(
    models.CouncilKind,
    name="CouncilKind",
    description=(
        "Kind of joint council (联席会议类型): STREET_JOINT_MEETING "
        "街道党建联席会议, COMMUNITY_JOINT_MEETING "
        "社区党建联席会议, SOE_JOINT_MEETING 国有企业党建联席会议, REGIONAL_PARTY_COMMITTEE 区域党委."
    ),
)
strawberry.enum(
    models.MeetingStatus,
    name="MeetingStatus",
    description=(
        "Life of a meeting (会议状态): SCHEDULED 已安排 → HELD 已召开 → "
        "MINUTES_PUBLISHED 已发布纪要; CANCELLED 已取消."
    ),
)
strawberry.enum(
    models.AgendaItemStatus,
    name="AgendaItemStatus",
    description=(
        "Life of an agenda item (议题状态): PROPOSED 已提出, ACCEPTED "
        "已列入议程, DECLINED 未采纳, DEFERRED 暂缓, "
        "RESOLVED 已形成决议, CLOSED 已办结（无决议）."
    ),
)
strawberry.enum(
    models.AttendanceStatus,
    name="AttendanceStatus",
    description="Attendance of a member unit (出席情况): PRESENT 出席, ABSENT 缺席, EXCUSED 请假.",
)
CouncilKind = models.CouncilKind
MeetingStatus = models.MeetingStatus
AgendaItemStatus = models.AgendaItemStatus
AttendanceStatus = models.AttendanceStatus


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


def details() -> list[FieldExtension]:
    """Details no partner reads (agenda, comments, attendance, follow-up): empty or null for them."""
    return [
        PermissionExtension(
            permissions=[Quietly("council", "read_details")], use_directives=False, fail_silently=True
        )
    ]


async def _organization(info: Info, organization_id: uuid.UUID) -> Organization | None:
    return Organization.or_none(await organization_loader(info.context).load(organization_id))


@strawberry.type(description="A member unit of a council, with its dates (成员单位).")
class CouncilMember:
    organization_id: strawberry.ID
    joined_on: dt.date = strawberry.field(description="Joined on (加入日期).")
    left_on: dt.date | None = strawberry.field(description="Left on (退出日期); null while a member.")

    @strawberry.field(description="The member organisation (成员单位).")
    async def organization(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.organization_id))


@strawberry.type(description="A ledger task of a resolution (决议任务), as the three-lists ledger keeps it.")
class ResolutionTask:
    id: strawberry.ID = strawberry.field(
        description="Its ledger item's global id (全局标识): node(id) answers it as that LedgerItem."
    )
    title: str = strawberry.field(description="Task (任务).")
    status: str = strawberry.field(
        description="Ledger status (台账状态): OPEN, IN_PROGRESS, SUBMITTED, SIGNED_OFF 已销号, CANCELLED."
    )
    due_date: dt.date = strawberry.field(description="Due date (完成时限).")
    overdue: bool = strawberry.field(description="Past due and not signed off (逾期).")
    signed_off_at: dt.datetime | None = strawberry.field(description="Signed off at (销号时间).")
    lead_organization_id: strawberry.ID

    @classmethod
    def from_state(cls, state: SourcedTaskState) -> ResolutionTask:
        return cls(
            id=_id(state.id),
            title=state.title,
            status=state.status,
            due_date=state.due_date,
            overdue=state.overdue,
            signed_off_at=state.signed_off_at,
            lead_organization_id=_id(state.responsible_organization_id),
        )

    @strawberry.field(description="Lead unit (牵头单位).")
    async def lead_organization(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.lead_organization_id))


@strawberry.type(description="A comment of a member unit on an agenda item (协商意见).")
class Comment(Node):
    id: strawberry.ID
    body: str = strawberry.field(description="Comment (意见).")
    organization_id: strawberry.ID
    author_login: str | None
    created_at: dt.datetime

    @classmethod
    def from_model(cls, comment: models.Comment) -> Comment:
        return cls(
            id=_id(comment.id),
            body=comment.body,
            organization_id=_id(comment.organization_id),
            author_login=comment.author_login,
            created_at=comment.created_at,
        )

    @strawberry.field(description="Commenting unit (发表意见单位).")
    async def organization(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.organization_id))


@strawberry.type(description="Attendance of one member unit at a meeting (出席记录).")
class Attendance:
    organization_id: strawberry.ID
    status: AttendanceStatus
    delegate: str | None = strawberry.field(description="Delegate's name (参会人).")
    recorded_at: dt.datetime

    @strawberry.field(description="The member unit (成员单位).")
    async def organization(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.organization_id))


@strawberry.type(description="A resolution adopted at a meeting (决议), with its ledger tasks.")
class Resolution(Node):
    id: strawberry.ID
    text: str = strawberry.field(description="Text of the resolution (决议内容).")
    meeting_id: strawberry.ID
    agenda_item_id: strawberry.ID
    adopted_at: dt.datetime = strawberry.field(description="Adopted at (通过时间).")

    @classmethod
    def from_model(cls, resolution: models.Resolution) -> Resolution:
        return cls(
            id=_id(resolution.id),
            text=resolution.text,
            meeting_id=_id(resolution.meeting_id),
            agenda_item_id=_id(resolution.agenda_item_id),
            adopted_at=resolution.adopted_at,
        )

    @strawberry.field(description="Its tasks in the three-lists ledger (任务清单).")
    async def tasks(self, info: Info) -> list[ResolutionTask]:
        found = await tasks_loader(info.context).load(uuid.UUID(self.id))
        return [ResolutionTask.from_state(state) for state in found]

    @strawberry.field(description="The agenda item resolved (议题); null for partners.", extensions=details())
    async def agenda_item(self, info: Info) -> AgendaItem | None:
        items = await agenda_loader(info.context).load(uuid.UUID(self.meeting_id))
        return next((AgendaItem.from_model(i) for i in items if str(i.id) == self.agenda_item_id), None)


@strawberry.type(description="An open task of an earlier resolution, to go through at a meeting (督办事项).")
class FollowUpTask:
    resolution: Resolution
    task: ResolutionTask

    @classmethod
    def from_model(cls, found: followup.FollowUpTask) -> FollowUpTask:
        return cls(
            resolution=Resolution.from_model(found.resolution), task=ResolutionTask.from_state(found.task)
        )


@strawberry.type(description="A problem or proposal raised by a member unit (议题).")
class AgendaItem(Node):
    id: strawberry.ID
    council_id: strawberry.ID
    title: str = strawberry.field(description="Title (议题名称).")
    description: str = strawberry.field(description="Description (议题内容).")
    category: str | None = strawberry.field(description="Category (类别).")
    status: AgendaItemStatus
    reason: str | None = strawberry.field(description="Reason for declining, deferring or closing (理由).")
    meeting_id: strawberry.ID | None
    raised_by_organization_id: strawberry.ID
    created_at: dt.datetime

    @classmethod
    def from_model(cls, item: models.AgendaItem) -> AgendaItem:
        return cls(
            id=_id(item.id),
            council_id=_id(item.council_id),
            title=item.title,
            description=item.description,
            category=item.category,
            status=AgendaItemStatus(item.status),
            reason=item.reason,
            meeting_id=_id(item.meeting_id) if item.meeting_id else None,
            raised_by_organization_id=_id(item.raised_by_org_id),
            created_at=item.created_at,
        )

    @strawberry.field(description="Raising unit (提出单位).")
    async def raised_by(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.raised_by_organization_id))

    @strawberry.field(description="Comments of member units (协商意见).")
    async def comments(self, info: Info) -> list[Comment]:
        return [Comment.from_model(c) for c in await comments_loader(info.context).load(uuid.UUID(self.id))]

    @strawberry.field(description="Its resolution (决议), once adopted.")
    async def resolution(self, info: Info) -> Resolution | None:
        if self.meeting_id is None:
            return None
        found = await resolutions_loader(info.context).load(uuid.UUID(self.meeting_id))
        return next((Resolution.from_model(r) for r in found if str(r.agenda_item_id) == self.id), None)

    @strawberry.field(
        description="Solved through consultation (协商解决): resolved, and every task signed off."
    )
    async def solved(self, info: Info) -> bool:
        if self.meeting_id is None or self.status != AgendaItemStatus.RESOLVED:
            return False
        found = await resolutions_loader(info.context).load(uuid.UUID(self.meeting_id))
        resolution = next((r for r in found if str(r.agenda_item_id) == self.id), None)
        if resolution is None:
            return False
        return followup.is_solved(resolution, await tasks_loader(info.context).load(resolution.id))


@strawberry.type(description="A meeting of a council (联席会议会议).")
class Meeting(Node):
    id: strawberry.ID
    council_id: strawberry.ID
    title: str = strawberry.field(description="Title (会议名称).")
    start: dt.datetime = strawberry.field(description="Start (开始时间).")
    end: dt.datetime = strawberry.field(description="End (结束时间).")
    status: MeetingStatus
    place: str | None = strawberry.field(description="Place (地点).")
    venue_resource_id: strawberry.ID | None = strawberry.field(description="Shared venue booked (预约场地).")
    venue_booking_id: strawberry.ID | None = strawberry.field(description="The venue's booking (场地预约).")
    convening_organization_id: strawberry.ID
    reminder_minutes: list[int] = strawberry.field(description="Reminders, minutes before the start (提醒).")
    minutes_published_at: dt.datetime | None
    _minutes: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, meeting: models.Meeting) -> Meeting:
        return cls(
            id=_id(meeting.id),
            council_id=_id(meeting.council_id),
            title=meeting.title,
            start=meeting.starts_at,
            end=meeting.ends_at,
            status=MeetingStatus(meeting.status),
            place=meeting.place,
            venue_resource_id=_id(meeting.venue_resource_id) if meeting.venue_resource_id else None,
            venue_booking_id=_id(meeting.venue_booking_id) if meeting.venue_booking_id else None,
            convening_organization_id=_id(meeting.convening_org_id),
            reminder_minutes=meeting.reminder_minutes,
            minutes_published_at=meeting.minutes_published_at,
            _minutes=meeting.minutes,
        )

    @strawberry.field(description="Minutes (会议纪要), once published.")
    def minutes(self) -> str | None:
        return self._minutes if self.status == MeetingStatus.MINUTES_PUBLISHED else None

    @strawberry.field(description="Convening unit of this meeting (轮值召集单位).")
    async def convener(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.convening_organization_id))

    @strawberry.field(description="The council (联席会议).")
    async def council(self, info: Info) -> Council | None:
        found = await council_loader(info.context).load(uuid.UUID(self.council_id))
        return Council.from_model(found) if found else None

    @strawberry.field(description="Items on the agenda (会议议程).", extensions=details())
    async def agenda(self, info: Info) -> list[AgendaItem]:
        return [AgendaItem.from_model(i) for i in await agenda_loader(info.context).load(uuid.UUID(self.id))]

    @strawberry.field(description="Attendance per member unit (出席情况).", extensions=details())
    async def attendance(self, info: Info) -> list[Attendance]:
        found = await attendance_loader(info.context).load(uuid.UUID(self.id))
        return [
            Attendance(
                organization_id=_id(a.organization_id),
                status=AttendanceStatus(a.status),
                delegate=a.delegate,
                recorded_at=a.recorded_at,
            )
            for a in found
        ]

    @strawberry.field(
        description="Resolutions adopted (决议); partners see them once the minutes are published."
    )
    async def resolutions(self, info: Info) -> list[Resolution]:
        if self.status != MeetingStatus.MINUTES_PUBLISHED and not info.context.allows(
            "council", "read_details"
        ):
            return []
        return [
            Resolution.from_model(r) for r in await resolutions_loader(info.context).load(uuid.UUID(self.id))
        ]

    @strawberry.field(
        description="Open tasks of the council's earlier resolutions, with status and overdue flag (督办).",
        extensions=details(),
    )
    async def follow_up(self, info: Info) -> list[FollowUpTask]:
        meeting = await meeting_loader(info.context).load(uuid.UUID(self.id))
        if meeting is None:
            return []
        found = await open_tasks_loader(info.context).load(meeting.council_id)
        return [FollowUpTask.from_model(f) for f in found if f.followed_up_at(meeting)]


@strawberry.type(description="A joint council (党建联席会议 / 区域党委).")
class Council(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="Name (名称).")
    kind: CouncilKind
    public: bool = strawberry.field(description="Partner systems may read it (公开).")
    host_organization_id: strawberry.ID
    created_at: dt.datetime

    @classmethod
    def from_model(cls, council: models.Council) -> Council:
        return cls(
            id=_id(council.id),
            name=council.name,
            kind=CouncilKind(council.kind),
            public=council.public,
            host_organization_id=_id(council.host_org_id),
            created_at=council.created_at,
        )

    @strawberry.field(description="Host organisation (主办单位).")
    async def host_organization(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.host_organization_id))

    @strawberry.field(description="Member units, former ones with their dates (成员单位).")
    async def members(self, info: Info, current: bool = False) -> list[CouncilMember]:
        found = await members_loader(info.context).load(uuid.UUID(self.id))
        return [
            CouncilMember(organization_id=_id(m.organization_id), joined_on=m.joined_on, left_on=m.left_on)
            for m in found
            if not current or m.left_on is None
        ]

    @strawberry.field(description="Meetings, by start (会议).")
    async def meetings(self, info: Info) -> list[Meeting]:
        return [Meeting.from_model(m) for m in await meetings_loader(info.context).load(uuid.UUID(self.id))]

    @strawberry.field(description="Open tasks of its resolutions (督办任务).", extensions=details())
    async def open_tasks(self, info: Info) -> list[FollowUpTask]:
        found = await open_tasks_loader(info.context).load(uuid.UUID(self.id))
        return [FollowUpTask.from_model(f) for f in found]


@strawberry.type(description="Attendance rate of one member unit (出席率).")
class AttendanceRate:
    organization_id: strawberry.ID
    meetings: int = strawberry.field(description="Held meetings while a member (应出席).")
    present: int = strawberry.field(description="Meetings attended (实际出席).")
    rate: float | None = strawberry.field(description="present / meetings (出席率).")


@strawberry.type(
    description="Figures of joint councils for 数据化考核 (联席会议统计), computed from the data."
)
class CouncilFigures:
    council_id: strawberry.ID | None
    period_from: dt.datetime = strawberry.field(name="from", description="Period start (起).")
    period_to: dt.datetime = strawberry.field(name="to", description="Period end, exclusive (止).")
    meetings_held: int = strawberry.field(description="Meetings held (召开会议).")
    attendance: list[AttendanceRate] = strawberry.field(description="Attendance per member unit (出席率).")
    items_raised: int = strawberry.field(description="Agenda items raised (提出议题).")
    items_accepted: int = strawberry.field(description="Of those, put on an agenda (列入议程, 事务共商).")
    items_resolved: int = strawberry.field(description="Of those, resolved (形成决议).")
    items_solved: int = strawberry.field(description="Of those, solved through consultation (协商解决问题).")
    resolutions: int = strawberry.field(description="Resolutions adopted (决议).")
    tasks_on_time: int = strawberry.field(description="Tasks signed off by their due date (按期销号).")
    tasks_overdue: int = strawberry.field(description="Tasks past due, not signed off (逾期).")

    @classmethod
    def from_model(cls, figures: models.CouncilFigures) -> CouncilFigures:
        return cls(
            council_id=_id(figures.council_id) if figures.council_id else None,
            period_from=figures.period_from,
            period_to=figures.period_to,
            meetings_held=figures.meetings_held,
            attendance=[
                AttendanceRate(
                    organization_id=_id(a.organization_id),
                    meetings=a.meetings,
                    present=a.present,
                    rate=a.rate,
                )
                for a in figures.attendance
            ],
            items_raised=figures.items_raised,
            items_accepted=figures.items_accepted,
            items_resolved=figures.items_resolved,
            items_solved=figures.items_solved,
            resolutions=figures.resolutions,
            tasks_on_time=figures.tasks_on_time,
            tasks_overdue=figures.tasks_overdue,
        )


@strawberry.type(
    description="A calendar feed of a council's meetings (日历订阅); its secret address is shown once."
)
class CouncilFeed(Node):
    id: strawberry.ID
    council_id: strawberry.ID
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @classmethod
    def from_model(cls, feed: feeds.Feed) -> CouncilFeed:
        return cls(
            id=_id(feed.id),
            council_id=_id(feed.council_id),
            created_at=feed.created_at,
            revoked_at=feed.revoked_at,
        )
