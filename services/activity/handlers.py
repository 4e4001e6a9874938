"""The ``activity`` service's event handler: every event becomes a feed entry, once."""

from __future__ import annotations

import asyncpg
import orjson

from services.events.consumer import set_tenant
from services.events.envelope import Envelope
from services.events.types import DomainEvent
from services.events.visibility import permission_key

SERVICE = "activity"


async def record_activity(conn: asyncpg.Connection, event: DomainEvent, envelope: Envelope) -> None:
    """Add the event to its tenant's feed, with who may read it (the inbox: one call per event)."""
    await set_tenant(conn, envelope.tenant)
    audience = event.audience()
    await conn.execute(
        """
        INSERT INTO activity (tenant_id, event_id, event_type, subject, actor, summary, occurred_at,
                              read_permission, partners, managers_of, actor_permission)
        VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9, $10, $11)
        ON CONFLICT (event_id) DO NOTHING
        """,
        envelope.tenant,
        envelope.id,
        envelope.type,
        envelope.subject,
        event.actor,
        orjson.dumps(event.summary()).decode(),
        envelope.time,
        permission_key(audience.permission),
        audience.partners,
        audience.managers_of,
        permission_key(audience.actor_permission),
    )
