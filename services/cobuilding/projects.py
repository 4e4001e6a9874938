"""Co-building projects (共建项目): under a signed agreement in force, within its term and dimensions."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence

import asyncpg

from services.cobuilding.access import Scope, require_party_admin
from services.cobuilding.events import ProjectCreated, ProjectEvent, ProjectStatusChanged
from services.cobuilding.models import CONSTRAINTS, MAX_AMOUNT, Project, ProjectStatus
from services.cobuilding.reads import PROJECT_COLUMNS, PROJECT_FROM, get_agreement, get_project
from services.core.errors import BadUserInput, Conflict, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.events.changes import record_change

MAX_PARTICIPANTS = 50

# Where a project may go from each status.
_NEXT = {
    ProjectStatus.PLANNED: {ProjectStatus.RUNNING, ProjectStatus.DROPPED},
    ProjectStatus.RUNNING: {ProjectStatus.DONE, ProjectStatus.DROPPED},
    ProjectStatus.DONE: set(),
    ProjectStatus.DROPPED: set(),
}


def _event(cls: type[ProjectEvent], project: Project) -> ProjectEvent:
    return cls(
        id=str(project.id),
        agreement_id=str(project.agreement_id),
        dimension_code=project.dimension_code,
        title=project.title,
        lead_org_id=str(project.lead_org_id),
        status=project.status,
    )


def exact_amount(value: decimal.Decimal, *, field: str, allow_negative: bool = False) -> decimal.Decimal:
    """A yuan amount as given: finite, within the bound, at most two decimals (never rounded)."""
    if not value.is_finite():
        raise BadUserInput(f"{field} must be a finite decimal", field=field)
    if abs(value) > MAX_AMOUNT:
        raise BadUserInput(f"{field} is above {MAX_AMOUNT}", field=field)
    if not allow_negative and value < 0:
        raise BadUserInput(f"{field} must not be negative", field=field)
    cents = value.quantize(decimal.Decimal("0.01"))
    if cents != value:
        raise BadUserInput(f"{field} has more than 2 decimals", field=field)
    return cents


async def _organizations_exist(conn: asyncpg.Connection, ids: Sequence[uuid.UUID], field: str) -> None:
    found = await conn.fetchval(
        "SELECT count(*) FROM organizations WHERE id = ANY($1::uuid[])", list(set(ids))
    )
    if found != len(set(ids)):
        raise BadUserInput(f"{field} names no organization of this alliance", field=field)


async def create_project(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    agreement_id: uuid.UUID,
    dimension_code: str,
    title: str,
    lead_org_id: uuid.UUID,
    participant_org_ids: Sequence[uuid.UUID] = (),
    budget: decimal.Decimal | None = None,
    start_date: dt.date,
    end_date: dt.date,
) -> Project:
    """A PLANNED project; the database refuses one outside the signed term or dimensions."""
    scope = Scope.of(actor)
    # The agreement's row lock keeps a termination or revision from slipping in between.
    if not await conn.fetchval(
        "SELECT true FROM cobuilding_agreements WHERE id = $1 FOR SHARE", agreement_id
    ):
        raise NotFound("no such agreement", field="agreementId")
    agreement = await get_agreement(conn, scope=scope, agreement_id=agreement_id)
    await require_party_admin(conn, actor, agreement, "run its projects")
    if len(participant_org_ids) > MAX_PARTICIPANTS:
        raise BadUserInput(f"at most {MAX_PARTICIPANTS} participants", field="participantOrganizationIds")
    await _organizations_exist(conn, [lead_org_id], "leadOrganizationId")
    await _organizations_exist(conn, participant_org_ids, "participantOrganizationIds")
    dimension_id = await conn.fetchval(
        "SELECT id FROM cobuilding_dimensions WHERE code = $1", dimension_code.strip().upper()
    )
    if dimension_id is None:
        raise BadUserInput("no such dimension in this alliance's catalogue", field="dimensionCode")
    row = await CONSTRAINTS.fetchrow(
        conn,
        """
        INSERT INTO cobuilding_projects (tenant_id, agreement_id, dimension_id, title, lead_org_id,
                                         participant_org_ids, budget, start_date, end_date)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
        """,
        actor.tenant_id,
        agreement_id,
        dimension_id,
        clean_text(title, field="title", max_length=200),
        lead_org_id,
        sorted(set(participant_org_ids)),
        exact_amount(budget, field="budget") if budget is not None else None,
        start_date,
        end_date,
    )
    project = await get_project(conn, scope=scope, project_id=row["id"])
    await record_change(
        conn,
        actor,
        _event(ProjectCreated, project),
        after={"title": project.title, "budget": str(project.budget) if project.budget is not None else None},
    )
    return project


async def set_project_status(
    conn: asyncpg.Connection, *, actor: Principal, project_id: uuid.UUID, status: ProjectStatus
) -> Project:
    """PLANNED → RUNNING → DONE, or DROPPED before it is done."""
    scope = Scope.of(actor)
    row = await conn.fetchrow(
        f"SELECT {PROJECT_COLUMNS} {PROJECT_FROM} WHERE p.id = $1 FOR UPDATE OF p", project_id
    )
    if row is None:
        raise NotFound("no such project", field="id")
    current = from_record(Project, row)
    agreement = await get_agreement(conn, scope=scope, agreement_id=current.agreement_id)
    await require_party_admin(conn, actor, agreement, "run its projects")
    if status not in _NEXT[ProjectStatus(current.status)]:
        raise Conflict(f"a {current.status.lower()} project cannot become {status.lower()}")
    await conn.execute(
        "UPDATE cobuilding_projects SET status = $2, updated_at = now() WHERE id = $1",
        project_id,
        status.value,
    )
    changed = await get_project(conn, scope=scope, project_id=project_id)
    await record_change(
        conn,
        actor,
        _event(ProjectStatusChanged, changed),
        before={"status": current.status},
        after={"status": status.value},
    )
    return changed
