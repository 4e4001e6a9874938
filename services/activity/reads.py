"""Reading the activity feed: newest first, only what the reader may read."""

from __future__ import annotations

import uuid

import asyncpg

from services.activity.models import ActivityEntry
from services.core.records import Page, from_record
from services.events.visibility import FEED_ACTOR, FEED_FILTER, Reader

# Parameters $1–$4 are the reader's (see FEED_FILTER); $5 the event types wanted.
_WHERE = f"({FEED_FILTER}) AND ($5::text[] IS NULL OR event_type = ANY($5))"
_COLUMNS = f"id, event_id, event_type, subject, {FEED_ACTOR} AS actor, summary, occurred_at"


async def list_activity(
    conn: asyncpg.Connection,
    *,
    reader: Reader,
    event_types: list[str] | None,
    first: int,
    before_id: int | None,
) -> Page[ActivityEntry]:
    """A page of the tenant's feed as ``reader`` may read it, optionally of some types only."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM activity WHERE {_WHERE} AND ($6::bigint IS NULL OR id < $6)"
        " ORDER BY id DESC LIMIT $7",
        *reader.feed_arguments(),
        event_types,
        before_id,
        first + 1,
    )
    total = await conn.fetchval(
        f"SELECT count(*) FROM activity WHERE {_WHERE}", *reader.feed_arguments(), event_types
    )
    return Page(
        items=[from_record(ActivityEntry, row) for row in rows[:first]],
        total=int(total),
        has_next=len(rows) > first,
    )


async def activity_entry(
    conn: asyncpg.Connection, *, reader: Reader, event_id: uuid.UUID
) -> ActivityEntry | None:
    """The feed's entry of one event, if ``reader`` may read it (None as for no such event)."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM activity WHERE ({FEED_FILTER}) AND event_id = $5",
        *reader.feed_arguments(),
        event_id,
    )
    return None if row is None else from_record(ActivityEntry, row)
