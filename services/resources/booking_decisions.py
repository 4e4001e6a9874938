"""What happens to a booking after the request: approve, reject, cancel, complete or no-show.

Each transition locks the booking row, checks who may make it and that the current status
allows it (a wrong transition is a CONFLICT), then writes the change, its audit row and its
event in one transaction. Two approvals of overlapping windows cannot both commit: the
exclusion constraint refuses the second (CONFLICT), and for materials the resource's row
lock serialises approvals so the approved quantities never exceed the stock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import Conflict, Forbidden, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.events.changes import record_change
from services.resources.access import may_manage
from services.resources.bookings import COLUMNS
from services.resources.conflicts import STOCK, booking_conflict
from services.resources.events import (
    BookingApproved,
    BookingCancelled,
    BookingCompleted,
    BookingEvent,
    BookingNoShow,
    BookingRejected,
)
from services.resources.models import CONSTRAINTS, Booking, BookingStatus, ResourceKind

_EVENTS: dict[BookingStatus, type[BookingEvent]] = {
    BookingStatus.APPROVED: BookingApproved,
    BookingStatus.REJECTED: BookingRejected,
    BookingStatus.CANCELLED: BookingCancelled,
    BookingStatus.COMPLETED: BookingCompleted,
    BookingStatus.NO_SHOW: BookingNoShow,
}


@dataclass(frozen=True, slots=True)
class _Locked:
    booking: Booking
    requested_by: uuid.UUID | None
    owner_org_id: uuid.UUID
    kind: str
    stock: int | None
    started: bool
    ended: bool


async def _locked(conn: asyncpg.Connection, booking_id: uuid.UUID) -> _Locked:
    row = await conn.fetchrow(
        f"""
        SELECT {COLUMNS}, b.requested_by, r.owner_org_id, r.kind, r.quantity AS stock,
               lower(b.during) <= now() AS started, upper(b.during) <= now() AS ended
        FROM bookings b JOIN resources r ON r.id = b.resource_id
        WHERE b.id = $1
        FOR UPDATE OF b
        """,
        booking_id,
    )
    if row is None:
        raise NotFound("no such booking", field="id")
    return _Locked(
        booking=from_record(Booking, row),
        requested_by=row["requested_by"],
        owner_org_id=row["owner_org_id"],
        kind=row["kind"],
        stock=row["stock"],
        started=row["started"],
        ended=row["ended"],
    )


def _expect(current: Booking, allowed: set[BookingStatus], target: BookingStatus) -> None:
    if current.status not in allowed:
        raise Conflict(f"a {current.status.lower()} booking cannot become {target.lower()}")


async def _owner_admin(conn: asyncpg.Connection, actor: Principal, locked: _Locked, verb: str) -> None:
    if not await may_manage(conn, actor, locked.owner_org_id):
        raise Forbidden(f"only the resource owner's admin or the alliance admin may {verb} this booking")


async def _transition(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    before: Booking,
    status: BookingStatus,
    reason: str | None = None,
    decided: bool = False,
) -> Booking:
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        UPDATE bookings AS b SET status = $2,
            decision_reason = coalesce($3, decision_reason),
            decided_by = CASE WHEN $4 THEN $5 ELSE decided_by END,
            decided_at = CASE WHEN $4 THEN now() ELSE decided_at END,
            updated_at = now()
        WHERE b.id = $1 RETURNING {COLUMNS}
        """,
        before.id,
        status.value,
        reason,
        decided,
        actor.account_id,
    )
    after = from_record(Booking, row)
    await record_change(
        conn,
        actor,
        _EVENTS[status].of(after),
        before={"status": before.status, "reason": before.decision_reason},
        after={"status": after.status, "reason": after.decision_reason},
    )
    return after


async def approve_booking(conn: asyncpg.Connection, *, actor: Principal, booking_id: uuid.UUID) -> Booking:
    """PENDING → APPROVED by the owner's admin, never by the person who asked."""
    locked = await _locked(conn, booking_id)
    await _owner_admin(conn, actor, locked, "approve")
    if locked.requested_by == actor.account_id:
        raise Forbidden("nobody approves their own request")
    _expect(locked.booking, {BookingStatus.PENDING}, BookingStatus.APPROVED)
    if locked.ended:
        raise Conflict("the booking's window is over")
    if locked.kind == ResourceKind.MATERIAL:
        # One approval of this resource at a time; the sum then sees every committed approval.
        await conn.execute("SELECT 1 FROM resources WHERE id = $1 FOR UPDATE", locked.booking.resource_id)
        held = await conn.fetchval(
            "SELECT resource_peak_held($1, tstzrange($2, $3))",
            locked.booking.resource_id,
            locked.booking.starts_at,
            locked.booking.ends_at,
        )
        if held + locked.booking.quantity > (locked.stock or 0):
            raise booking_conflict(STOCK, f"only {(locked.stock or 0) - held} left in that window")
    return await _transition(
        conn, actor=actor, before=locked.booking, status=BookingStatus.APPROVED, decided=True
    )


async def reject_booking(
    conn: asyncpg.Connection, *, actor: Principal, booking_id: uuid.UUID, reason: str
) -> Booking:
    """PENDING → REJECTED by the owner's admin, with a reason the requester sees."""
    reason = clean_text(reason, field="reason", max_length=500, multiline=True)
    locked = await _locked(conn, booking_id)
    await _owner_admin(conn, actor, locked, "reject")
    _expect(locked.booking, {BookingStatus.PENDING}, BookingStatus.REJECTED)
    return await _transition(
        conn, actor=actor, before=locked.booking, status=BookingStatus.REJECTED, reason=reason, decided=True
    )


async def cancel_booking(conn: asyncpg.Connection, *, actor: Principal, booking_id: uuid.UUID) -> Booking:
    """PENDING or APPROVED → CANCELLED, before the window starts, by the requester's side
    (the person who asked or their organisation's admin) or the owner's admin."""
    locked = await _locked(conn, booking_id)
    booking = locked.booking
    if not (
        locked.requested_by == actor.account_id
        or await may_manage(conn, actor, booking.requester_org_id)
        or await may_manage(conn, actor, locked.owner_org_id)
    ):
        raise Forbidden("only the requester, its organization's admin or the owner's admin may cancel")
    _expect(booking, {BookingStatus.PENDING, BookingStatus.APPROVED}, BookingStatus.CANCELLED)
    if booking.status == BookingStatus.APPROVED and locked.started:
        raise Conflict("the booking has started; mark it completed or no-show instead")
    return await _transition(conn, actor=actor, before=booking, status=BookingStatus.CANCELLED)


async def complete_booking(
    conn: asyncpg.Connection, *, actor: Principal, booking_id: uuid.UUID, no_show: bool
) -> Booking:
    """APPROVED → COMPLETED (or NO_SHOW) by the owner's admin once the window has begun."""
    locked = await _locked(conn, booking_id)
    await _owner_admin(conn, actor, locked, "complete")
    target = BookingStatus.NO_SHOW if no_show else BookingStatus.COMPLETED
    _expect(locked.booking, {BookingStatus.APPROVED}, target)
    if not locked.started:
        raise Conflict("the booking's window has not begun")
    return await _transition(conn, actor=actor, before=locked.booking, status=target)
