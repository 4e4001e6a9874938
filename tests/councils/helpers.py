"""Rows of the councils domain that the demo does not hold, made for tests that read them back."""

from __future__ import annotations

import secrets
import uuid

import asyncpg

from services.councils.demo import STREET_COUNCIL


async def member_feed(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> uuid.UUID:
    """A calendar feed of the street council, made by the demo's ``member`` login (seeded
    directly: its secret is thrown away, as nobody subscribes to it here)."""
    feed_id: uuid.UUID = await admin_conn.fetchval(
        "INSERT INTO council_feeds (tenant_id, council_id, secret_hash, created_by)"
        " SELECT $1, c.id, $3, a.id FROM councils c, accounts a"
        " WHERE c.tenant_id = $1 AND c.name = $2 AND a.home_tenant_id = $1 AND a.login = 'member'"
        " RETURNING id",
        tenant_id,
        STREET_COUNCIL,
        secrets.token_bytes(32),
    )
    assert feed_id is not None, "the councils' demo data and the member login are loaded"
    return feed_id
