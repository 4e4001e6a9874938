"""Partner API keys: random, shown once, stored hashed, scoped to one tenant, revocable."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from services.core.auth import new_api_key
from services.core.errors import NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.directory.events import ApiKeyCreated, ApiKeyRevoked
from services.events.changes import Actor, SystemActor, record_change

_COLUMNS = "id, name, prefix, created_at, revoked_at, last_used_at"


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: uuid.UUID
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


async def insert_api_key(
    conn: asyncpg.Connection, *, tenant_id: uuid.UUID, tenant_slug: str, name: str
) -> tuple[ApiKey, str]:
    """A partner account holding the partner role, and its key; returns (key, plaintext)."""
    name = clean_text(name, field="name", max_length=100)
    key = new_api_key()
    account_id = await conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name, kind)"
        " VALUES ($1, $2, $3, 'partner') RETURNING id",
        tenant_id,
        f"partner-{tenant_slug}-{key.prefix}",
        name,
    )
    await conn.execute(
        "INSERT INTO role_assignments (tenant_id, account_id, role) VALUES ($1, $2, 'partner')",
        tenant_id,
        account_id,
    )
    row = await conn.fetchrow(
        "INSERT INTO api_keys (tenant_id, account_id, name, prefix, secret_hash)"
        f" VALUES ($1, $2, $3, $4, $5) RETURNING {_COLUMNS}",
        tenant_id,
        account_id,
        name,
        key.prefix,
        key.secret_hash,
    )
    return from_record(ApiKey, row), key.plaintext  # type: ignore[arg-type]


async def create_api_key(conn: asyncpg.Connection, *, actor: Principal, name: str) -> tuple[ApiKey, str]:
    """Issue a key for a partner system of the actor's tenant (the plaintext is shown once)."""
    return await issue_api_key(conn, actor=actor, tenant_slug=actor.tenant_slug, name=name)


async def issue_api_key(
    conn: asyncpg.Connection, *, actor: Actor, tenant_slug: str, name: str
) -> tuple[ApiKey, str]:
    """A key for ``actor``'s tenant, audited and announced (requests and the command line)."""
    created, plaintext = await insert_api_key(
        conn, tenant_id=actor.tenant_id, tenant_slug=tenant_slug, name=name
    )
    await record_change(
        conn,
        actor,
        ApiKeyCreated(id=str(created.id), name=created.name, prefix=created.prefix),
        after={"name": created.name, "prefix": created.prefix},
    )
    return created, plaintext


async def revoke_api_key(conn: asyncpg.Connection, *, actor: Principal, key_id: uuid.UUID) -> ApiKey:
    """Revoke at once, with the partner role the key's account was given for it.

    NotFound for unknown, other tenants' or already revoked keys. Removing the role (its
    change notifies every gateway) leaves nothing behind that the key granted.
    """
    row = await conn.fetchrow(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"
        f" RETURNING account_id, {_COLUMNS}",
        key_id,
    )
    if row is None:
        raise NotFound("no such active API key", field="id")
    return await _revoked(conn, actor, row)


async def revoke_api_key_as_operator(conn: asyncpg.Connection, *, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key of any tenant (the command line, with the owner's connection)."""
    row = await conn.fetchrow(
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"
        f" RETURNING tenant_id, account_id, {_COLUMNS}",
        key_id,
    )
    if row is None:
        raise NotFound("no such active API key", field="id")
    return await _revoked(conn, SystemActor(tenant_id=row["tenant_id"]), row)


async def _revoked(conn: asyncpg.Connection, actor: Actor, row: asyncpg.Record) -> ApiKey:
    """Drop the partner role the key's account was given for it (its change notifies every
    gateway, so nothing the key granted stays behind), then audit and announce."""
    await conn.execute(
        "DELETE FROM role_assignments WHERE tenant_id = $1 AND account_id = $2 AND role = 'partner'",
        actor.tenant_id,
        row["account_id"],
    )
    revoked = from_record(ApiKey, row)
    await record_change(
        conn,
        actor,
        ApiKeyRevoked(id=str(revoked.id), name=revoked.name, prefix=revoked.prefix),
        before={"revokedAt": None},
        after={"revokedAt": revoked.revoked_at},
    )
    return revoked


async def list_api_keys(conn: asyncpg.Connection) -> list[ApiKey]:
    """The tenant's keys, newest first (never their secrets)."""
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM api_keys ORDER BY created_at DESC")
    return [from_record(ApiKey, row) for row in rows]


async def get_api_key(conn: asyncpg.Connection, *, key_id: uuid.UUID) -> ApiKey:
    """One of the tenant's keys, revoked or not, as ``list_api_keys`` shows it (row-level
    security alone, never its secret); NOT_FOUND otherwise, another tenant's key included."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM api_keys WHERE id = $1", key_id)
    if row is None:
        raise NotFound("no such API key", field="id")
    return from_record(ApiKey, row)
