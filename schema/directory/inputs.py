"""Directory inputs: filters of the organisation list and of the audit trail."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.directory.types import OrganizationKind


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
