"""Figures of the ledger for the annual debriefing and evaluation (述职评议考核), computed from
the items every time, never kept as counters."""

from __future__ import annotations

import uuid

import asyncpg

from services.core.errors import Forbidden, NotFound
from services.core.principal import Principal
from services.directory.reads import Role
from services.ledger import rules
from services.ledger.access import ReadScope
from services.ledger.listing import organizations_of
from services.ledger.models import OrganizationFigures, StatusCount

_FIGURES = """
SELECT o.id AS organization_id,
       count(i.id) FILTER (WHERE i.status <> 'CANCELLED') AS total,
       count(i.id) FILTER (WHERE i.status = 'SIGNED_OFF') AS signed_off,
       count(i.id) FILTER (WHERE i.status <> 'CANCELLED'
                           AND (i.status = 'SIGNED_OFF' OR i.due_date < ledger_today())) AS due,
       count(i.id) FILTER (WHERE i.status = 'SIGNED_OFF'
                           AND (i.signed_off_at AT TIME ZONE 'Asia/Shanghai')::date <= i.due_date) AS on_time,
       count(i.id) FILTER (WHERE i.status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED')
                           AND i.due_date < ledger_today()) AS overdue,
       avg(ledger_today() - i.due_date) FILTER (WHERE i.status IN ('OPEN', 'IN_PROGRESS', 'SUBMITTED')
                                               AND i.due_date < ledger_today()) AS days_overdue
FROM unnest($1::uuid[]) AS o (id)
LEFT JOIN ledger_items i ON i.organization_id = o.id AND i.year = $2
GROUP BY o.id
"""
_COUNTS = """
SELECT organization_id, list, status, count(*) AS count FROM ledger_items
WHERE organization_id = ANY($1::uuid[]) AND year = $2
GROUP BY organization_id, list, status ORDER BY organization_id, list, status
"""


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def _organizations(
    conn: asyncpg.Connection, actor: Principal, organization_id: uuid.UUID | None, include_descendants: bool
) -> list[uuid.UUID]:
    everything = actor.is_partner or bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles)
    scope = await ReadScope.of(conn, actor)
    if organization_id is None:
        if everything:
            return [row["id"] for row in await conn.fetch("SELECT id FROM organizations ORDER BY id")]
        return sorted(set(scope.subtree) | set(scope.member_of))
    if not await conn.fetchval("SELECT true FROM organizations WHERE id = $1", organization_id):
        raise NotFound("no such organization", field="organizationId")
    if not (everything or scope.sees_organization(organization_id)):
        raise Forbidden("these figures are outside your organisation")
    found = await organizations_of(
        conn, organization_id=organization_id, include_descendants=include_descendants
    )
    return [org for org in found if everything or scope.sees_organization(org)]


async def ledger_figures(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    year: int,
    organization_id: uuid.UUID | None,
    include_descendants: bool,
) -> list[OrganizationFigures]:
    """Per organisation (the one given, with those below it when asked; without one, every
    organisation the caller sees): counts per list and status, sign-off and on-time rates,
    overdue count and average days overdue."""
    rules.check_year(year)
    organizations = await _organizations(conn, actor, organization_id, include_descendants)
    counts: dict[uuid.UUID, list[StatusCount]] = {org: [] for org in organizations}
    for row in await conn.fetch(_COUNTS, organizations, year):
        counts[row["organization_id"]].append(
            StatusCount(list=row["list"], status=row["status"], count=row["count"])
        )
    figures = []
    for row in await conn.fetch(_FIGURES, organizations, year):
        days = row["days_overdue"]
        figures.append(
            OrganizationFigures(
                organization_id=row["organization_id"],
                counts=tuple(counts[row["organization_id"]]),
                total=row["total"],
                signed_off=row["signed_off"],
                sign_off_rate=_rate(row["signed_off"], row["total"]),
                on_time_rate=_rate(row["on_time"], row["due"]),
                overdue_count=row["overdue"],
                average_days_overdue=round(float(days), 2) if days is not None else None,
            )
        )
    order = {org: n for n, org in enumerate(organizations)}
    return sorted(figures, key=lambda f: order[f.organization_id])
