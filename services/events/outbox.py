"""The transactional outbox: the one way a service publishes an event.

A service never talks to Kafka. It records the event in the ``outbox`` table with the same
connection, inside the same transaction, as the change the event describes: the event exists
if and only if the change commits. The relay (``services.events.relay``) sends it later.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from services.core.tracing import current_traceparent
from services.events.envelope import Envelope
from services.events.topics import topic_for

# The relay LISTENs on this channel. NOTIFY is transactional: it is delivered on commit and
# dropped on rollback, and identical notifications of one transaction are folded into one.
NOTIFY_CHANNEL = "alliance_outbox"

# One round trip: the row, and the notification riding on the same transaction.
_INSERT = """
WITH inserted AS (
    INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, event_type, topic,
                        payload, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8)
    RETURNING 1
)
SELECT pg_notify('alliance_outbox', '') FROM inserted
"""


class OutboxError(RuntimeError):
    """``record_event`` was used in a way that could publish an event without its change."""


async def record_event(
    conn: asyncpg.Connection,
    *,
    tenant_id: uuid.UUID | str,
    aggregate_type: str,
    aggregate_id: uuid.UUID | str | int,
    event_type: str,
    data: Mapping[str, Any],
    source: str,
) -> Envelope:
    """Record an event in the caller's transaction; it is published only if that commits."""
    if not conn.is_in_transaction():
        # Outside a transaction the row would commit on its own: a change that later fails
        # would still be announced.
        raise OutboxError("record_event must run inside the transaction of the change")
    envelope = Envelope.new(
        source=source,
        type=event_type,
        tenant=tenant_id,
        aggregate_type=aggregate_type,
        subject=aggregate_id,
        data=data,
        traceparent=current_traceparent(),
    )
    await conn.execute(
        _INSERT,
        envelope.id,
        uuid.UUID(envelope.tenant),
        envelope.aggregate_type,
        envelope.subject,
        envelope.type,
        topic_for(envelope.aggregate_type),
        # Sent as text so that the statement works whatever JSON codec the connection has.
        envelope.to_json().decode(),
        envelope.time,
    )
    return envelope
