"""The outbox as tests look at it: which events are still waiting for the relay."""

from __future__ import annotations

import asyncpg


async def unsent(
    db: asyncpg.Pool | asyncpg.Connection,
    aggregate_type: str | None = None,
    *,
    aggregate_id: str | None = None,
) -> int:
    """How many outbox rows (of this aggregate type and/or id) the relay has not sent yet."""
    count: int = await db.fetchval(
        "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
        " AND ($1::text IS NULL OR aggregate_type = $1) AND ($2::text IS NULL OR aggregate_id = $2)",
        aggregate_type,
        aggregate_id,
    )
    return count


async def all_sent(
    db: asyncpg.Pool | asyncpg.Connection,
    aggregate_type: str | None = None,
    *,
    aggregate_id: str | None = None,
) -> bool:
    """Whether the relay has sent every such row (a condition for ``wait_until``)."""
    return await unsent(db, aggregate_type=aggregate_type, aggregate_id=aggregate_id) == 0
