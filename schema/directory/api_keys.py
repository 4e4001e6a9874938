"""Partner API keys in GraphQL (合作系统密钥): alliance admins issue, list, read and revoke them."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.context import Info
from schema.nodes import Node
from schema.pagination import parse_id
from schema.permissions import requires
from services.directory import api_keys


@strawberry.type(description="A partner system's API key (合作系统密钥); the secret is never shown again.")
class ApiKey(Node):
    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="First part of the key, to recognise it.")
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_model(cls, key: api_keys.ApiKey) -> ApiKey:
        return cls(
            id=strawberry.ID(str(key.id)),
            name=key.name,
            prefix=key.prefix,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


@strawberry.input(description="A new partner API key (新建合作系统密钥).")
class CreateApiKeyInput:
    name: str


@strawberry.input(description="Revoke a partner API key (吊销密钥).")
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKey
    secret: str = strawberry.field(description="The whole key, shown this once (仅显示一次).")


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKey


@strawberry.type
class ApiKeyQuery:
    @strawberry.field(
        description="Partner API keys of the alliance (合作系统密钥).",
        extensions=requires("apikey", "manage"),
    )
    async def api_keys(self, info: Info) -> list[ApiKey]:
        async with info.context.db() as conn:
            return [ApiKey.from_model(key) for key in await api_keys.list_api_keys(conn)]

    @strawberry.field(
        description=(
            "One partner API key (合作系统密钥), for admins as apiKeys, revoked or not; its secret is "
            "never shown again. Another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("apikey", "manage"),
    )
    async def api_key(self, info: Info, id: strawberry.ID) -> ApiKey:
        async with info.context.db() as conn:
            return ApiKey.from_model(await api_keys.get_api_key(conn, key_id=parse_id(id)))


@strawberry.type
class ApiKeyMutation:
    @strawberry.mutation(
        description="Issue a partner API key, read-only and scoped to this alliance (新建密钥).",
        extensions=requires("apikey", "manage"),
    )
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        async with info.context.db() as conn:
            key, secret = await api_keys.create_api_key(conn, actor=info.context.principal, name=input.name)
        return CreateApiKeyPayload(api_key=ApiKey.from_model(key), secret=secret)

    @strawberry.mutation(
        description="Revoke a partner API key at once (吊销密钥).",
        extensions=requires("apikey", "manage"),
    )
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        async with info.context.db() as conn:
            key = await api_keys.revoke_api_key(conn, actor=info.context.principal, key_id=parse_id(input.id))
        return RevokeApiKeyPayload(api_key=ApiKey.from_model(key))
