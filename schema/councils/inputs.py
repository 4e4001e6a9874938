"""Council inputs: list filters, and what the council, meeting, agenda and resolution mutations take."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.councils.types import AgendaItemStatus, AttendanceStatus, CouncilKind

MEMBER_SINCE = (
    "First day of the membership (入会日期); today by default. Not in the future and at most a "
    "year (366 days) back, so that a meeting entered after it was held (补录) can record the units "
    "that attended it."
)


@strawberry.input(description="Filter of the council list (联席会议筛选).")
class CouncilFilter:
    kind: CouncilKind | None = None
    host_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Host (主办单位)."
    )
    member_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Has this current member unit (成员单位)."
    )
    search: str | None = strawberry.field(default=None, description="Text in the name (检索).")


@strawberry.input(description="Filter of the agenda item list (议题筛选).")
class AgendaItemFilter:
    council_id: strawberry.ID | None = None
    status: AgendaItemStatus | None = None
    raised_by_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Raising unit (提出单位)."
    )


@strawberry.input(description="A new council (新建联席会议).")
class CreateCouncilInput:
    name: str = strawberry.field(description="Name (名称).")
    kind: CouncilKind
    host_organization_id: strawberry.ID = strawberry.field(description="Host organisation (主办单位).")
    member_organization_ids: list[strawberry.ID] = strawberry.field(description="Member units (成员单位).")
    public: bool = strawberry.field(default=False, description="Partner systems may read it (公开).")
    member_since: dt.date | None = strawberry.field(default=None, description=MEMBER_SINCE)


@strawberry.input(description="A member unit joining a council, from today or a given day (增加成员单位).")
class AddCouncilMemberInput:
    council_id: strawberry.ID
    organization_id: strawberry.ID
    member_since: dt.date | None = strawberry.field(default=None, description=MEMBER_SINCE)


@strawberry.input(description="A member unit leaving a council today; its dates are kept (移除成员单位).")
class RemoveCouncilMemberInput:
    council_id: strawberry.ID
    organization_id: strawberry.ID


@strawberry.input(description="A meeting to schedule (安排会议).")
class ScheduleMeetingInput:
    council_id: strawberry.ID
    title: str = strawberry.field(description="Title (会议名称).")
    start: dt.datetime = strawberry.field(description="Start; at most 30 days ago (开始时间).")
    end: dt.datetime = strawberry.field(description="End; at most a day after the start (结束时间).")
    convening_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Convening unit (轮值召集单位); the host by default."
    )
    venue_resource_id: strawberry.ID | None = strawberry.field(
        default=None, description="A shared venue to book for it (预约共享场地)."
    )
    place: str | None = strawberry.field(default=None, description="Place (地点).")
    reminder_minutes: list[int] | None = strawberry.field(
        default=None, description="Reminders, minutes before the start (提醒); 1440 (24 h) by default."
    )


@strawberry.input(description="A meeting to cancel (取消会议).")
class CancelMeetingInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input(description="A problem or proposal for the council (提出议题).")
class ProposeAgendaItemInput:
    council_id: strawberry.ID
    title: str = strawberry.field(description="Title (议题名称).")
    description: str = strawberry.field(description="Description (议题内容).")
    category: str | None = strawberry.field(default=None, description="Category (类别).")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="The member unit raising it (提出单位); the caller's by default."
    )


@strawberry.input(description="Put an item on a meeting's agenda (列入议程).")
class AcceptAgendaItemInput:
    id: strawberry.ID
    meeting_id: strawberry.ID


@strawberry.input(description="Decline an item, with a reason (不予采纳).")
class DeclineAgendaItemInput:
    id: strawberry.ID
    reason: str


@strawberry.input(description="Defer an item (off any agenda), with a reason (暂缓).")
class DeferAgendaItemInput:
    id: strawberry.ID
    reason: str


@strawberry.input(description="Close an item at its meeting without a resolution, with a reason (办结).")
class CloseAgendaItemInput:
    id: strawberry.ID
    reason: str


@strawberry.input(description="A comment on an accepted item (协商意见).")
class CommentOnAgendaItemInput:
    id: strawberry.ID
    body: str
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="The member unit commenting; the caller's by default."
    )


@strawberry.input(description="Attendance of one member unit (出席).")
class AttendanceEntryInput:
    organization_id: strawberry.ID
    status: AttendanceStatus
    delegate: str | None = strawberry.field(default=None, description="Delegate's name (参会人).")


@strawberry.input(description="Attendance of a meeting (出席登记).")
class RecordAttendanceInput:
    meeting_id: strawberry.ID
    entries: list[AttendanceEntryInput]


@strawberry.input(description="A follow-up task of a resolution (决议任务).")
class ResolutionTaskInput:
    title: str = strawberry.field(description="Task (任务).")
    lead_organization_id: strawberry.ID = strawberry.field(description="Lead unit (牵头单位).")
    supporting_organization_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Supporting units (配合单位)."
    )
    due_date: dt.date = strawberry.field(description="Due date (完成时限).")


@strawberry.input(description="A resolution for an item on the meeting's agenda (通过决议).")
class AdoptResolutionInput:
    meeting_id: strawberry.ID
    agenda_item_id: strawberry.ID
    text: str = strawberry.field(description="Text (决议内容).")
    tasks: list[ResolutionTaskInput] = strawberry.field(description="Follow-up tasks, at most 50 (任务).")


@strawberry.input(description="Minutes of a held meeting (发布纪要).")
class PublishMinutesInput:
    meeting_id: strawberry.ID
    text: str


@strawberry.input(description="A calendar feed of a council (日历订阅).")
class CreateCouncilFeedInput:
    council_id: strawberry.ID


@strawberry.input(description="A calendar feed to revoke (撤销日历订阅).")
class RevokeCouncilFeedInput:
    id: strawberry.ID
