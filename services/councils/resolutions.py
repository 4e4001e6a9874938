"""Resolutions (决议) adopted at a meeting; their tasks become three-lists ledger items.

The tasks are opened through the ledger's declared interface in the adoption's own
transaction, keyed "1", "2"… within the resolution, so they land exactly once: the ledger's
unique key holds even if the call is repeated. Two conveners adopting for one item at once:
the item's row lock orders them and the second sees the item resolved (CONFLICT); the
database's unique key on the item is the last word.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import asyncpg

from services.core.errors import BadUserInput, Conflict, DomainError, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.councils.access import ReadScope, council_visible, meeting_visible, resolutions_visible
from services.councils.events import AgendaItemResolved, ResolutionAdopted
from services.councils.meetings import ITEM_COLUMNS, open_for_records
from services.councils.models import (
    CONSTRAINTS,
    MAX_TASKS,
    TASK_SOURCE,
    AgendaItem,
    AgendaItemStatus,
    Resolution,
)
from services.events.changes import record_change
from services.ledger.intake import SourcedTask, SourcedTaskState, open_sourced_tasks

LOCAL = ZoneInfo("Asia/Shanghai")
COLUMNS = (
    "r.id, r.tenant_id, r.meeting_id, r.agenda_item_id, r.text, "
    "r.task_count, r.adopted_by_login, r.adopted_at"
)
MAX_SUPPORTING = 20


@dataclass(frozen=True, slots=True)
class TaskInput:
    title: str
    lead_organization_id: uuid.UUID
    due_date: dt.date
    supporting_organization_ids: Sequence[uuid.UUID] = ()


def _tasks(tasks: Sequence[TaskInput], *, today: dt.date) -> list[SourcedTask]:
    if len(tasks) > MAX_TASKS:
        raise BadUserInput(f"a resolution has at most {MAX_TASKS} tasks", field="tasks")
    found: list[SourcedTask] = []
    for number, task in enumerate(tasks, start=1):
        if task.due_date < today:
            raise BadUserInput("a task's due date is in the past", field="dueDate")
        if len(task.supporting_organization_ids) > MAX_SUPPORTING:
            raise BadUserInput(
                f"at most {MAX_SUPPORTING} supporting organizations", field="supportingOrganizationIds"
            )
        found.append(
            SourcedTask(
                key=str(number),
                title=clean_text(task.title, field="title", max_length=200),
                responsible_organization_id=task.lead_organization_id,
                due_date=task.due_date,
                supporting_organization_ids=tuple(task.supporting_organization_ids),
            )
        )
    return found


async def adopt_resolution(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    meeting_id: uuid.UUID,
    agenda_item_id: uuid.UUID,
    text: str,
    tasks: Sequence[TaskInput],
) -> tuple[Resolution, list[SourcedTaskState]]:
    """A resolution for an accepted item on this meeting's agenda, with its ledger tasks."""
    text = clean_text(text, field="text", max_length=5000, multiline=True)
    sourced = _tasks(tasks, today=dt.datetime.now(LOCAL).date())
    meeting, council = await open_for_records(conn, actor=actor, meeting_id=meeting_id)
    row = await conn.fetchrow(
        f"SELECT {ITEM_COLUMNS} FROM council_agenda_items i WHERE i.id = $1 FOR UPDATE", agenda_item_id
    )
    if row is None:
        raise NotFound("no such agenda item", field="agendaItemId")
    item = from_record(AgendaItem, row)
    if item.status == AgendaItemStatus.RESOLVED:
        raise Conflict("the agenda item already has a resolution")
    if item.meeting_id != meeting.id or item.status != AgendaItemStatus.ACCEPTED:
        raise BadUserInput("the item is not on this meeting's agenda", field="agendaItemId")
    resolution_row = await CONSTRAINTS.fetchrow(
        conn,
        f"""INSERT INTO council_resolutions AS r (tenant_id, meeting_id, agenda_item_id, text, task_count,
                adopted_by_login)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}""",
        actor.tenant_id,
        meeting.id,
        item.id,
        text,
        len(sourced),
        actor.login,
    )
    resolution = from_record(Resolution, resolution_row)
    try:
        states = await open_sourced_tasks(
            conn,
            actor=actor,
            source=TASK_SOURCE,
            source_id=resolution.id,
            assigning_organization_id=meeting.convening_org_id,
            tasks=sourced,
        )
    except DomainError as exc:
        if exc.field in {"organizationId", "responsibleOrganizationId"}:
            exc.field = "leadOrganizationId"
        raise
    await record_change(
        conn,
        actor,
        ResolutionAdopted.of(resolution, council_id=str(council.id)),
        after={
            "text": text,
            "meetingId": meeting.id,
            "agendaItemId": item.id,
            "tasks": [state.id for state in states],
        },
    )
    resolved_row = await CONSTRAINTS.fetchrow(
        conn,
        f"UPDATE council_agenda_items AS i SET status = 'RESOLVED', updated_at = now() WHERE i.id = $1"
        f" RETURNING {ITEM_COLUMNS}",
        item.id,
    )
    resolved = from_record(AgendaItem, resolved_row)
    await record_change(
        conn,
        actor,
        AgendaItemResolved.of(resolved),
        before={"status": item.status},
        after={"status": resolved.status},
    )
    return resolution, states


async def resolutions_of(
    conn: asyncpg.Connection, *, meeting_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Resolution]]:
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM council_resolutions r WHERE r.meeting_id = ANY($1::uuid[]) ORDER BY r.id",
        list(meeting_ids),
    )
    found: dict[uuid.UUID, list[Resolution]] = {mid: [] for mid in meeting_ids}
    for row in rows:
        found[row["meeting_id"]].append(from_record(Resolution, row))
    return found


# $1 whether the caller is a partner, $2 whether it reads a council's details, $3 the id: a
# resolution is seen through its meeting, as Meeting.resolutions shows it.
BY_ID_SQL = (
    f"SELECT {COLUMNS} FROM council_resolutions r"
    " JOIN council_meetings mt ON mt.tenant_id = r.tenant_id AND mt.id = r.meeting_id"
    " JOIN councils c ON c.tenant_id = mt.tenant_id AND c.id = mt.council_id"
    f" WHERE r.id = $3 AND {council_visible('c', '$1')} AND {meeting_visible('mt', '$1')}"
    f" AND {resolutions_visible('mt', '$2::boolean')}"
)


async def resolution_by_id(
    conn: asyncpg.Connection, *, actor: Principal, details: bool, resolution_id: uuid.UUID
) -> Resolution:
    """One resolution, seen where its meeting shows it (``details``: the caller reads a council's
    details); NOT_FOUND otherwise (also for another tenant's id)."""
    row = await conn.fetchrow(BY_ID_SQL, ReadScope.of(actor).partner, details, resolution_id)
    if row is None:
        raise NotFound("no such resolution", field="id")
    return from_record(Resolution, row)
