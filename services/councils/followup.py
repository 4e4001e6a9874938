"""Follow-up (督办): the ledger states of resolutions' tasks, read through the ledger's interface.

An agenda item counts as "solved through consultation" (协商解决) when all tasks of its
resolution are signed off, or when it was resolved without tasks.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.core.records import from_record
from services.councils.models import TASK_SOURCE, Meeting, Resolution
from services.councils.resolutions import COLUMNS
from services.ledger.reads import SourcedTaskState, sourced_task_states

CLOSED_TASK_STATUSES = frozenset({"SIGNED_OFF", "CANCELLED"})


@dataclass(frozen=True, slots=True)
class FollowUpTask:
    """An open task of an earlier resolution, for the convener to go through."""

    resolution: Resolution
    task: SourcedTaskState


async def tasks_of(
    conn: asyncpg.Connection, *, resolution_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[SourcedTaskState]]:
    """The ledger tasks of each resolution, in the order opened."""
    found: dict[uuid.UUID, list[SourcedTaskState]] = {rid: [] for rid in resolution_ids}
    if not resolution_ids:
        return found
    for state in await sourced_task_states(conn, source=TASK_SOURCE, source_ids=list(resolution_ids)):
        found.setdefault(state.source_id, []).append(state)
    return found


def is_solved(resolution: Resolution, tasks: Sequence[SourcedTaskState]) -> bool:
    """Solved through consultation: no tasks, or every task signed off."""
    if resolution.task_count == 0:
        return True
    return len(tasks) == resolution.task_count and all(task.status == "SIGNED_OFF" for task in tasks)


async def open_tasks(
    conn: asyncpg.Connection, *, council_id: uuid.UUID, before: Meeting | None = None
) -> list[FollowUpTask]:
    """Tasks not yet signed off (or cancelled) of the council's resolutions; with ``before``,
    only those adopted at meetings that started before it (what that meeting follows up)."""
    rows = await conn.fetch(
        f"""SELECT {COLUMNS} FROM council_resolutions r JOIN council_meetings mt ON mt.id = r.meeting_id
            WHERE mt.council_id = $1 AND r.task_count > 0 AND ($2::timestamptz IS NULL OR mt.starts_at < $2)
              AND ($3::uuid IS NULL OR mt.id <> $3)
            ORDER BY mt.starts_at, r.id""",
        council_id,
        before.starts_at if before else None,
        before.id if before else None,
    )
    resolutions = [from_record(Resolution, row) for row in rows]
    states = await tasks_of(conn, resolution_ids=[r.id for r in resolutions])
    return [
        FollowUpTask(resolution=resolution, task=task)
        for resolution in resolutions
        for task in states[resolution.id]
        if task.status not in CLOSED_TASK_STATUSES
    ]
