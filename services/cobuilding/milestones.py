"""Milestones (项目节点): each is a ledger task (三单制 台账), opened through the ledger's declared
interface in the same transaction; signing the task off (销号) completes the milestone."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.cobuilding.access import Scope, require_party_admin
from services.cobuilding.events import MilestoneAdded, MilestoneCompleted, MilestoneEvent
from services.cobuilding.models import CONSTRAINTS, MILESTONE_SOURCE, Milestone
from services.cobuilding.parts import MILESTONE_COLUMNS
from services.cobuilding.reads import get_agreement, get_project
from services.core.errors import BadUserInput, Conflict
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.events.changes import Actor, record_change
from services.ledger.intake import SourcedTask, open_sourced_tasks


def _event(cls: type[MilestoneEvent], milestone: Milestone, **more: object) -> MilestoneEvent:
    return cls(
        id=str(milestone.id),
        project_id=str(milestone.project_id),
        title=milestone.title,
        due_date=milestone.due_date.isoformat(),
        responsible_org_id=str(milestone.responsible_org_id),
        **more,  # type: ignore[arg-type]
    )


async def add_milestone(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    project_id: uuid.UUID,
    title: str,
    due_date: dt.date,
    responsible_org_id: uuid.UUID,
) -> Milestone:
    """A milestone and its ledger task (source COBUILDING_MILESTONE, keyed by the milestone),
    assigned by the project's lead organisation."""
    scope = Scope.of(actor)
    project = await get_project(conn, scope=scope, project_id=project_id)
    agreement = await get_agreement(conn, scope=scope, agreement_id=project.agreement_id)
    await require_party_admin(conn, actor, agreement, "plan its milestones")
    if project.status in ("DONE", "DROPPED"):
        raise Conflict(f"a {project.status.lower()} project takes no new milestones")
    if not project.start_date <= due_date <= project.end_date:
        raise BadUserInput("the due date lies outside the project's dates", field="dueDate")
    if not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)", responsible_org_id
    ):
        raise BadUserInput(
            "responsibleOrganizationId names no organization of this alliance",
            field="responsibleOrganizationId",
        )
    title = clean_text(title, field="title", max_length=200)
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"""
        INSERT INTO cobuilding_milestones AS m (tenant_id, project_id, title, due_date, responsible_org_id)
        VALUES ($1, $2, $3, $4, $5) RETURNING {MILESTONE_COLUMNS}
        """,
        actor.tenant_id,
        project_id,
        title,
        due_date,
        responsible_org_id,
    )
    milestone = from_record(Milestone, row)
    (task,) = await open_sourced_tasks(
        conn,
        actor=actor,
        source=MILESTONE_SOURCE,
        source_id=project_id,
        assigning_organization_id=project.lead_org_id,
        tasks=[
            SourcedTask(
                key=str(milestone.id),
                title=f"{project.title}：{title}",
                responsible_organization_id=responsible_org_id,
                due_date=due_date,
                description=f"共建项目节点 (co-building milestone) of 《{agreement.title}》",
            )
        ],
    )
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"UPDATE cobuilding_milestones AS m SET ledger_item_id = $2 WHERE id = $1 RETURNING"
        f" {MILESTONE_COLUMNS}",
        milestone.id,
        task.id,
    )
    milestone = from_record(Milestone, row)
    await record_change(
        conn,
        actor,
        _event(MilestoneAdded, milestone, ledger_item_id=str(task.id)),
        after={"title": title, "dueDate": due_date.isoformat(), "ledgerItemId": str(task.id)},
    )
    return milestone


async def complete_milestone(
    conn: asyncpg.Connection, *, actor: Actor, milestone_id: uuid.UUID, ledger_item_id: uuid.UUID
) -> Milestone | None:
    """Mark the milestone whose ledger task was signed off completed; a second call (or a task
    that is not the milestone's) changes nothing."""
    row = await conn.fetchrow(
        f"""
        UPDATE cobuilding_milestones AS m SET completed_at = now()
        WHERE id = $1 AND ledger_item_id = $2 AND completed_at IS NULL
        RETURNING {MILESTONE_COLUMNS}
        """,
        milestone_id,
        ledger_item_id,
    )
    if row is None:
        return None
    milestone = from_record(Milestone, row)
    assert milestone.completed_at is not None
    await record_change(
        conn,
        actor,
        _event(MilestoneCompleted, milestone, completed_at=milestone.completed_at.isoformat()),
        before={"completedAt": None},
        after={"completedAt": milestone.completed_at.isoformat()},
    )
    return milestone
