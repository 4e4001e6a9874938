"""Two-way evaluation (两促进两提升): each side scores each committed dimension, sealed on submit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.cobuilding.access import Scope, side_to_act_for, sides_managed
from services.cobuilding.events import EvaluationSubmitted
from services.cobuilding.models import CONSTRAINTS, Evaluation, Side
from services.cobuilding.parts import evaluations_of
from services.cobuilding.reads import get_agreement
from services.core.errors import BadUserInput, Conflict, Forbidden
from services.core.principal import Principal
from services.core.validation import optional_text
from services.events.changes import record_change


@dataclass(frozen=True, slots=True)
class ScoreInput:
    dimension_code: str
    score: int
    comment: str | None = None


async def submit_evaluation(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    agreement_id: uuid.UUID,
    period: int | None,
    scores: Sequence[ScoreInput],
    side: Side | None = None,
) -> Evaluation:
    """One side's scores for a period (a year by default); once submitted it never changes."""
    scope = Scope.of(actor)
    agreement = await get_agreement(conn, scope=scope, agreement_id=agreement_id)
    sides = await sides_managed(conn, actor, agreement)
    if not sides:
        raise Forbidden("only the admins of the agreement's parties may evaluate it")
    chosen = side_to_act_for(sides, side)
    if agreement.signed_version is None:
        raise Conflict("only a signed agreement is evaluated")
    period = dt.date.today().year if period is None else period
    if not 2000 <= period <= 2200:
        raise BadUserInput("period is a year within 2000–2200", field="period")
    committed = {
        row["code"]: row["id"]
        for row in await conn.fetch(
            "SELECT d.code, d.id FROM cobuilding_commitments c JOIN cobuilding_dimensions d ON"
            " d.id = c.dimension_id"
            " WHERE c.agreement_id = $1 AND c.version = $2",
            agreement_id,
            agreement.signed_version,
        )
    }
    given: dict[str, ScoreInput] = {}
    for score in scores:
        code = score.dimension_code.strip().upper()
        if code not in committed:
            raise BadUserInput(f"the agreement commits to no dimension {code!r}", field="scores")
        if code in given:
            raise BadUserInput(f"dimension {code!r} is scored twice", field="scores")
        if not 1 <= score.score <= 5:
            raise BadUserInput("a score is from 1 to 5", field="scores")
        given[code] = score
    if set(given) != set(committed):
        missing = ", ".join(sorted(set(committed) - set(given)))
        raise BadUserInput(f"score every committed dimension (missing: {missing})", field="scores")
    organization_id = agreement.enterprise_org_id if chosen == Side.ENTERPRISE else agreement.local_org_id
    row = await CONSTRAINTS.fetchrow(
        conn,
        "INSERT INTO cobuilding_evaluations (tenant_id, agreement_id, period, side,"
        " organization_id, submitted_by,"
        " submitted_by_login) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        actor.tenant_id,
        agreement_id,
        period,
        chosen.value,
        organization_id,
        actor.account_id,
        actor.login,
    )
    evaluation_id: uuid.UUID = row["id"]
    for code, score in given.items():
        await CONSTRAINTS.execute(
            conn,
            "INSERT INTO cobuilding_evaluation_scores (tenant_id, evaluation_id, dimension_id,"
            " score, comment)"
            " VALUES ($1, $2, $3, $4, $5)",
            actor.tenant_id,
            evaluation_id,
            committed[code],
            score.score,
            optional_text(score.comment, field="scores", max_length=1000, multiline=True),
        )
    await record_change(
        conn,
        actor,
        EvaluationSubmitted(
            id=str(evaluation_id),
            agreement_id=str(agreement_id),
            period=period,
            side=chosen.value,
            organization_id=str(organization_id),
        ),
        after={"period": period, "side": chosen.value, "scores": {c: s.score for c, s in given.items()}},
    )
    found = await evaluations_of(conn, agreement_ids=[agreement_id])
    return next(e for e in found[agreement_id] if e.id == evaluation_id)
