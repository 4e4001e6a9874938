"""Reading the parts of co-building projects and agreements: milestones, contributions and
evaluations, each seen exactly when its project or agreement is (``reads``' ``VISIBLE``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence

import asyncpg
import orjson

from services.cobuilding.access import VISIBLE, Scope
from services.cobuilding.models import Contribution, Evaluation, Milestone, Score
from services.cobuilding.reads import PROJECT_FROM
from services.core.errors import NotFound
from services.core.records import from_record

MILESTONE_COLUMNS = (
    "m.id, m.project_id, m.title, m.due_date, m.responsible_org_id, m.ledger_item_id, m.completed_at"
)


async def milestones_of(
    conn: asyncpg.Connection, *, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Milestone]]:
    rows = await conn.fetch(
        f"SELECT {MILESTONE_COLUMNS} FROM cobuilding_milestones m WHERE m.project_id = ANY($1::uuid[])"
        " ORDER BY m.due_date, m.id",
        list(project_ids),
    )
    found: dict[uuid.UUID, list[Milestone]] = defaultdict(list)
    for row in rows:
        found[row["project_id"]].append(from_record(Milestone, row))
    return found


async def get_milestone(conn: asyncpg.Connection, *, scope: Scope, milestone_id: uuid.UUID) -> Milestone:
    """One milestone of a project the caller may see (``get_project``'s FROM and ``VISIBLE``);
    NOT_FOUND otherwise (also for other tenants' ids)."""
    row = await conn.fetchrow(
        f"SELECT {MILESTONE_COLUMNS} {PROJECT_FROM} JOIN cobuilding_milestones m ON m.project_id = p.id"
        f" WHERE m.id = $5 AND {VISIBLE}",
        *scope.args(),
        milestone_id,
    )
    if row is None:
        raise NotFound("no such milestone", field="id")
    return from_record(Milestone, row)


async def due_milestones_of_agreements(
    conn: asyncpg.Connection, *, agreement_ids: Sequence[uuid.UUID], until: dt.date
) -> dict[uuid.UUID, list[Milestone]]:
    """Open milestones due by ``until`` (overdue ones included), per agreement."""
    rows = await conn.fetch(
        f"""
        SELECT p.agreement_id, {MILESTONE_COLUMNS}
        FROM cobuilding_milestones m JOIN cobuilding_projects p ON p.id = m.project_id
        WHERE p.agreement_id = ANY($1::uuid[]) AND m.completed_at IS NULL AND m.due_date <= $2
        ORDER BY m.due_date, m.id
        """,
        list(agreement_ids),
        until,
    )
    found: dict[uuid.UUID, list[Milestone]] = defaultdict(list)
    for row in rows:
        found[row["agreement_id"]].append(from_record(Milestone, row))
    return found


CONTRIBUTION_COLUMNS = """
c.id, c.project_id, c.organization_id, c.side, c.kind, c.amount, c.unit, c.resource_id, c.note, c.reason,
c.contributed_on, c.recorded_by_login, c.created_at
"""


async def contributions_of(
    conn: asyncpg.Connection, *, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Contribution]]:
    rows = await conn.fetch(
        f"SELECT {CONTRIBUTION_COLUMNS} FROM cobuilding_contributions c WHERE c.project_id = ANY($1::uuid[])"
        " ORDER BY c.contributed_on, c.id",
        list(project_ids),
    )
    found: dict[uuid.UUID, list[Contribution]] = defaultdict(list)
    for row in rows:
        found[row["project_id"]].append(from_record(Contribution, row))
    return found


async def get_contribution(
    conn: asyncpg.Connection, *, scope: Scope, contribution_id: uuid.UUID
) -> Contribution:
    """One contribution to a project the caller may see (``get_project``'s FROM and
    ``VISIBLE``); NOT_FOUND otherwise (also for other tenants' ids)."""
    row = await conn.fetchrow(
        f"SELECT {CONTRIBUTION_COLUMNS} {PROJECT_FROM} JOIN cobuilding_contributions c ON c.project_id = p.id"
        f" WHERE c.id = $5 AND {VISIBLE}",
        *scope.args(),
        contribution_id,
    )
    if row is None:
        raise NotFound("no such contribution", field="id")
    return from_record(Contribution, row)


# Evaluations with their scores (in the dimensions' order), those of ``{where}``; one
# statement for an agreement's list and for one evaluation by id.
_EVALUATIONS_SQL = """
SELECT e.id, e.agreement_id, e.period, e.side, e.organization_id, e.submitted_by_login, e.submitted_at,
       coalesce(jsonb_agg(jsonb_build_object('dimensionId', s.dimension_id, 'code', d.code,
                'score', s.score, 'comment', s.comment) ORDER BY d.position, d.code)
                FILTER (WHERE s.dimension_id IS NOT NULL), '[]')::text AS scores
FROM cobuilding_evaluations e
LEFT JOIN cobuilding_evaluation_scores s ON s.evaluation_id = e.id
LEFT JOIN cobuilding_dimensions d ON d.id = s.dimension_id
WHERE {where}
GROUP BY e.id ORDER BY e.period, e.side
"""
_EVALUATIONS_OF_SQL = _EVALUATIONS_SQL.format(where="e.agreement_id = ANY($1::uuid[])")
# One evaluation ($5) of an agreement the caller may see (its scope $1–$4), as the agreement shows it.
_EVALUATION_BY_ID_SQL = _EVALUATIONS_SQL.format(
    where=f"e.id = $5 AND EXISTS (SELECT 1 FROM cobuilding_agreements a"
    f" WHERE a.id = e.agreement_id AND {VISIBLE})"
)


def _evaluation(row: asyncpg.Record) -> Evaluation:
    scores = tuple(
        Score(
            dimension_id=uuid.UUID(s["dimensionId"]),
            dimension_code=s["code"],
            score=s["score"],
            comment=s["comment"],
        )
        for s in orjson.loads(row["scores"])
    )
    return Evaluation(
        id=row["id"],
        agreement_id=row["agreement_id"],
        period=row["period"],
        side=row["side"],
        organization_id=row["organization_id"],
        submitted_by_login=row["submitted_by_login"],
        submitted_at=row["submitted_at"],
        scores=scores,
    )


async def evaluations_of(
    conn: asyncpg.Connection, *, agreement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Evaluation]]:
    rows = await conn.fetch(_EVALUATIONS_OF_SQL, list(agreement_ids))
    found: dict[uuid.UUID, list[Evaluation]] = defaultdict(list)
    for row in rows:
        found[row["agreement_id"]].append(_evaluation(row))
    return found


async def get_evaluation(conn: asyncpg.Connection, *, scope: Scope, evaluation_id: uuid.UUID) -> Evaluation:
    """One evaluation of an agreement the caller may see (the agreement's ``VISIBLE``);
    NOT_FOUND otherwise (also for other tenants' ids)."""
    row = await conn.fetchrow(_EVALUATION_BY_ID_SQL, *scope.args(), evaluation_id)
    if row is None:
        raise NotFound("no such evaluation", field="id")
    return _evaluation(row)
