"""Reading bookings (预约): by id, a resource's upcoming ones, and filtered pages."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.records import Page, from_record
from services.directory.reads import Organization, joined_columns, joined_organization
from services.resources import rules
from services.resources.models import Booking, BookingStatus

COLUMNS = (
    "b.id, b.tenant_id, b.resource_id, b.requester_org_id, b.requested_by_login,"
    " lower(b.during) AS starts_at, upper(b.during) AS ends_at, b.attendees, b.quantity, b.purpose,"
    " b.menu_item_id, b.batch, b.status, b.decision_reason, b.decided_at, b.created_at, b.updated_at"
)


@dataclass(frozen=True, slots=True)
class BookingFilter:
    resource_id: uuid.UUID | None = None
    owner_org_id: uuid.UUID | None = None
    requester_org_id: uuid.UUID | None = None
    status: BookingStatus | None = None
    overlaps_from: dt.datetime | None = None
    overlaps_to: dt.datetime | None = None


async def bookings_by_id(conn: asyncpg.Connection, *, ids: list[uuid.UUID]) -> dict[uuid.UUID, Booking]:
    """The tenant's bookings among ``ids``."""
    rows = await conn.fetch(f"SELECT {COLUMNS} FROM bookings b WHERE b.id = ANY($1::uuid[])", ids)
    return {row["id"]: from_record(Booking, row) for row in rows}


async def get_booking(conn: asyncpg.Connection, *, booking_id: uuid.UUID) -> Booking:
    found = await bookings_by_id(conn, ids=[booking_id])
    if booking_id not in found:
        raise NotFound("no such booking", field="id")
    return found[booking_id]


_UPCOMING = """
FROM unnest($1::uuid[]) AS wanted (id)
CROSS JOIN LATERAL (
    SELECT * FROM bookings
    WHERE resource_id = wanted.id AND status = 'APPROVED' AND upper(during) > now()
    ORDER BY lower(during) LIMIT $2
) AS b
"""
_UPCOMING_ORDER = "ORDER BY b.resource_id, lower(b.during)"


async def upcoming_of(
    conn: asyncpg.Connection, *, resource_ids: list[uuid.UUID], limit: int
) -> dict[uuid.UUID, list[Booking]]:
    """Approved bookings not yet over, soonest first, at most ``limit`` per resource (one query)."""
    rows = await conn.fetch(f"SELECT {COLUMNS} {_UPCOMING} {_UPCOMING_ORDER}", resource_ids, limit)
    found: dict[uuid.UUID, list[Booking]] = {rid: [] for rid in resource_ids}
    for row in rows:
        found[row["resource_id"]].append(from_record(Booking, row))
    return found


async def upcoming_with_requesters(
    conn: asyncpg.Connection, *, resource_ids: list[uuid.UUID], limit: int
) -> tuple[dict[uuid.UUID, list[Booking]], dict[uuid.UUID, Organization | None]]:
    """``upcoming_of`` and, in the same statement, the requesting organisations."""
    rows = await conn.fetch(
        f"SELECT {COLUMNS}, {joined_columns('o', 'requester_')} {_UPCOMING}"
        f" LEFT JOIN organizations o ON o.id = b.requester_org_id {_UPCOMING_ORDER}",
        resource_ids,
        limit,
    )
    found: dict[uuid.UUID, list[Booking]] = {rid: [] for rid in resource_ids}
    requesters: dict[uuid.UUID, Organization | None] = {}
    for row in rows:
        booking = from_record(Booking, row)
        found[booking.resource_id].append(booking)
        if booking.requester_org_id not in requesters:
            requesters[booking.requester_org_id] = joined_organization(row, "requester_")
    return found, requesters


_FILTER = """
FROM bookings b JOIN resources r ON r.id = b.resource_id
WHERE ($1::uuid IS NULL OR b.resource_id = $1)
  AND ($2::uuid IS NULL OR r.owner_org_id = $2)
  AND ($3::uuid IS NULL OR b.requester_org_id = $3)
  AND ($4::text IS NULL OR b.status = $4)
  AND ($5::timestamptz IS NULL OR b.during && tstzrange($5, $6))
"""


_PAGE = "AND ($7::uuid IS NULL OR b.id < $7) ORDER BY b.id DESC LIMIT $8"
# A page ($1–$6 from ``filter_params``, $7 cursor, $8 size), newest first; the same as whole
# rows of the table (for compiled reads, which pick their columns); the filter's total.
PAGE_SQL = f"SELECT {COLUMNS} {_FILTER} {_PAGE}"
PAGE_ROWS_SQL = f"SELECT b.* {_FILTER} {_PAGE}"
COUNT_SQL = f"SELECT count(*) {_FILTER}"
# $1 the ids, as whole rows of the table.
BY_ID_ROWS_SQL = "SELECT b.* FROM bookings b WHERE b.id = ANY($1::uuid[])"


def filter_params(*, filter: BookingFilter) -> list[object]:
    """The filter as ``$1``–``$6`` of ``PAGE_SQL`` and ``COUNT_SQL``; BAD_USER_INPUT if invalid."""
    if (filter.overlaps_from is None) != (filter.overlaps_to is None):
        raise BadUserInput("from and to go together", field="to" if filter.overlaps_to is None else "from")
    if filter.overlaps_from is not None and filter.overlaps_to is not None:
        rules.check_period(filter.overlaps_from, filter.overlaps_to)
    return [
        filter.resource_id,
        filter.owner_org_id,
        filter.requester_org_id,
        filter.status.value if filter.status else None,
        filter.overlaps_from,
        filter.overlaps_to,
    ]


async def list_bookings(
    conn: asyncpg.Connection, *, filter: BookingFilter, first: int, after: uuid.UUID | None
) -> Page[Booking]:
    """One page of the tenant's bookings, newest request first, with the filter's total."""
    args = filter_params(filter=filter)
    rows = await conn.fetch(PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(COUNT_SQL, *args)
    items = [from_record(Booking, row) for row in rows[:first]]
    return Page(items=items, total=int(total), has_next=len(rows) > first)
