"""Every tenant-data transaction starts by telling PostgreSQL whose data it may touch."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import cast

import asyncpg

from services.core.principal import Principal

_SET_SCOPE = "SELECT set_config('app.tenant_id', $1, true), set_config('app.account_id', $2, true)"


async def set_scope(
    conn: asyncpg.Connection, *, tenant_id: uuid.UUID | None, account_id: uuid.UUID | None = None
) -> None:
    """Scope the current transaction to a tenant (and an account) for row-level security."""
    await conn.execute(_SET_SCOPE, str(tenant_id) if tenant_id else "", str(account_id) if account_id else "")


@contextlib.asynccontextmanager
async def tenant_transaction(pool: asyncpg.Pool, principal: Principal) -> AsyncIterator[asyncpg.Connection]:
    """A transaction that sees only ``principal``'s tenant (and its own role rows)."""
    async with pool.acquire() as proxy, proxy.transaction():
        conn = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
        await set_scope(conn, tenant_id=principal.tenant_id, account_id=principal.account_id)
        yield conn
