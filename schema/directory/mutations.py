"""Directory mutations: organisations and role grants. Each is one transaction with its audit row."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.directory.api_keys import ApiKeyMutation
from schema.directory.invitations import InvitationMutation
from schema.directory.types import Organization, OrganizationKind, Role, RoleGrant
from schema.pagination import parse_id
from schema.permissions import requires
from services.directory import organizations, roles
from services.directory.models import Role as RoleName


@strawberry.input(description="A new member organisation (新增成员单位).")
class CreateOrganizationInput:
    name: str
    kind: OrganizationKind
    parent_id: strawberry.ID | None = None
    credit_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    star_rating: int | None = strawberry.field(
        default=None,
        deprecation_reason=(
            "The star level comes from rateOrganization (星级创评): its latest rating sets it. "
            "Removal: 2027-06-30."
        ),
    )


@strawberry.input(description="Changes to a member organisation; omitted fields stay (修改成员单位).")
class UpdateOrganizationInput:
    id: strawberry.ID
    name: str | None = None
    kind: OrganizationKind | None = None
    parent_id: strawberry.ID | None = None
    clear_parent: bool = strawberry.field(
        default=False, description="Make it top-level (alliance admin only)."
    )
    credit_code: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    star_rating: int | None = strawberry.field(
        default=None,
        deprecation_reason=(
            "The star level comes from rateOrganization (星级创评): its latest rating sets it. "
            "Removal: 2027-06-30."
        ),
    )


@strawberry.input(description="Archive a member organisation (归档成员单位).")
class ArchiveOrganizationInput:
    id: strawberry.ID


@strawberry.input(
    description="Give a role in this alliance to an account of this alliance, or to one that already "
    "holds a role here (授予角色); people of other alliances are invited (inviteToRole)."
)
class GrantRoleInput:
    login: str
    role: Role
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for ORG_ADMIN and MEMBER."
    )


@strawberry.input(description="Take a role away (撤销角色).")
class RevokeRoleInput:
    login: str
    role: Role


@strawberry.type
class OrganizationPayload:
    organization: Organization


@strawberry.type
class RoleGrantPayload:
    grant: RoleGrant


def _organization_input(
    data: CreateOrganizationInput | UpdateOrganizationInput,
) -> organizations.OrganizationInput:
    return organizations.OrganizationInput(
        name=data.name,
        kind=data.kind,
        parent_id=parse_id(data.parent_id, "parentId") if data.parent_id else None,
        credit_code=data.credit_code,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        star_rating=data.star_rating,
    )


@strawberry.type
class DirectoryMutation(ApiKeyMutation, InvitationMutation):
    @strawberry.mutation(
        description="Add a member organisation (新增成员单位).",
        extensions=requires("organization", "create"),
    )
    async def create_organization(self, info: Info, input: CreateOrganizationInput) -> OrganizationPayload:
        async with info.context.db() as conn:
            created = await organizations.create_organization(
                conn, actor=info.context.principal, data=_organization_input(input)
            )
        return OrganizationPayload(organization=Organization.from_model(created))

    @strawberry.mutation(
        description="Change a member organisation (修改成员单位).",
        extensions=requires("organization", "update"),
    )
    async def update_organization(self, info: Info, input: UpdateOrganizationInput) -> OrganizationPayload:
        organization_id = parse_id(input.id)
        async with info.context.db() as conn:
            updated = await organizations.update_organization(
                conn,
                actor=info.context.principal,
                organization_id=organization_id,
                data=_organization_input(input),
                clear_parent=input.clear_parent,
            )
        return OrganizationPayload(organization=Organization.from_model(updated))

    @strawberry.mutation(
        description="Archive a member organisation (归档成员单位).",
        extensions=requires("organization", "archive"),
    )
    async def archive_organization(self, info: Info, input: ArchiveOrganizationInput) -> OrganizationPayload:
        async with info.context.db() as conn:
            archived = await organizations.archive_organization(
                conn, actor=info.context.principal, organization_id=parse_id(input.id)
            )
        return OrganizationPayload(organization=Organization.from_model(archived))

    @strawberry.mutation(
        description="Give an account a role in this alliance (授予角色).",
        extensions=requires("role", "grant"),
    )
    async def grant_role(self, info: Info, input: GrantRoleInput) -> RoleGrantPayload:
        organization_id = parse_id(input.organization_id, "organizationId") if input.organization_id else None
        async with info.context.db() as conn:
            grant = await roles.grant_role(
                conn,
                actor=info.context.principal,
                login=input.login,
                role=RoleName(input.role),
                organization_id=organization_id,
            )
        return RoleGrantPayload(grant=RoleGrant.from_model(grant))

    @strawberry.mutation(
        description="Take a role away (撤销角色).",
        extensions=requires("role", "revoke"),
    )
    async def revoke_role(self, info: Info, input: RevokeRoleInput) -> RoleGrantPayload:
        async with info.context.db() as conn:
            grant = await roles.revoke_role(
                conn, actor=info.context.principal, login=input.login, role=RoleName(input.role)
            )
        return RoleGrantPayload(grant=RoleGrant.from_model(grant))
