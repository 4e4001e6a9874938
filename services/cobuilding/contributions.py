"""Contributions (资源投入): append-only; a correction is a new, negative entry with a reason."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import asyncpg

from services.cobuilding.access import Scope, require_party_admin
from services.cobuilding.events import ContributionRecorded
from services.cobuilding.models import CONSTRAINTS, DEFAULT_UNITS, Contribution, ContributionKind, Side
from services.cobuilding.parts import CONTRIBUTION_COLUMNS
from services.cobuilding.projects import exact_amount
from services.cobuilding.reads import get_agreement, get_project
from services.core.errors import BadUserInput, Forbidden
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import optional_text
from services.directory.reads import managed_subtree, may_manage
from services.events.changes import record_change


async def record_contribution(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    project_id: uuid.UUID,
    organization_id: uuid.UUID,
    kind: ContributionKind,
    amount: decimal.Decimal,
    unit: str | None = None,
    resource_id: uuid.UUID | None = None,
    note: str | None = None,
    reason: str | None = None,
    date: dt.date,
) -> Contribution:
    """Record who put in what for a project, and when; the side follows from the organisation."""
    scope = Scope.of(actor)
    project = await get_project(conn, scope=scope, project_id=project_id)
    agreement = await get_agreement(conn, scope=scope, agreement_id=project.agreement_id)
    await require_party_admin(conn, actor, agreement, "record its contributions")
    enterprise_side = await managed_subtree(conn, organization_ids=[agreement.enterprise_org_id])
    taking_part = {
        agreement.enterprise_org_id,
        agreement.local_org_id,
        project.lead_org_id,
        *project.participant_org_ids,
    }
    if organization_id not in taking_part and organization_id not in enterprise_side:
        raise BadUserInput("organizationId takes no part in this project", field="organizationId")
    # Being a party's admin lets one run the project, not put the other party's name to an entry:
    # the figures sum contributions by side and the sides evaluate each other by them.
    if not await may_manage(conn, actor, organization_id):
        raise Forbidden("you record contributions of the organisations you administer only")
    amount = exact_amount(amount, field="amount", allow_negative=True)
    if amount == 0:
        raise BadUserInput("amount must not be zero", field="amount")
    reason = optional_text(reason, field="reason", max_length=500, multiline=True)
    if amount < 0 and reason is None:
        raise BadUserInput("a negative entry corrects an earlier one and needs a reason", field="reason")
    unit = optional_text(unit, field="unit", max_length=20) or DEFAULT_UNITS[kind]
    if kind == ContributionKind.FUNDING and unit != "CNY":
        raise BadUserInput("funding is counted in yuan (CNY)", field="unit")
    if date > dt.date.today() + dt.timedelta(days=1):
        raise BadUserInput("a contribution is recorded once it is made", field="date")
    side = Side.ENTERPRISE if organization_id in enterprise_side else Side.LOCAL
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO cobuilding_contributions AS c (tenant_id, project_id, organization_id, side,
            kind, amount, unit,
                                                   resource_id, note, reason, contributed_on,
                                                       recorded_by_login)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {CONTRIBUTION_COLUMNS}
        """,
        actor.tenant_id,
        project_id,
        organization_id,
        side.value,
        kind.value,
        amount,
        unit,
        resource_id,
        optional_text(note, field="note", max_length=1000, multiline=True),
        reason,
        date,
        actor.login,
    )
    contribution = from_record(Contribution, row)
    await record_change(
        conn,
        actor,
        ContributionRecorded(
            id=str(contribution.id),
            project_id=str(project_id),
            organization_id=str(organization_id),
            side=side.value,
            kind=kind.value,
            amount=str(contribution.amount),
            unit=unit,
            reason=reason,
        ),
        after={"kind": kind.value, "amount": str(contribution.amount), "unit": unit, "reason": reason},
    )
    return contribution
