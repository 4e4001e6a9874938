"""Figures for 数据化考核, computed from the data (never typed in): resources shared, bookings
by status, hours used per venue and the utilisation rate of an organisation in a period.

"Hours used" are the open hours a held (approved or completed) booking covers, so a venue's
rate is never above 1; a material's hours count once per item lent, against stock × hours.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.core.errors import Forbidden, NotFound
from services.core.principal import Principal
from services.directory.reads import Role
from services.resources import rules
from services.resources.access import may_manage
from services.resources.models import (
    BookingStatus,
    ResourceFigures,
    ResourceKind,
    Utilization,
    VenueUse,
)

# Per resource: open hours in its shared part of [$2, $3), and the open hours its held
# bookings cover (× quantity for materials).
_USE = """
SELECT r.id, r.title, r.kind,
       resource_open_hours(r.opening_hours, r.blackout_dates, r.time_zone,
                           greatest($2, r.published_at), least($3, coalesce(r.archived_at, $3)))
           * CASE WHEN r.kind = 'MATERIAL' THEN r.quantity ELSE 1 END AS open_hours,
       coalesce((
           SELECT sum(resource_open_hours(r.opening_hours, r.blackout_dates, r.time_zone,
                                          greatest(lower(b.during), $2), least(upper(b.during), $3))
                      * CASE WHEN r.kind = 'MATERIAL' THEN b.quantity ELSE 1 END)
           FROM bookings b
           WHERE b.resource_id = r.id AND b.status IN ('APPROVED', 'COMPLETED')
             AND b.during && tstzrange($2, $3)), 0) AS booked_hours
FROM resources r
"""
# Shared at some time in [$2, $3).
_SHARED = (
    "r.published_at IS NOT NULL AND r.published_at < $3 AND (r.archived_at IS NULL OR r.archived_at > $2)"
)


async def utilization_of(
    conn: asyncpg.Connection,
    *,
    resource_ids: list[uuid.UUID],
    period_from: dt.datetime,
    period_to: dt.datetime,
) -> dict[uuid.UUID, Utilization]:
    """Use of each resource over a period (one query for all of them)."""
    rules.check_period(period_from, period_to)
    rows = await conn.fetch(
        f"{_USE} WHERE r.id = ANY($1::uuid[]) AND r.published_at IS NOT NULL",
        resource_ids,
        period_from,
        period_to,
    )
    found = {
        row["id"]: Utilization(
            resource_id=row["id"],
            period_from=period_from,
            period_to=period_to,
            booked_hours=round(float(row["booked_hours"]), 2),
            open_hours=round(max(float(row["open_hours"]), 0.0), 2),
        )
        for row in rows
    }
    for rid in resource_ids:  # never published: nothing open, nothing used
        found.setdefault(rid, Utilization(rid, period_from, period_to, 0.0, 0.0))
    return found


async def _check_access(
    conn: asyncpg.Connection, actor: Principal, organization_id: uuid.UUID | None
) -> None:
    sees_all = bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles)
    if organization_id is None:
        if not sees_all:
            raise Forbidden("alliance-wide figures are for the alliance admin and auditors; pass orgId")
        return
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)", organization_id):
        raise NotFound("no such organization", field="orgId")
    if not sees_all and not await may_manage(conn, actor, organization_id):
        raise Forbidden("figures of an organization are for its admins, the alliance admin and auditors")


async def resource_figures(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    organization_id: uuid.UUID | None,
    period_from: dt.datetime,
    period_to: dt.datetime,
) -> ResourceFigures:
    """One organisation's figures (or the whole alliance's when ``organization_id`` is None)."""
    rules.check_period(period_from, period_to)
    await _check_access(conn, actor, organization_id)
    kinds = await conn.fetch(
        f"SELECT r.kind, count(*) AS n FROM resources r"
        f" WHERE ($1::uuid IS NULL OR r.owner_org_id = $1) AND {_SHARED} GROUP BY r.kind",
        organization_id,
        period_from,
        period_to,
    )
    statuses = await conn.fetch(
        """
        SELECT 'received' AS side, b.status, count(*) AS n
        FROM bookings b JOIN resources r ON r.id = b.resource_id
        WHERE ($1::uuid IS NULL OR r.owner_org_id = $1) AND b.during && tstzrange($2, $3)
        GROUP BY b.status
        UNION ALL
        SELECT 'made', b.status, count(*)
        FROM bookings b
        WHERE ($1::uuid IS NULL OR b.requester_org_id = $1) AND b.during && tstzrange($2, $3)
        GROUP BY b.status
        """,
        organization_id,
        period_from,
        period_to,
    )
    venues = await conn.fetch(
        f"{_USE} WHERE r.kind IN ('VENUE', 'BASE') AND ($1::uuid IS NULL OR r.owner_org_id = $1)"
        f" AND {_SHARED} ORDER BY r.id",
        organization_id,
        period_from,
        period_to,
    )
    received = {s.value: 0 for s in BookingStatus}
    made = {s.value: 0 for s in BookingStatus}
    for row in statuses:
        (received if row["side"] == "received" else made)[row["status"]] = int(row["n"])
    by_kind = {k.value: 0 for k in ResourceKind}
    by_kind.update({row["kind"]: int(row["n"]) for row in kinds})
    return ResourceFigures(
        organization_id=organization_id,
        period_from=period_from,
        period_to=period_to,
        resources_by_kind=by_kind,
        bookings_by_status=received,
        requests_by_status=made,
        venues=[
            VenueUse(
                resource_id=row["id"],
                title=row["title"],
                kind=row["kind"],
                booked_hours=round(float(row["booked_hours"]), 2),
                open_hours=round(max(float(row["open_hours"]), 0.0), 2),
            )
            for row in venues
        ],
    )
