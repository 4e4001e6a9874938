"""Partner access types (合作系统接入)."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.nodes import Node
from services.partners import models


@strawberry.type(description="An operation an API key may run (持久化操作), stored by its SHA-256.")
class PersistedOperation(Node):
    id: strawberry.ID
    api_key_id: strawberry.ID
    sha256: str = strawberry.field(description="Hex SHA-256 of the document's UTF-8 text (哈希).")
    name: str
    version: int
    document: str
    cost: int = strawberry.field(description="Estimated cost, charged to the key's budget (成本).")
    created_at: dt.datetime

    @classmethod
    def from_model(cls, op: models.PersistedOperation) -> PersistedOperation:
        return cls(
            id=strawberry.ID(str(op.id)),
            api_key_id=strawberry.ID(str(op.api_key_id)),
            sha256=op.sha256,
            name=op.name,
            version=op.version,
            document=op.document,
            cost=op.cost,
            created_at=op.created_at,
        )


@strawberry.type(description="A tenant's partner defaults and allow-list switch (合作系统默认限额).")
class PartnerSettings:
    allow_list_only: bool = strawberry.field(
        description="Every key runs only persisted operations (仅允许持久化操作)."
    )
    requests_per_minute: int
    burst: int = strawberry.field(description="Requests a key may send at once (突发上限).")
    cost_per_minute: int

    @classmethod
    def from_model(cls, settings: models.PartnerSettings) -> PartnerSettings:
        return cls(
            allow_list_only=settings.allow_list_only,
            requests_per_minute=settings.requests_per_minute,
            burst=settings.burst,
            cost_per_minute=settings.cost_per_minute,
        )


@strawberry.type(description="One API key's own limits (密钥限额); null: the tenant's default holds.")
class ApiKeyLimits:
    api_key_id: strawberry.ID
    requests_per_minute: int | None
    burst: int | None
    cost_per_minute: int | None

    @classmethod
    def from_model(cls, limits: models.KeyLimits) -> ApiKeyLimits:
        return cls(
            api_key_id=strawberry.ID(str(limits.api_key_id)),
            requests_per_minute=limits.requests_per_minute,
            burst=limits.burst,
            cost_per_minute=limits.cost_per_minute,
        )


@strawberry.input(description="Register an operation for an API key (登记持久化操作).")
class RegisterPersistedOperationInput:
    api_key_id: strawberry.ID
    name: str
    version: int = 1
    document: str


@strawberry.type
class RegisterPersistedOperationPayload:
    persisted_operation: PersistedOperation


@strawberry.input(description="The tenant's partner defaults (设置合作系统默认限额).")
class SetPartnerSettingsInput:
    allow_list_only: bool
    requests_per_minute: int
    burst: int
    cost_per_minute: int


@strawberry.type
class SetPartnerSettingsPayload:
    partner_settings: PartnerSettings


@strawberry.input(description="One key's limits; null falls back to the tenant's default (设置密钥限额).")
class SetApiKeyLimitsInput:
    api_key_id: strawberry.ID
    requests_per_minute: int | None = None
    burst: int | None = None
    cost_per_minute: int | None = None


@strawberry.type
class SetApiKeyLimitsPayload:
    api_key_limits: ApiKeyLimits
