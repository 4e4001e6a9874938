""" "Writes nothing": a fingerprint of every table, so a refused request that still wrote a
row anywhere (an API key, an outbox row, an audit row, an account) fails its test. Tables
come from the catalogue, so a new domain's tables are covered without listing them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

WRITTEN_ELSEWHERE = {
    "activity": "written by the activity consumer from outbox rows, after the fact; an unchanged"
    " outbox means no new activity",
    "inbox": "written by consumers as they handle earlier tests' events",
    "dead_letter": "written by consumers as they handle earlier tests' events",
    "partner_buckets": "charged for every partner request, refused or not: the limits'"
    " bookkeeping, as api_keys.last_used_at is authentication's",
}
"""Tables a refused request cannot write but background workers may, at any moment."""

MOVING_COLUMNS = {
    "outbox": ["sent_at", "attempts"],  # the relay marks rows sent in the background
    "api_keys": ["last_used_at"],  # authenticating with a key notes its use
}
"""Columns that change in the background or by authenticating, not by the request's effect."""


async def fingerprint(admin_conn: asyncpg.Connection) -> dict[str, str]:
    """Per table of the public schema: its row count and a digest of its rows."""
    tables = await admin_conn.fetch(
        "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        " AND relkind IN ('r', 'p') AND NOT relispartition ORDER BY relname"
    )
    fingerprints: dict[str, str] = {}
    for row in tables:
        table = row["relname"]
        if table in WRITTEN_ELSEWHERE:
            continue
        fingerprints[table] = await admin_conn.fetchval(
            "SELECT count(*) || ':' || md5(coalesce(string_agg(r, E'\\n' ORDER BY r), ''))"
            f' FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM "{table}" t) rows',
            MOVING_COLUMNS.get(table, []),
        )
    return fingerprints


class WritesNothing:
    """``async with writes_nothing(): …`` fails if the block changed any table."""

    def __init__(self, admin_conn: asyncpg.Connection) -> None:
        self.admin_conn = admin_conn

    async def snapshot(self) -> dict[str, str]:
        return await fingerprint(self.admin_conn)

    async def assert_unchanged(self, before: dict[str, str]) -> None:
        after = await fingerprint(self.admin_conn)
        changed = sorted(
            table for table in before.keys() | after.keys() if before.get(table) != after.get(table)
        )
        assert changed == [], f"a refused request wrote to {changed}"

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        before = await self.snapshot()
        yield
        await self.assert_unchanged(before)
