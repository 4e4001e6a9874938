"""Organisational-life inputs: list filters and what each mutation takes."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.orglife.types import (
    MemberStatus,
    OrganisationalLifeKind,
    OrganisationalLifePeriod,
    TransferDirection,
    TransferStatus,
)


@strawberry.input(description="Filter of members (党员筛选).")
class MemberFilter:
    organization_id: strawberry.ID | None = strawberry.field(default=None, description="Branch (支部).")
    status: MemberStatus | None = strawberry.field(default=None, description="Status (状态).")
    search: str | None = strawberry.field(default=None, description="Text in the name (检索).")


@strawberry.input(description="Filter of transfers (转接筛选).")
class TransferFilter:
    direction: TransferDirection | None = strawberry.field(default=None, description="IN 转入 / OUT 转出.")
    status: TransferStatus | None = strawberry.field(default=None, description="Status (状态).")


@strawberry.input(description="Filter of session records (组织生活记录筛选).")
class OrganisationalLifeFilter:
    organization_id: strawberry.ID | None = strawberry.field(default=None, description="Branch (支部).")
    kind: OrganisationalLifeKind | None = strawberry.field(default=None, description="Kind (类型).")
    from_: dt.date | None = strawberry.field(default=None, name="from", description="Held on or after (起).")
    to: dt.date | None = strawberry.field(default=None, description="Held on or before (止).")


@strawberry.input(description="A new member of a branch (党员登记).")
class RegisterMemberInput:
    organization_id: strawberry.ID
    name: str
    joined_on: dt.date = strawberry.field(description="Join date (入党日期), not in the future.")
    status: MemberStatus
    full_member_on: dt.date | None = strawberry.field(default=None, description="Full membership (转正日期).")
    phone: str | None = None


@strawberry.input(description="A member's fields, all given (修改党员信息).")
class UpdateMemberInput:
    id: strawberry.ID
    name: str
    joined_on: dt.date
    status: MemberStatus
    full_member_on: dt.date | None = None
    phone: str | None = None


@strawberry.input(description="Link a member record to a login of this district (党员账号关联).")
class LinkMemberAccountInput:
    member_id: strawberry.ID
    login: str = strawberry.field(
        description="A login of this district (登录名); it reads the record as its own."
    )


@strawberry.input(description="Unlink a member record from its login (解除党员账号关联).")
class UnlinkMemberAccountInput:
    member_id: strawberry.ID


@strawberry.input(description="Decline or accept political-birthday notices (政治生日退订).")
class SetPoliticalBirthdayOptOutInput:
    member_id: strawberry.ID
    opt_out: bool


@strawberry.input(description="Start a transfer (发起组织关系转接).")
class RequestTransferInput:
    member_id: strawberry.ID
    to_tenant: str = strawberry.field(
        description="The receiving district's name (转入地区), this one's for a local move."
    )
    to_organization_credit_code: str = strawberry.field(
        description="The receiving organisation's credit code."
    )
    letter_number: str | None = strawberry.field(
        default=None, description="Introduction-letter number (介绍信编号)."
    )
    reason: str | None = strawberry.field(default=None, description="Why (转接原因).")
    report_by: dt.date | None = strawberry.field(
        default=None, description="Report-by date (报到期限); default 30 days."
    )


@strawberry.input(description="A transfer to act on.")
class ApproveTransferOutInput:
    id: strawberry.ID


@strawberry.input(description="A transfer to act on.")
class AcceptTransferInput:
    id: strawberry.ID


@strawberry.input(description="A transfer to act on.")
class CancelTransferInput:
    id: strawberry.ID


@strawberry.input(description="Refuse a transfer with a reason (退回).")
class RejectTransferInput:
    id: strawberry.ID
    reason: str


@strawberry.input(description="An absentee and why (缺席原因).")
class AbsenteeInput:
    member_id: strawberry.ID
    reason: str


@strawberry.input(description="Record a session (记录组织生活).")
class RecordOrganisationalLifeInput:
    organization_id: strawberry.ID
    kind: OrganisationalLifeKind
    held_on: dt.date
    topic: str
    place: str | None = None
    resource_id: strawberry.ID | None = strawberry.field(
        default=None, description="A booked base or venue (基地/场地)."
    )
    attendee_member_ids: list[strawberry.ID] = strawberry.field(description="Members present (参会党员).")
    absentees: list[AbsenteeInput] | None = None
    minutes: str | None = None


@strawberry.input(description="How often a kind of session is due in this alliance (组织生活频次要求).")
class SetOrganisationalLifeRequirementInput:
    kind: OrganisationalLifeKind
    period: OrganisationalLifePeriod
    times: int = 1
