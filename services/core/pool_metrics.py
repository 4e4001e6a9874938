"""The database pool's occupancy as metrics: in use, idle, and callers waiting."""

from __future__ import annotations

import asyncio

import asyncpg

from services.core.metrics import DB_POOL_CONNECTIONS, DB_POOL_WAITING


class MeteredPool(asyncpg.Pool):
    """asyncpg's pool, counting the callers that wait for a connection.

    asyncpg tells how many connections are open and idle, but not how many callers queue for
    one; that count is the first sign of a pool too small for its load.
    """

    waiting = 0

    async def _acquire(self, timeout: float | None) -> asyncpg.pool.PoolConnectionProxy:  # noqa: ASYNC109  (asyncpg's signature)
        self.waiting += 1
        try:
            return await super()._acquire(timeout)  # type: ignore[misc,no-any-return]
        finally:
            self.waiting -= 1


def record_pool(pool: asyncpg.Pool) -> None:
    """Write the pool's occupancy into the gauges."""
    size, idle = pool.get_size(), pool.get_idle_size()
    DB_POOL_CONNECTIONS.labels("in_use").set(size - idle)
    DB_POOL_CONNECTIONS.labels("idle").set(idle)
    DB_POOL_WAITING.set(getattr(pool, "waiting", 0))


async def sample_pool(pool: asyncpg.Pool, *, interval: float) -> None:
    """Record the pool's occupancy every ``interval`` seconds until cancelled."""
    while True:
        if not pool.is_closing():
            record_pool(pool)
        await asyncio.sleep(interval)
