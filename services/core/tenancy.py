"""Every tenant-data transaction (or read session) starts by telling PostgreSQL whose data it may touch."""

from __future__ import annotations

import asyncio
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


_SET_SESSION_SCOPE = "SELECT set_config('app.tenant_id', $1, false), set_config('app.account_id', $2, false)"


class ReadSession:
    """One pooled connection for all the reads of one request, scoped to the caller once.

    Reads need no transaction: under READ COMMITTED every statement takes its own snapshot
    anyway, so BEGIN and COMMIT would only add round trips. The scope is therefore a session
    setting, set by the first statement on the connection; the pool's reset on release
    (asyncpg's ``RESET ALL``, see ``services.core.db``) clears it before the connection serves
    anyone else, and asyncpg closes a connection whose reset fails. A connection runs one
    statement at a time, so the request's resolvers and loaders take turns on it.
    Writes never come here: audit and outbox rows refuse to be written outside a transaction.
    """

    def __init__(self, pool: asyncpg.Pool, principal: Principal) -> None:
        self._pool = pool
        self._principal = principal
        self._lock = asyncio.Lock()
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """The request's connection, for one statement or a few in a row."""
        async with self._lock:
            if self._conn is None:
                conn = await self._pool.acquire()
                try:
                    await conn.execute(
                        _SET_SESSION_SCOPE,
                        str(self._principal.tenant_id),
                        str(self._principal.account_id) if self._principal.account_id else "",
                    )
                except BaseException:
                    await self._pool.release(conn)
                    raise
                self._conn = conn
            yield cast(asyncpg.Connection, self._conn)  # the pool's proxy behaves as a connection

    async def close(self) -> None:
        """Give the connection back to the pool, which resets its session settings."""
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                await self._pool.release(conn)
