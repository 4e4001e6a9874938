"""Requesting a booking (预约申请): a member organisation asks for a resource and a window."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import optional_text
from services.events.changes import record_change
from services.resources import rules
from services.resources.access import SCOPE_CTE, SCOPE_WHERE, ReadScope, acting_organization
from services.resources.bookings import COLUMNS
from services.resources.catalogue import COLUMNS as RESOURCE_COLUMNS
from services.resources.catalogue import resource_from_record
from services.resources.conflicts import OVERLAP, STOCK, booking_conflict
from services.resources.events import BookingRequested
from services.resources.models import CONSTRAINTS, Booking, ResourceKind, ResourceStatus


@dataclass(frozen=True, slots=True)
class BookingRequest:
    resource_id: uuid.UUID
    start: dt.datetime
    end: dt.datetime
    attendees: int | None = None
    quantity: int | None = None
    purpose: str | None = None
    menu_item_id: uuid.UUID | None = None
    batch: str | None = None
    requester_org_id: uuid.UUID | None = None


# The resource (share-locked, so it is not archived meanwhile) and, in the same round trip,
# whether the window is open, already taken (time-exclusive kinds) and the stock held then.
_RESOURCE_AND_WINDOW = f"""
{SCOPE_CTE}
SELECT {RESOURCE_COLUMNS},
       resource_open_during(r.opening_hours, r.blackout_dates, r.time_zone, $5, $6) AS open,
       r.kind IN ('VENUE', 'BASE', 'LECTURER') AND EXISTS (
           SELECT 1 FROM bookings b WHERE b.resource_id = r.id AND b.status IN ('APPROVED', 'COMPLETED')
             AND b.during && tstzrange($5, $6)) AS taken,
       CASE WHEN r.kind = 'MATERIAL' THEN resource_peak_held(r.id, tstzrange($5, $6)) ELSE 0 END AS held
FROM resources r
WHERE r.id = $4 AND ({SCOPE_WHERE})
FOR SHARE OF r
"""


def _audit_view(booking: Booking) -> dict[str, Any]:
    return {
        "resourceId": booking.resource_id,
        "requesterOrgId": booking.requester_org_id,
        "start": booking.starts_at,
        "end": booking.ends_at,
        "attendees": booking.attendees,
        "quantity": booking.quantity,
        "purpose": booking.purpose,
        "menuItemId": booking.menu_item_id,
        "batch": booking.batch,
        "status": booking.status,
    }


async def _check_menu_item(
    conn: asyncpg.Connection, request: BookingRequest, *, kind: str, attendees: int | None
) -> None:
    if request.menu_item_id is None:
        return
    item = await conn.fetchrow(
        "SELECT duration_minutes, capacity FROM resource_menu_items"
        " WHERE id = $1 AND resource_id = $2 AND removed_at IS NULL",
        request.menu_item_id,
        request.resource_id,
    )
    if kind != ResourceKind.BASE or item is None:
        raise BadUserInput("menuItemId names no activity on this base's menu", field="menuItemId")
    if item["capacity"] is not None and attendees is not None and attendees > item["capacity"]:
        raise BadUserInput(f"this activity takes at most {item['capacity']} people", field="attendees")
    if request.end - request.start < dt.timedelta(minutes=item["duration_minutes"]):
        raise BadUserInput(f"this activity takes {item['duration_minutes']} minutes", field="end")


async def request_booking(conn: asyncpg.Connection, *, actor: Principal, request: BookingRequest) -> Booking:
    """Ask for a resource: checked against the rules here, and again by the database."""
    rules.check_window(request.start, request.end, now=dt.datetime.now(dt.UTC))
    attendees = rules.positive(request.attendees, field="attendees")
    quantity = rules.positive(request.quantity, field="quantity") or 1
    purpose = optional_text(request.purpose, field="purpose", max_length=500, multiline=True)
    batch = optional_text(request.batch, field="batch", max_length=200)
    scope = ReadScope.of(actor)
    row = await conn.fetchrow(
        _RESOURCE_AND_WINDOW,
        scope.partner,
        scope.sees_all,
        scope.admin_org_ids,
        request.resource_id,
        request.start,
        request.end,
    )
    if row is None:
        raise NotFound("no such resource", field="resourceId")
    resource = resource_from_record(row)
    if resource.status != ResourceStatus.PUBLISHED:
        raise BadUserInput(
            f"this resource is {resource.status.lower()}, not open for booking", field="resourceId"
        )
    requester = await acting_organization(conn, actor, request.requester_org_id, field="requesterOrgId")
    if resource.kind == ResourceKind.MATERIAL:
        if quantity > (resource.quantity or 0):
            raise BadUserInput(f"the stock is {resource.quantity}", field="quantity")
    elif quantity != 1:
        raise BadUserInput("only materials are booked by quantity", field="quantity")
    if resource.capacity is not None and attendees is not None and attendees > resource.capacity:
        raise BadUserInput(f"this resource takes at most {resource.capacity} people", field="attendees")
    await _check_menu_item(conn, request, kind=resource.kind, attendees=attendees)
    if not row["open"]:
        raise BadUserInput("the window is outside the opening hours or on a closed day", field="start")
    if row["taken"]:
        raise booking_conflict(OVERLAP, "the resource is already booked in that window")
    if resource.kind == ResourceKind.MATERIAL and row["held"] + quantity > (resource.quantity or 0):
        raise booking_conflict(STOCK, f"only {(resource.quantity or 0) - row['held']} left in that window")
    inserted = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO bookings AS b (tenant_id, resource_id, requester_org_id, requested_by,
                                   requested_by_login, during, attendees, quantity, purpose,
                                   menu_item_id, batch)
        VALUES ($1, $2, $3, $4, $5, tstzrange($6, $7), $8, $9, $10, $11, $12)
        RETURNING {COLUMNS}
        """,
        actor.tenant_id,
        resource.id,
        requester,
        actor.account_id,
        actor.login,
        request.start,
        request.end,
        attendees,
        quantity,
        purpose,
        request.menu_item_id,
        batch,
    )
    booking = from_record(Booking, inserted)
    await record_change(conn, actor, BookingRequested.of(booking), after=_audit_view(booking))
    return booking
