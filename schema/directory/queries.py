"""Directory queries: viewer, organizations, organization, roleGrant, roleInvitation, auditLog,
auditEntry."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.directory.api_keys import ApiKeyQuery
from schema.directory.inputs import AuditLogFilter, OrganizationFilter
from schema.directory.invitations import InvitationQuery
from schema.directory.loaders import organization_loader
from schema.directory.types import AuditEntry, Organization, RoleGrant, Viewer
from schema.pagination import Connection, Keyset, int_key, parse_id, uuid_key
from schema.permissions import authenticated, requires
from services.core.errors import NotFound
from services.core.identify import parse_key
from services.directory import audit_log, organizations, roles

ORGANIZATIONS = Keyset("organization", uuid_key)
AUDIT = Keyset("audit", int_key)


@strawberry.type
class DirectoryQuery(ApiKeyQuery, InvitationQuery):
    @strawberry.field(
        description="The caller and its roles in every alliance (当前用户).",
        extensions=authenticated(),
    )
    async def viewer(self, info: Info) -> Viewer:
        principal = info.context.principal
        async with info.context.db() as conn:
            grants = await roles.roles_of_account(conn, account_id=principal.account_id)
        return Viewer(
            login=principal.login,
            tenant=principal.tenant_slug,
            roles=[RoleGrant.from_model(g) for g in grants],
        )

    @strawberry.field(
        description=(
            "One role grant (角色授权): your own in any alliance, as viewer's roles show them; "
            "another person's only where your role may read roles (as role events are read). Any "
            "other id answers NOT_FOUND."
        ),
        extensions=authenticated(),
    )
    async def role_grant(self, info: Info, id: strawberry.ID) -> RoleGrant:
        grant_id = parse_id(id)
        principal = info.context.principal
        every_in = principal.tenant_id if info.context.allows("role", "read") else None
        async with info.context.db() as conn:
            found = await roles.get_role_grant(
                conn, grant_id=grant_id, account_id=principal.account_id, every_in=every_in
            )
        return RoleGrant.from_model(found)

    @strawberry.field(
        description="Member organisations of the alliance (成员单位列表).",
        extensions=requires("organization", "read"),
    )
    async def organizations(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: OrganizationFilter | None = None,
    ) -> Connection[Organization]:
        args = ORGANIZATIONS.args(info, first, after)
        given = filter or OrganizationFilter()
        service_filter = organizations.OrganizationFilter(
            kind=given.kind,
            parent_id=parse_id(given.parent_id, "parentId") if given.parent_id else None,
            search=given.search,
            include_archived=given.include_archived,
        )
        async with info.context.db() as conn:
            page = await organizations.list_organizations(
                conn,
                filter=service_filter,
                first=args.first,
                after=args.after,
            )
        return ORGANIZATIONS.connection(page, Organization.from_model)

    @strawberry.field(
        description="One member organisation (成员单位).",
        extensions=requires("organization", "read"),
    )
    async def organization(self, info: Info, id: strawberry.ID) -> Organization:
        found = await organization_loader(info.context).load(parse_id(id))
        if found is None:
            raise NotFound("no such organization", field="id")
        return Organization.from_model(found)

    @strawberry.field(
        description="Audit trail of the alliance, newest first (痕迹化管理).",
        extensions=requires("audit", "read"),
    )
    async def audit_log(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: AuditLogFilter | None = None,
    ) -> Connection[AuditEntry]:
        args = AUDIT.args(info, first, after)
        given = filter or AuditLogFilter()
        async with info.context.db() as conn:
            page = await audit_log.list_audit(
                conn,
                filter=audit_log.AuditFilter(
                    entity_type=given.entity_type,
                    entity_id=given.entity_id,
                    action=given.action,
                    actor_login=given.actor_login,
                    since=given.since,
                    until=given.until,
                ),
                first=args.first,
                before_id=args.after,
            )
        return AUDIT.connection(page, AuditEntry.from_model)

    @strawberry.field(
        description="One entry of the audit trail by id (痕迹), as auditLog shows it.",
        extensions=requires("audit", "read"),
    )
    async def audit_entry(self, info: Info, id: strawberry.ID) -> AuditEntry:
        key = parse_key(id)
        async with info.context.db() as conn:
            found = await audit_log.audit_entry(conn, entry_id=key) if isinstance(key, int) else None
        if found is None:
            raise NotFound("no such audit entry", field="id")
        return AuditEntry.from_model(found)
