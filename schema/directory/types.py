"""Directory types: organisations (成员单位), the viewer, role grants, audit entries."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.context import Context, Info
from schema.directory.loaders import children_loader, organization_loader
from schema.nodes import Node
from schema.permissions import personal
from services.directory import invitations, models

strawberry.enum(
    models.OrganizationKind,
    name="OrganizationKind",
    description=(
        "Kind of member organisation (成员单位类型): district committee 区委/区域党委, "
        "street committee 街道党工委, community 社区党组织, stationed unit 驻区单位, SOE 国有企业, "
        "private enterprise 非公企业, social organisation 社会组织, school 学校, agency 机关."
    ),
)


strawberry.enum(
    models.Role,
    name="Role",
    description=(
        "Role in an alliance (角色): alliance admin 区委组织部管理员, organisation admin 成员单位管理员, "
        "member 党员, auditor 审计, partner system 合作系统 (read-only)."
    ),
)


# Registered above as GraphQL enums; these names keep annotations readable.
OrganizationKind = models.OrganizationKind
Role = models.Role


@strawberry.type(description="Member organisation of an alliance (成员单位).")
class Organization(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="Name (名称).")
    kind: OrganizationKind
    parent_id: strawberry.ID | None = strawberry.field(description="Parent organisation (上级).")
    credit_code: str | None = strawberry.field(description="Unified social credit code (统一社会信用代码).")
    star_rating: int | None = strawberry.field(
        description=(
            "Star level 1–5 of a two-new organisation (星级): the level of its latest rating "
            "(starRatings, 星级创评); the history and scores are in starRatings(filter: {organizationId})."
        )
    )
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    _contact_name: strawberry.Private[str | None]
    _contact_phone: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, org: models.Organization) -> Organization:
        return cls(
            id=strawberry.ID(str(org.id)),
            name=org.name,
            kind=OrganizationKind(org.kind),
            parent_id=strawberry.ID(str(org.parent_id)) if org.parent_id else None,
            credit_code=org.credit_code,
            star_rating=org.star_rating,
            archived_at=org.archived_at,
            created_at=org.created_at,
            updated_at=org.updated_at,
            _contact_name=org.contact_name,
            _contact_phone=org.contact_phone,
        )

    @classmethod
    def or_none(cls, org: models.Organization | None) -> Organization | None:
        return cls.from_model(org) if org is not None else None

    @strawberry.field(
        description="Contact person (联系人); personal data, admins only.",
        extensions=personal("organization"),
    )
    def contact_name(self) -> str | None:
        return self._contact_name

    @strawberry.field(
        description="Contact phone (联系电话); personal data, admins only.",
        extensions=personal("organization"),
    )
    def contact_phone(self) -> str | None:
        return self._contact_phone

    @strawberry.field(description="Parent organisation (上级组织).")
    async def parent(self, info: Info) -> Organization | None:
        if self.parent_id is None:
            return None
        found = await organization_loader(info.context).load(uuid.UUID(self.parent_id))
        return Organization.from_model(found) if found else None

    @strawberry.field(description="Active organisations directly below (下级组织).")
    async def children(self, info: Info) -> list[Organization]:
        found = await children_loader(info.context).load(uuid.UUID(self.id))
        return [Organization.from_model(org) for org in found]


def prefetched_organizations(context: Context) -> dict[uuid.UUID, Organization | None]:
    """Organisations a query of this request fetched along (as GraphQL objects, by id), for
    objects made later in the request to carry as answered ahead."""
    found: dict[uuid.UUID, Organization | None] = context.loaders.setdefault("organization_objects", {})
    return found


@strawberry.type(description="A role held in an alliance (角色授权).")
class RoleGrant(Node):
    id: strawberry.ID
    tenant: str = strawberry.field(description="Alliance slug (联盟标识).")
    login: str
    role: Role
    organization_id: strawberry.ID | None

    @classmethod
    def from_model(cls, grant: models.RoleAssignment) -> RoleGrant:
        return cls(
            id=strawberry.ID(str(grant.id)),
            tenant=grant.tenant_slug,
            login=grant.login,
            role=Role(grant.role),
            organization_id=strawberry.ID(str(grant.organization_id)) if grant.organization_id else None,
        )


strawberry.enum(
    models.InvitationStatus,
    name="InvitationStatus",
    description="State of an invitation (邀请状态): pending 待答复, accepted 已接受, declined 已拒绝.",
)
InvitationStatus = models.InvitationStatus


@strawberry.type(description="An offer of a role in an alliance to a person of another alliance (角色邀请).")
class RoleInvitation(Node):
    id: strawberry.ID
    tenant: str = strawberry.field(description="The inviting alliance (邀请联盟).")
    login: str = strawberry.field(description="The invited person's login (被邀请人).")
    home_tenant: str = strawberry.field(description="The invited person's home alliance (所属联盟).")
    role: Role
    organization_id: strawberry.ID | None
    status: InvitationStatus
    created_at: dt.datetime
    expires_at: dt.datetime = strawberry.field(description="Unanswered after this, it lapses (失效时间).")
    answered_at: dt.datetime | None

    @classmethod
    def from_model(cls, invitation: models.RoleInvitation) -> RoleInvitation:
        return cls(
            id=strawberry.ID(str(invitation.id)),
            tenant=invitation.tenant_slug,
            login=invitation.login,
            home_tenant=invitation.home_tenant_slug,
            role=Role(invitation.role),
            organization_id=strawberry.ID(str(invitation.organization_id))
            if invitation.organization_id
            else None,
            status=InvitationStatus(invitation.status),
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            answered_at=invitation.answered_at,
        )


@strawberry.type(description="The caller (当前用户) and the roles it holds in every alliance.")
class Viewer:
    login: str
    tenant: str = strawberry.field(description="Alliance of this request (当前联盟).")
    roles: list[RoleGrant]

    @strawberry.field(
        description="Open invitations to roles in other alliances, addressed to you (待答复的角色邀请)."
    )
    async def invitations(self, info: Info) -> list[RoleInvitation]:
        async with info.context.db() as conn:
            found = await invitations.invitations_of_account(
                conn, account_id=info.context.principal.account_id
            )
        return [RoleInvitation.from_model(invitation) for invitation in found]


@strawberry.type(description="One entry of the audit trail (痕迹化管理).")
class AuditEntry(Node):
    id: strawberry.ID = strawberry.field(
        description="The entry's global id (全局标识): the trail's sequence number, the one all-digit id."
    )
    actor_login: str | None
    action: str
    entity_type: str
    entity_id: str
    changes: JSON = strawberry.field(description="Changed fields: {field: {before, after}}.")
    request_id: str | None
    created_at: dt.datetime

    @classmethod
    def from_model(cls, entry: models.AuditEntry) -> AuditEntry:
        return cls(
            id=strawberry.ID(str(entry.id)),
            actor_login=entry.actor_login,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            changes=cast(JSON, entry.changes),
            request_id=entry.request_id,
            created_at=entry.created_at,
        )
