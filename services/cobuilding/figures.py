"""Co-building figures (数据化考核), computed from the data; summed across tenants for an SOE.

Over one year: agreements whose term touches it, by status; projects running in it, by
dimension and status; contributions made in it, summed by kind, side and unit; milestones due
in it, on time, late, overdue or open; and the evaluations of that period, per dimension and
side. Drafts count only for those who may see them (as the lists).
"""

from __future__ import annotations

import decimal
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

from services.cobuilding.access import VISIBLE, Scope
from services.cobuilding.models import STATUS_SQL
from services.cobuilding.reads import AGREEMENT_FROM


@dataclass(frozen=True, slots=True)
class Count:
    key: tuple[str, ...]
    count: int


@dataclass(frozen=True, slots=True)
class Sum:
    kind: str
    side: str
    unit: str
    total: decimal.Decimal
    entries: int


@dataclass(frozen=True, slots=True)
class Average:
    """Both sides' view of one dimension, side by side, and how many agreements they judge
    two points or more apart (两促进两提升)."""

    dimension_code: str
    enterprise_sum: int
    enterprise_scores: int
    local_sum: int
    local_scores: int
    divergent: int

    @property
    def enterprise_average(self) -> float | None:
        return round(self.enterprise_sum / self.enterprise_scores, 2) if self.enterprise_scores else None

    @property
    def local_average(self) -> float | None:
        return round(self.local_sum / self.local_scores, 2) if self.local_scores else None


@dataclass(frozen=True, slots=True)
class MilestoneCounts:
    on_time: int
    late: int
    overdue: int
    open: int


@dataclass(frozen=True, slots=True)
class Figures:
    year: int
    organization_id: uuid.UUID | None
    agreements_by_status: dict[str, int]
    projects: list[Count]  # key: (dimension code, status)
    contributions: list[Sum]
    milestones: MilestoneCounts
    evaluations: list[Average]


_AGREEMENTS = f"""
SELECT a.id, ({STATUS_SQL}) AS status {AGREEMENT_FROM}
WHERE {VISIBLE}
  AND v.start_date <= make_date($5, 12, 31) AND v.end_date >= make_date($5, 1, 1)
  AND ($6::uuid IS NULL OR a.enterprise_org_id = $6 OR a.local_org_id = $6)
"""


async def cobuilding_figures(
    conn: asyncpg.Connection, *, scope: Scope, year: int, organization_id: uuid.UUID | None = None
) -> Figures:
    """The figures of one tenant (the transaction's), as far as ``scope`` may see."""
    args = (*scope.args(), year, organization_id)
    statuses = await conn.fetch(f"SELECT status, count(*) AS n FROM ({_AGREEMENTS}) x GROUP BY status", *args)
    # Projects, milestones and contributions of agreements the caller sees (whatever their term).
    under = f"""
    p.agreement_id IN (SELECT a.id {AGREEMENT_FROM} WHERE {VISIBLE}
                       AND ($6::uuid IS NULL OR a.enterprise_org_id = $6 OR a.local_org_id = $6))
    """
    projects = await conn.fetch(
        f"""
        SELECT d.code, p.status, count(*) AS n
        FROM cobuilding_projects p JOIN cobuilding_dimensions d ON d.id = p.dimension_id
        WHERE {under} AND p.start_date <= make_date($5, 12, 31) AND p.end_date >= make_date($5, 1, 1)
        GROUP BY d.code, p.status ORDER BY d.code, p.status
        """,
        *args,
    )
    sums = await conn.fetch(
        f"""
        SELECT c.kind, c.side, c.unit, sum(c.amount) AS total, count(*) AS n
        FROM cobuilding_contributions c JOIN cobuilding_projects p ON p.id = c.project_id
        WHERE {under} AND extract(year FROM c.contributed_on) = $5
        GROUP BY c.kind, c.side, c.unit ORDER BY c.kind, c.side, c.unit
        """,
        *args,
    )
    milestones = await conn.fetchrow(
        f"""
        SELECT count(*) FILTER (WHERE m.completed_at IS NOT NULL
                                AND (m.completed_at AT TIME ZONE 'Asia/Shanghai')::date <= m.due_date)
                   AS on_time,
               count(*) FILTER (WHERE m.completed_at IS NOT NULL
                                AND (m.completed_at AT TIME ZONE 'Asia/Shanghai')::date > m.due_date)
                   AS late,
               count(*) FILTER (WHERE m.completed_at IS NULL AND m.due_date < current_date) AS overdue,
               count(*) FILTER (WHERE m.completed_at IS NULL AND m.due_date >= current_date) AS open
        FROM cobuilding_milestones m JOIN cobuilding_projects p ON p.id = m.project_id
        WHERE {under} AND extract(year FROM m.due_date) = $5
        """,
        *args,
    )
    assert milestones is not None
    averages = await conn.fetch(
        f"""
        WITH seen AS (
            SELECT a.id {AGREEMENT_FROM} WHERE {VISIBLE}
               AND ($6::uuid IS NULL OR a.enterprise_org_id = $6 OR a.local_org_id = $6)
        ), scored AS (
            SELECT e.agreement_id, e.side, s.dimension_id, s.score
            FROM cobuilding_evaluations e JOIN cobuilding_evaluation_scores s ON s.evaluation_id = e.id
            WHERE e.period = $5 AND e.agreement_id IN (SELECT id FROM seen)
        )
        SELECT d.code,
               coalesce(sum(x.score) FILTER (WHERE x.side = 'ENTERPRISE'), 0) AS enterprise_sum,
               count(*) FILTER (WHERE x.side = 'ENTERPRISE') AS enterprise_scores,
               coalesce(sum(x.score) FILTER (WHERE x.side = 'LOCAL'), 0) AS local_sum,
               count(*) FILTER (WHERE x.side = 'LOCAL') AS local_scores,
               (SELECT count(*) FROM scored e JOIN scored l
                  ON l.agreement_id = e.agreement_id AND l.dimension_id = e.dimension_id
                 WHERE e.side = 'ENTERPRISE' AND l.side = 'LOCAL' AND e.dimension_id = d.id
                   AND abs(e.score - l.score) >= 2) AS divergent
        FROM scored x JOIN cobuilding_dimensions d ON d.id = x.dimension_id
        GROUP BY d.id, d.code ORDER BY d.code
        """,
        *args,
    )
    return Figures(
        year=year,
        organization_id=organization_id,
        agreements_by_status={row["status"]: row["n"] for row in statuses},
        projects=[Count(key=(row["code"], row["status"]), count=row["n"]) for row in projects],
        contributions=[
            Sum(kind=r["kind"], side=r["side"], unit=r["unit"], total=r["total"], entries=r["n"])
            for r in sums
        ],
        milestones=MilestoneCounts(
            on_time=milestones["on_time"],
            late=milestones["late"],
            overdue=milestones["overdue"],
            open=milestones["open"],
        ),
        evaluations=[
            Average(
                dimension_code=r["code"],
                enterprise_sum=r["enterprise_sum"],
                enterprise_scores=r["enterprise_scores"],
                local_sum=r["local_sum"],
                local_scores=r["local_scores"],
                divergent=r["divergent"],
            )
            for r in averages
        ],
    )


def summed(year: int, parts: Iterable[Figures]) -> Figures:
    """Several tenants' figures as one (an SOE's view): counts and sums added, averages re-weighed."""
    statuses: dict[str, int] = defaultdict(int)
    projects: dict[tuple[str, ...], int] = defaultdict(int)
    sums: dict[tuple[str, str, str], tuple[decimal.Decimal, int]] = {}
    averages: dict[str, list[int]] = {}
    on_time = late = overdue = still_open = 0
    for part in parts:
        for status, n in part.agreements_by_status.items():
            statuses[status] += n
        for count in part.projects:
            projects[count.key] += count.count
        for s in part.contributions:
            total, entries = sums.get((s.kind, s.side, s.unit), (decimal.Decimal(0), 0))
            sums[(s.kind, s.side, s.unit)] = (total + s.total, entries + s.entries)
        for a in part.evaluations:
            kept = averages.setdefault(a.dimension_code, [0, 0, 0, 0, 0])
            for i, value in enumerate(
                (a.enterprise_sum, a.enterprise_scores, a.local_sum, a.local_scores, a.divergent)
            ):
                kept[i] += value
        on_time += part.milestones.on_time
        late += part.milestones.late
        overdue += part.milestones.overdue
        still_open += part.milestones.open
    return Figures(
        year=year,
        organization_id=None,
        agreements_by_status=dict(statuses),
        projects=[Count(key=k, count=n) for k, n in sorted(projects.items())],
        contributions=[
            Sum(kind=k[0], side=k[1], unit=k[2], total=t, entries=n) for k, (t, n) in sorted(sums.items())
        ],
        milestones=MilestoneCounts(on_time=on_time, late=late, overdue=overdue, open=still_open),
        evaluations=[Average(code, *kept) for code, kept in sorted(averages.items())],
    )
