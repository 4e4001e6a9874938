"""Invitations to a role in another alliance (跨联盟角色邀请) in GraphQL.

An alliance admin invites a person of another alliance by login and home alliance; the person,
signed in as itself (in whichever alliance), sees the offer in ``viewer { invitations }`` and
accepts or declines it. Both read it again by id (``roleInvitation``).
"""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.directory.types import Role, RoleGrant, RoleInvitation
from schema.pagination import parse_id
from schema.permissions import authenticated, requires
from services.directory import invitations
from services.directory.models import Role as RoleName


@strawberry.input(description="Invite a person of another alliance to a role here (邀请跨联盟人员担任角色).")
class InviteToRoleInput:
    login: str
    home_tenant: str = strawberry.field(description="Slug of the person's home alliance (所属联盟标识).")
    role: Role
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for ORG_ADMIN and MEMBER."
    )


@strawberry.input(description="Accept an invitation addressed to you (接受角色邀请).")
class AcceptRoleInvitationInput:
    id: strawberry.ID


@strawberry.input(description="Decline an invitation addressed to you (拒绝角色邀请).")
class DeclineRoleInvitationInput:
    id: strawberry.ID


@strawberry.type
class InviteToRolePayload:
    invitation: RoleInvitation


@strawberry.type
class AcceptRoleInvitationPayload:
    invitation: RoleInvitation
    grant: RoleGrant = strawberry.field(description="The role now held (已授予的角色).")


@strawberry.type
class DeclineRoleInvitationPayload:
    invitation: RoleInvitation


@strawberry.type
class InvitationQuery:
    @strawberry.field(
        description=(
            "One invitation (角色邀请): to its recipient, from whichever alliance it is signed in "
            "to, as viewer's invitations and its answer show it; to those who invite in the inviting "
            "alliance. Any other id answers NOT_FOUND."
        ),
        extensions=authenticated(),
    )
    async def role_invitation(self, info: Info, id: strawberry.ID) -> RoleInvitation:
        invitation_id = parse_id(id)
        principal = info.context.principal
        # Whoever may invite here reads every offer this alliance made (the inviting side); the
        # recipient reads its own from any alliance, as row-level security lets it.
        every_in = principal.tenant_id if info.context.allows("role", "invite") else None
        async with info.context.db() as conn:
            found = await invitations.get_invitation(
                conn, invitation_id=invitation_id, account_id=principal.account_id, every_in=every_in
            )
        return RoleInvitation.from_model(found)


@strawberry.type
class InvitationMutation:
    @strawberry.mutation(
        description="Invite a person of another alliance to a role here; the role exists once "
        "they accept (邀请跨联盟人员担任角色).",
        extensions=requires("role", "invite"),
    )
    async def invite_to_role(self, info: Info, input: InviteToRoleInput) -> InviteToRolePayload:
        organization_id = parse_id(input.organization_id, "organizationId") if input.organization_id else None
        async with info.context.db() as conn:
            invitation = await invitations.invite_to_role(
                conn,
                actor=info.context.principal,
                login=input.login,
                home_tenant=input.home_tenant,
                role=RoleName(input.role),
                organization_id=organization_id,
            )
        return InviteToRolePayload(invitation=RoleInvitation.from_model(invitation))

    @strawberry.mutation(
        description="Accept an invitation addressed to you (接受角色邀请).",
        extensions=authenticated(),
    )
    async def accept_role_invitation(
        self, info: Info, input: AcceptRoleInvitationInput
    ) -> AcceptRoleInvitationPayload:
        invitation_id = parse_id(input.id)
        async with info.context.db() as conn:
            invitation, grant = await invitations.accept_role_invitation(
                conn, actor=info.context.principal, invitation_id=invitation_id
            )
        return AcceptRoleInvitationPayload(
            invitation=RoleInvitation.from_model(invitation), grant=RoleGrant.from_model(grant)
        )

    @strawberry.mutation(
        description="Decline an invitation addressed to you (拒绝角色邀请).",
        extensions=authenticated(),
    )
    async def decline_role_invitation(
        self, info: Info, input: DeclineRoleInvitationInput
    ) -> DeclineRoleInvitationPayload:
        invitation_id = parse_id(input.id)
        async with info.context.db() as conn:
            invitation = await invitations.decline_role_invitation(
                conn, actor=info.context.principal, invitation_id=invitation_id
            )
        return DeclineRoleInvitationPayload(invitation=RoleInvitation.from_model(invitation))
