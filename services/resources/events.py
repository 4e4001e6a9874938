"""The resources service's events, recorded in the outbox inside the change's transaction.

Aggregates: ``resource`` (created, updated, published, archived, menu_changed) and
``booking`` (requested, approved, rejected, cancelled, completed, no_show). A booking's events
are keyed by the booking, so one booking's history stays in order on its topic.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from services.core.principal import Principal
from services.events.outbox import record_event
from services.resources.models import Booking, Resource

SOURCE = "alliance/resources"


def resource_data(resource: Resource) -> dict[str, Any]:
    """What followers of a resource see (no photos or hours: they read those by query)."""
    return {
        "id": str(resource.id),
        "kind": resource.kind,
        "title": resource.title,
        "ownerOrgId": str(resource.owner_org_id),
        "capacity": resource.capacity,
        "quantity": resource.quantity,
        "tags": resource.tags,
        "status": resource.status,
        "visibility": resource.visibility,
    }


def booking_data(booking: Booking) -> dict[str, Any]:
    return {
        "id": str(booking.id),
        "resourceId": str(booking.resource_id),
        "requesterOrgId": str(booking.requester_org_id),
        "start": booking.starts_at.isoformat(),
        "end": booking.ends_at.isoformat(),
        "attendees": booking.attendees,
        "quantity": booking.quantity,
        "menuItemId": str(booking.menu_item_id) if booking.menu_item_id else None,
        "status": booking.status,
        "reason": booking.decision_reason,
    }


async def resource_changed(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    resource: Resource,
    change: str,
    extra: dict[str, Any] | None = None,
) -> None:
    """``resource.<change>.v1``."""
    await record_event(
        conn,
        tenant_id=actor.tenant_id,
        aggregate_type="resource",
        aggregate_id=resource.id,
        event_type=f"resource.{change}.v1",
        data={**resource_data(resource), **(extra or {}), "actor": actor.login},
        source=SOURCE,
    )


async def booking_changed(
    conn: asyncpg.Connection, *, actor: Principal, booking: Booking, change: str
) -> None:
    """``booking.<change>.v1``."""
    await record_event(
        conn,
        tenant_id=actor.tenant_id,
        aggregate_type="booking",
        aggregate_id=booking.id,
        event_type=f"booking.{change}.v1",
        data={**booking_data(booking), "actor": actor.login},
        source=SOURCE,
    )
