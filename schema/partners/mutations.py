"""Partner access mutations: register operations, set limits and the tenant's defaults."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import parse_id
from schema.partners.documents import checked_cost
from schema.partners.types import (
    ApiKeyLimits,
    PartnerSettings,
    PersistedOperation,
    RegisterPersistedOperationInput,
    RegisterPersistedOperationPayload,
    SetApiKeyLimitsInput,
    SetApiKeyLimitsPayload,
    SetPartnerSettingsInput,
    SetPartnerSettingsPayload,
)
from schema.permissions import requires
from services.partners import limits, models, operations


@strawberry.type
class PartnerMutation:
    @strawberry.mutation(
        description=(
            "Register an operation an API key may run, checked against the schema and costed; "
            "the key then runs only its list (登记持久化操作)."
        ),
        extensions=requires("apikey", "manage"),
    )
    async def register_persisted_operation(
        self, info: Info, input: RegisterPersistedOperationInput
    ) -> RegisterPersistedOperationPayload:
        key_id = parse_id(input.api_key_id, "apiKeyId")
        cost = checked_cost(info.schema, input.document, info.context.settings)
        async with info.context.db() as conn:
            registered = await operations.register_operation(
                conn,
                actor=info.context.principal,
                api_key_id=key_id,
                name=input.name,
                version=input.version,
                document=input.document,
                cost=cost,
            )
        return RegisterPersistedOperationPayload(
            persisted_operation=PersistedOperation.from_model(registered)
        )

    @strawberry.mutation(
        description="Set the tenant's partner defaults and allow-list switch (设置合作系统默认限额).",
        extensions=requires("apikey", "manage"),
    )
    async def set_partner_settings(
        self, info: Info, input: SetPartnerSettingsInput
    ) -> SetPartnerSettingsPayload:
        wanted = models.PartnerSettings(
            allow_list_only=input.allow_list_only,
            requests_per_minute=input.requests_per_minute,
            burst=input.burst,
            cost_per_minute=input.cost_per_minute,
        )
        async with info.context.db() as conn:
            saved = await limits.set_tenant_settings(conn, actor=info.context.principal, settings=wanted)
        return SetPartnerSettingsPayload(partner_settings=PartnerSettings.from_model(saved))

    @strawberry.mutation(
        description="Set one API key's limits (设置密钥限额).",
        extensions=requires("apikey", "manage"),
    )
    async def set_api_key_limits(self, info: Info, input: SetApiKeyLimitsInput) -> SetApiKeyLimitsPayload:
        wanted = models.KeyLimits(
            api_key_id=parse_id(input.api_key_id, "apiKeyId"),
            requests_per_minute=input.requests_per_minute,
            burst=input.burst,
            cost_per_minute=input.cost_per_minute,
        )
        async with info.context.db() as conn:
            saved = await limits.set_key_limits(conn, actor=info.context.principal, limits=wanted)
        return SetApiKeyLimitsPayload(api_key_limits=ApiKeyLimits.from_model(saved))
