"""Directory queries: viewer, organizations, organization, auditLog."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.context import Info
from schema.directory.api_keys import ApiKeyQuery
from schema.directory.loaders import organization_loader
from schema.directory.types import AuditEntry, Organization, OrganizationKind, RoleGrant, Viewer
from schema.pagination import (
    Connection,
    connection,
    decode_int_cursor,
    decode_uuid_cursor,
    encode_cursor,
    page_size,
    parse_id,
)
from schema.permissions import authenticated, requires
from services.core.errors import NotFound
from services.directory import audit_log, organizations, roles


@strawberry.input(description="Filter of the organisation list (成员单位筛选).")
class OrganizationFilter:
    kind: OrganizationKind | None = None
    parent_id: strawberry.ID | None = None
    search: str | None = strawberry.field(
        default=None, description="Text in the name, Chinese included (名称检索)."
    )
    include_archived: bool = False


@strawberry.input(description="Filter of the audit trail (痕迹筛选).")
class AuditLogFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    action: str | None = None
    actor_login: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _org_cursor(org: object) -> str:
    return encode_cursor("organization", org.id)  # type: ignore[attr-defined]


@strawberry.type
class DirectoryQuery(ApiKeyQuery):
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
        size = page_size(first, info.context.settings)
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
                first=size,
                after=decode_uuid_cursor(after, "organization"),
            )
        return connection(
            page.items,
            total=page.total,
            has_next=page.has_next,
            to_node=Organization.from_model,
            cursor_of=_org_cursor,
        )

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
        size = page_size(first, info.context.settings)
        given = filter or AuditLogFilter()
        before_id = decode_int_cursor(after, "audit")
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
                first=size,
                before_id=before_id,
            )
        return connection(
            page.items,
            total=page.total,
            has_next=page.has_next,
            to_node=AuditEntry.from_model,
            cursor_of=lambda entry: encode_cursor("audit", entry.id),
        )
