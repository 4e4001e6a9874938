"""Mutations of members (党员): register, update, link to a login, political-birthday opt-out."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.orglife.inputs import (
    LinkMemberAccountInput,
    RegisterMemberInput,
    SetPoliticalBirthdayOptOutInput,
    UnlinkMemberAccountInput,
    UpdateMemberInput,
)
from schema.orglife.types import Member
from schema.pagination import parse_id
from schema.permissions import requires
from services.orglife import member_accounts, members


@strawberry.type
class MemberPayload:
    member: Member


@strawberry.type
class MemberMutation:
    @strawberry.mutation(
        description="Register a member of a branch (党员登记).", extensions=requires("member", "write")
    )
    async def register_member(self, info: Info, input: RegisterMemberInput) -> MemberPayload:
        data = members.MemberData(
            name=input.name,
            joined_on=input.joined_on,
            status=input.status.value,
            full_member_on=input.full_member_on,
            phone=input.phone,
        )
        async with info.context.db() as conn:
            found = await members.register_member(
                conn,
                actor=info.context.principal,
                organization_id=parse_id(input.organization_id, "organizationId"),
                data=data,
            )
        return MemberPayload(member=Member.from_model(found))

    @strawberry.mutation(
        description="Correct a member's fields or record full membership (修改党员信息、转正).",
        extensions=requires("member", "write"),
    )
    async def update_member(self, info: Info, input: UpdateMemberInput) -> MemberPayload:
        data = members.MemberData(
            name=input.name,
            joined_on=input.joined_on,
            status=input.status.value,
            full_member_on=input.full_member_on,
            phone=input.phone,
        )
        async with info.context.db() as conn:
            found = await members.update_member(
                conn, actor=info.context.principal, member_id=parse_id(input.id), data=data
            )
        return MemberPayload(member=Member.from_model(found))

    @strawberry.mutation(
        description="Link a member record to a login of this district, so the member reads it as"
        " their own (党员账号关联).",
        extensions=requires("member", "write"),
    )
    async def link_member_account(self, info: Info, input: LinkMemberAccountInput) -> MemberPayload:
        async with info.context.db() as conn:
            found = await member_accounts.link_member_account(
                conn,
                actor=info.context.principal,
                member_id=parse_id(input.member_id, "memberId"),
                login=input.login,
            )
        return MemberPayload(member=Member.from_model(found))

    @strawberry.mutation(
        description="Unlink a member record from its login (解除党员账号关联).",
        extensions=requires("member", "write"),
    )
    async def unlink_member_account(self, info: Info, input: UnlinkMemberAccountInput) -> MemberPayload:
        async with info.context.db() as conn:
            found = await member_accounts.unlink_member_account(
                conn, actor=info.context.principal, member_id=parse_id(input.member_id, "memberId")
            )
        return MemberPayload(member=Member.from_model(found))

    @strawberry.mutation(
        description="Decline or accept political-birthday notices: the member or an admin (政治生日退订).",
        extensions=requires("member", "opt_out"),
    )
    async def set_political_birthday_opt_out(
        self, info: Info, input: SetPoliticalBirthdayOptOutInput
    ) -> MemberPayload:
        async with info.context.db() as conn:
            found = await members.set_birthday_opt_out(
                conn,
                actor=info.context.principal,
                member_id=parse_id(input.member_id, "memberId"),
                opt_out=input.opt_out,
            )
        return MemberPayload(member=Member.from_model(found))
