"""The ``activity`` service's event handler: every event becomes a feed entry, once."""

from __future__ import annotations

import asyncpg
import orjson

from services.events.consumer import set_tenant
from services.events.envelope import Envelope
from services.events.registry import Registry

SERVICE = "activity"

# Data fields worth showing in a feed line; the rest stays in the event.
_SUMMARY_FIELDS = ("name", "title", "kind", "status", "login", "role")


async def record_activity(conn: asyncpg.Connection, envelope: Envelope) -> None:
    """Add the event to its tenant's feed (the inbox guarantees one call per event)."""
    await set_tenant(conn, envelope.tenant)
    data = envelope.data
    await conn.execute(
        """
        INSERT INTO activity (tenant_id, event_id, event_type, subject, actor, summary, occurred_at)
        VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7)
        ON CONFLICT (event_id) DO NOTHING
        """,
        envelope.tenant,
        envelope.id,
        envelope.type,
        envelope.subject,
        data.get("actor") if isinstance(data.get("actor"), str) else None,
        _summary_json(data),
        envelope.time,
    )


def _summary_json(data: dict[str, object]) -> str:
    return orjson.dumps({key: data[key] for key in _SUMMARY_FIELDS if key in data}).decode()


def register(registry: Registry) -> None:
    """Subscribe the activity feed to every event of every aggregate."""
    registry.add(service=SERVICE, handler=record_activity)
