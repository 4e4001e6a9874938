"""Reading the activity feed: newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.records import Page, from_record


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    id: int
    event_type: str
    subject: str
    actor: str | None
    summary: dict[str, Any]
    occurred_at: dt.datetime


async def list_activity(
    conn: asyncpg.Connection, *, event_types: list[str] | None, first: int, before_id: int | None
) -> Page[ActivityEntry]:
    """A page of the tenant's feed, newest first, optionally of some event types only."""
    where = "($1::text[] IS NULL OR event_type = ANY($1))"
    rows = await conn.fetch(
        "SELECT id, event_type, subject, actor, summary, occurred_at FROM activity WHERE "
        + where
        + " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        event_types,
        before_id,
        first + 1,
    )
    total = await conn.fetchval("SELECT count(*) FROM activity WHERE " + where, event_types)
    return Page(
        items=[from_record(ActivityEntry, row) for row in rows[:first]],
        total=int(total),
        has_next=len(rows) > first,
    )
