"""The ``webhooks`` service: records, for each event, a delivery per endpoint that wants it.

It runs as its own consumer group (``alliance worker webhooks``) and never waits on a
partner's server: it only writes ``webhook_deliveries`` rows (in the inbox transaction, so
each event is recorded once) and wakes the sender (``webhook-sender``) with a notification
that PostgreSQL delivers at commit. A slow or failing endpoint therefore never holds up a
partition; the sender keeps each aggregate's order per endpoint.
"""

from __future__ import annotations

import asyncpg

from services.events.consumer import set_tenant
from services.events.envelope import Envelope
from services.events.types import DomainEvent
from services.partners.webhooks import matches

SERVICE = "webhooks"


async def record_deliveries(conn: asyncpg.Connection, event: DomainEvent, envelope: Envelope) -> None:
    """A pending delivery of ``envelope`` for each endpoint whose globs match its type (a
    disabled endpoint keeps them until it is enabled again).

    The read rule is applied when sending, for the key as it stands then (a key that lost a
    role by then gets nothing it can no longer read).
    """
    await set_tenant(conn, envelope.tenant)
    endpoints = await conn.fetch("SELECT id, event_types FROM webhook_endpoints")
    wanted = [row["id"] for row in endpoints if matches(row["event_types"], envelope.type)]
    if not wanted:
        return
    await conn.execute(
        "INSERT INTO webhook_deliveries"
        " (tenant_id, endpoint_id, event_id, event_type, aggregate_key, envelope)"
        " SELECT $1, endpoint_id, $3, $4, $5, $6::text::jsonb FROM unnest($2::uuid[]) AS endpoint_id",
        envelope.tenant,
        wanted,
        envelope.id,
        envelope.type,
        f"{envelope.aggregate_type}:{envelope.subject}",
        envelope.to_json().decode(),
    )
    await conn.execute("SELECT pg_notify('webhook_due', '')")
