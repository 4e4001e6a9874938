"""Organisational-life types: members (党员), transfers (组织关系转接), 三会一课 records, figures."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry

from schema.context import Info
from schema.directory.loaders import organization_loader
from schema.directory.types import Organization
from schema.nodes import Node
from schema.orglife.loaders import memberships_loader
from services.orglife import models

strawberry.enum(models.MemberStatus, name="MemberStatus", description="PROBATIONARY 预备党员, FULL 正式党员.")
strawberry.enum(
    models.TransferStatus,
    name="TransferStatus",
    description=(
        "Life of a transfer (转接状态): REQUESTED 已申请 → APPROVED_OUT 已同意转出 → ACCEPTED 已接收; "
        "REJECTED 已退回 (with a reason), CANCELLED 已撤回."
    ),
)
strawberry.enum(
    models.TransferDirection,
    name="TransferDirection",
    description="IN 转入 or OUT 转出, seen from the caller's branches.",
)
strawberry.enum(
    models.LifeKind,
    name="OrganisationalLifeKind",
    description=(
        "Kind of session (组织生活类型): BRANCH_GENERAL_MEETING 党员大会, BRANCH_COMMITTEE 支委会, "
        "PARTY_GROUP 党小组会, PARTY_LECTURE 党课, THEMED_PARTY_DAY 主题党日, DEMOCRATIC_LIFE 组织生活会, "
        "MEMBER_EVALUATION 民主评议党员."
    ),
)
strawberry.enum(
    models.Period, name="OrganisationalLifePeriod", description="MONTH 每月, QUARTER 每季度, YEAR 每年."
)
MemberStatus = models.MemberStatus
TransferStatus = models.TransferStatus
TransferDirection = models.TransferDirection
OrganisationalLifeKind = models.LifeKind
OrganisationalLifePeriod = models.Period


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


async def _organization(info: Info, organization_id: uuid.UUID | None) -> Organization | None:
    if organization_id is None:
        return None
    return Organization.or_none(await organization_loader(info.context).load(organization_id))


@strawberry.type(description="One period in a branch (党员所在支部): from a day, until the day of the next.")
class Membership:
    organization_id: strawberry.ID = strawberry.field(description="The branch (支部).")
    from_on: dt.date = strawberry.field(description="Belongs from (起).")
    to_on: dt.date | None = strawberry.field(description="Until, exclusive (止); null while current.")
    transfer_id: strawberry.ID | None = strawberry.field(
        description="The transfer that began or ended it (转接)."
    )

    @classmethod
    def from_model(cls, m: models.Membership) -> Membership:
        return cls(
            organization_id=_id(m.organization_id),
            from_on=m.from_on,
            to_on=m.to_on,
            transfer_id=_id(m.transfer_id) if m.transfer_id else None,
        )


@strawberry.type(
    description="A Party member (党员). Personal data: every read outside the branch's admins is audited."
)
class Member(Node):
    id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(description="The current branch (所在支部).")
    name: str = strawberry.field(description="Name (姓名).")
    joined_on: dt.date = strawberry.field(description="Join date (入党日期).")
    status: MemberStatus = strawberry.field(description="Status (党员状态).")
    full_member_on: dt.date | None = strawberry.field(description="Date of full membership (转正日期).")
    phone: str | None = strawberry.field(
        description="Phone (联系电话); null unless the caller is an admin of the branch."
    )
    political_birthday_opt_out: bool = strawberry.field(
        description="Declines political-birthday notices (退订政治生日)."
    )
    left_on: dt.date | None = strawberry.field(description="Moved to another district on (转出日期).")
    account_linked: bool = strawberry.field(
        description="A login reads this record as its own (已关联账号); which login is not shown."
    )

    @classmethod
    def from_model(cls, m: models.Member) -> Member:
        return cls(
            id=_id(m.id),
            organization_id=_id(m.organization_id),
            name=m.name,
            joined_on=m.joined_on,
            status=m.status,  # type: ignore[arg-type]
            full_member_on=m.full_member_on,
            phone=m.phone,
            political_birthday_opt_out=m.birthday_opt_out,
            left_on=m.left_on,
            account_linked=m.account_id is not None,
        )

    @strawberry.field(description="The current branch (所在支部).")
    async def organization(self, info: Info) -> Organization | None:
        return await _organization(info, uuid.UUID(self.organization_id))

    @strawberry.field(description="Branches over time, oldest first (组织关系历史).")
    async def history(self, info: Info) -> list[Membership]:
        found = await memberships_loader(info.context).load(uuid.UUID(self.id))
        return [Membership.from_model(m) for m in found]


@strawberry.type(
    description="A transfer of organisational relationship (组织关系转接), as this district holds it."
)
class Transfer(Node):
    id: strawberry.ID
    status: TransferStatus = strawberry.field(description="Status (状态).")
    member_id: strawberry.ID | None = strawberry.field(description="The member in this district (党员).")
    member_name: str = strawberry.field(description="Name on the letter (姓名).")
    from_organization_id: strawberry.ID | None = strawberry.field(
        description="Sending branch here (转出支部)."
    )
    to_organization_id: strawberry.ID | None = strawberry.field(
        description="Receiving branch here (转入支部)."
    )
    to_tenant: str = strawberry.field(description="Receiving district (转入地区).")
    to_organization_credit_code: str = strawberry.field(description="Receiving organisation's credit code.")
    origin_tenant: str | None = strawberry.field(
        description="Sending district, on a transfer received (转出地区)."
    )
    origin_organization: str | None = strawberry.field(description="Sending organisation's name (转出组织).")
    letter_number: str | None = strawberry.field(description="Introduction-letter number (介绍信编号).")
    reason: str | None = strawberry.field(description="Why (转接原因).")
    rejection_reason: str | None = strawberry.field(description="Why it was refused (退回原因).")
    report_by: dt.date = strawberry.field(description="Report to the new branch by (报到期限).")
    accepted_on: dt.date | None = strawberry.field(description="Belongs to the new branch from (接收日期).")
    created_at: dt.datetime

    @classmethod
    def from_model(cls, t: models.Transfer) -> Transfer:
        return cls(
            id=_id(t.id),
            status=t.status,  # type: ignore[arg-type]
            member_id=_id(t.member_id) if t.member_id else None,
            member_name=t.member_name,
            from_organization_id=_id(t.from_organization_id) if t.from_organization_id else None,
            to_organization_id=_id(t.to_organization_id) if t.to_organization_id else None,
            to_tenant=t.to_tenant,
            to_organization_credit_code=t.to_credit_code,
            origin_tenant=t.origin_tenant,
            origin_organization=t.origin_organization,
            letter_number=t.letter_number,
            reason=t.reason,
            rejection_reason=t.rejection_reason,
            report_by=t.report_by,
            accepted_on=t.accepted_on,
            created_at=t.created_at,
        )

    @strawberry.field(description="Direction seen from this district (方向).")
    def direction(self) -> TransferDirection:
        return TransferDirection.OUT if self.from_organization_id else TransferDirection.IN


@strawberry.type(description="An absentee and the reason (缺席及原因).")
class Absentee:
    member_id: strawberry.ID
    reason: str


@strawberry.type(description="A session of branch life (组织生活记录: 三会一课 and the rest).")
class OrganisationalLifeRecord(Node):
    id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(description="The branch (支部).")
    kind: OrganisationalLifeKind = strawberry.field(description="Kind (类型).")
    held_on: dt.date = strawberry.field(description="Date (日期).")
    topic: str = strawberry.field(description="Topic (主题).")
    place: str | None = strawberry.field(description="Place (地点).")
    resource_id: strawberry.ID | None = strawberry.field(description="The booked base or venue (基地/场地).")
    attendee_member_ids: list[strawberry.ID] = strawberry.field(description="Attendees (参会党员).")
    absentees: list[Absentee] = strawberry.field(description="Absentees with reasons (缺席党员).")
    minutes: str | None = strawberry.field(description="Minutes (会议记录).")

    @classmethod
    def from_model(cls, r: models.LifeRecord) -> OrganisationalLifeRecord:
        return cls(
            id=_id(r.id),
            organization_id=_id(r.organization_id),
            kind=r.kind,  # type: ignore[arg-type]
            held_on=r.held_on,
            topic=r.topic,
            place=r.place,
            resource_id=_id(r.resource_id) if r.resource_id else None,
            attendee_member_ids=[_id(i) for i in r.attendee_member_ids],
            absentees=[Absentee(member_id=_id(a.member_id), reason=a.reason) for a in r.absentees],
            minutes=r.minutes,
        )


@strawberry.type(description="One branch's sessions of one kind in the year (组织生活统计).")
class OrganisationalLifeFigure:
    organization_id: strawberry.ID = strawberry.field(description="The branch (支部).")
    kind: OrganisationalLifeKind = strawberry.field(description="Kind (类型).")
    held: int = strawberry.field(description="Held in the year (实开次数).")
    due: int = strawberry.field(description="Due by today: periods ended × times (应开次数).")
    due_for_year: int = strawberry.field(description="Due in the whole year (全年应开).")
    attendance_rate: float | None = strawberry.field(description="Present ÷ (present + absent) (参会率).")
    behind: bool = strawberry.field(description="Held fewer than due (未按期开展).")

    @classmethod
    def from_model(cls, f: models.LifeFigure) -> OrganisationalLifeFigure:
        return cls(
            organization_id=_id(f.organization_id),
            kind=f.kind,  # type: ignore[arg-type]
            held=f.held,
            due=f.due,
            due_for_year=f.due_for_year,
            attendance_rate=f.attendance_rate,
            behind=f.behind,
        )


@strawberry.type(description="How often a kind of session is due (组织生活频次要求).")
class OrganisationalLifeRequirement:
    kind: OrganisationalLifeKind
    period: OrganisationalLifePeriod
    times: int


@strawberry.type(
    description="An upcoming political birthday (政治生日): the anniversary of joining the Party."
)
class PoliticalBirthday:
    member_id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(description="The branch (支部).")
    name: str = strawberry.field(description="Name (姓名).")
    on: dt.date = strawberry.field(description="The day (日期).")
    years: int = strawberry.field(description="Years in the Party (党龄).")
    opted_out: bool = strawberry.field(description="Declines notices (已退订).")

    @classmethod
    def from_model(cls, b: models.UpcomingBirthday) -> PoliticalBirthday:
        return cls(
            member_id=_id(b.member_id),
            organization_id=_id(b.organization_id),
            name=b.name,
            on=b.on,
            years=b.years,
            opted_out=b.opted_out,
        )
