"""The ``cobuilding`` service's event handlers: a signed-off ledger task completes its milestone.

Run inside the inbox's transaction (one effect per event); the update itself is conditional as
well, so even a replayed dead letter completes a milestone once.
"""

from __future__ import annotations

import uuid

import asyncpg

from services.cobuilding.milestones import complete_milestone
from services.cobuilding.models import MILESTONE_SOURCE
from services.events.changes import SystemActor
from services.events.consumer import set_tenant
from services.events.envelope import Envelope
from services.ledger.reads import LedgerItemSignedOff

SERVICE = "cobuilding"


async def complete_signed_off_milestone(
    conn: asyncpg.Connection, event: LedgerItemSignedOff, envelope: Envelope
) -> None:
    if event.origin != MILESTONE_SOURCE or not event.source_key:
        return
    try:
        milestone_id = uuid.UUID(event.source_key)
    except ValueError:
        return  # not a milestone's key: nothing of co-building
    tenant_id = uuid.UUID(str(envelope.tenant))
    await set_tenant(conn, tenant_id)
    await complete_milestone(
        conn,
        actor=SystemActor(tenant_id=tenant_id, login=event.actor or "ledger"),
        milestone_id=milestone_id,
        ledger_item_id=uuid.UUID(event.id),
    )
