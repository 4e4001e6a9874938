"""Partner access queries: persisted operations (a key's, or one by id), limits, the tenant's defaults."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.partners.types import ApiKeyLimits, PartnerSettings, PersistedOperation
from schema.permissions import requires
from services.partners import limits, operations

PERSISTED_OPERATIONS = Keyset("persisted_operation", uuid_key)


@strawberry.type
class PartnerQuery:
    @strawberry.field(
        description="An API key's persisted operations (持久化操作).",
        extensions=requires("apikey", "manage"),
    )
    async def persisted_operations(
        self, info: Info, api_key_id: strawberry.ID, first: int | None = 20, after: str | None = None
    ) -> Connection[PersistedOperation]:
        args = PERSISTED_OPERATIONS.args(info, first, after)
        key_id = parse_id(api_key_id, "apiKeyId")
        async with info.context.db() as conn:
            page = await operations.list_operations(
                conn, api_key_id=key_id, first=args.first, after=args.after, count=args.count
            )
        return PERSISTED_OPERATIONS.connection(page, PersistedOperation.from_model)

    @strawberry.field(
        description=(
            "One persisted operation (持久化操作) of any of the alliance's keys, for admins as "
            "persistedOperations. Another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("apikey", "manage"),
    )
    async def persisted_operation(self, info: Info, id: strawberry.ID) -> PersistedOperation:
        async with info.context.db() as conn:
            found = await operations.get_operation(conn, operation_id=parse_id(id))
        return PersistedOperation.from_model(found)

    @strawberry.field(
        description="The tenant's partner defaults (合作系统默认限额).",
        extensions=requires("apikey", "manage"),
    )
    async def partner_settings(self, info: Info) -> PartnerSettings:
        async with info.context.db() as conn:
            return PartnerSettings.from_model(await limits.tenant_settings(conn))

    @strawberry.field(
        description="One API key's own limits (密钥限额).",
        extensions=requires("apikey", "manage"),
    )
    async def api_key_limits(self, info: Info, api_key_id: strawberry.ID) -> ApiKeyLimits:
        async with info.context.db() as conn:
            found = await limits.key_limits(conn, api_key_id=parse_id(api_key_id, "apiKeyId"))
        return ApiKeyLimits.from_model(found)
