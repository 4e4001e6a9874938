"""Operator actions run from the command line with the owner's connection (bypasses RLS)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import NotFound
from services.directory.api_keys import issue_api_key, revoke_api_key_as_operator
from services.directory.roles import account_for_login
from services.events.changes import SystemActor


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    id: uuid.UUID
    tenant_slug: str
    name: str
    plaintext: str


async def tenant_id_for(conn: asyncpg.Connection, slug: str) -> uuid.UUID:
    """The id of tenant ``slug``; NotFound if there is none."""
    found = await conn.fetchval("SELECT id FROM alliances WHERE slug = $1", slug)
    if found is None:
        raise NotFound(f"no tenant {slug!r}", field="tenant")
    return uuid.UUID(str(found))


async def account_id_for(conn: asyncpg.Connection, *, tenant_id: uuid.UUID, login: str) -> uuid.UUID:
    """The account ``login`` names in a tenant (see ``roles.account_for_login``)."""
    return await account_for_login(conn, tenant_id=tenant_id, login=login, create=False)


async def create_api_key(conn: asyncpg.Connection, *, tenant_slug: str, name: str) -> CreatedApiKey:
    """A partner account with the partner role in one tenant, and its key (shown once)."""
    async with conn.transaction():
        tenant_id = await tenant_id_for(conn, tenant_slug)
        created, plaintext = await issue_api_key(
            conn, actor=SystemActor(tenant_id=tenant_id), tenant_slug=tenant_slug, name=name
        )
    return CreatedApiKey(id=created.id, tenant_slug=tenant_slug, name=created.name, plaintext=plaintext)


async def revoke_api_key(conn: asyncpg.Connection, *, key_id: uuid.UUID) -> None:
    """Revoke a key at once; it stays listed with its revocation time."""
    async with conn.transaction():
        await revoke_api_key_as_operator(conn, key_id=key_id)


async def list_api_keys(conn: asyncpg.Connection, *, tenant_slug: str) -> list[asyncpg.Record]:
    """The tenant's keys (never their secrets)."""
    tenant_id = await tenant_id_for(conn, tenant_slug)
    return list(
        await conn.fetch(
            "SELECT id, name, prefix, created_at, revoked_at, last_used_at FROM api_keys"
            " WHERE tenant_id = $1 ORDER BY created_at",
            tenant_id,
        )
    )
