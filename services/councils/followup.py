"""Follow-up (督办): the ledger states of resolutions' tasks, read through the ledger's interface.

An agenda item counts as "solved through consultation" (协商解决) when all tasks of its
resolution are signed off, or when it was resolved without tasks.
"""

from __future__ import annotations

import datetime as dt
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
    """An open task of a council's resolution, for the convener to go through."""

    resolution: Resolution
    task: SourcedTaskState
    meeting_start: dt.datetime  # when the meeting that adopted the resolution began

    def followed_up_at(self, meeting: Meeting) -> bool:
        """Whether ``meeting`` goes through it: it was adopted at a meeting that began earlier."""
        return self.resolution.meeting_id != meeting.id and self.meeting_start < meeting.starts_at


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


async def open_tasks_of(
    conn: asyncpg.Connection, *, council_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[FollowUpTask]]:
    """Tasks not yet signed off (or cancelled) of each council's resolutions, by their meetings'
    start: two queries for any number of councils (what a meeting follows up is a filter of these,
    ``FollowUpTask.followed_up_at``)."""
    rows = await conn.fetch(
        f"""SELECT {COLUMNS}, mt.council_id, mt.starts_at AS meeting_start
            FROM council_resolutions r JOIN council_meetings mt ON mt.id = r.meeting_id
            WHERE mt.council_id = ANY($1::uuid[]) AND r.task_count > 0
            ORDER BY mt.starts_at, r.id""",
        list(council_ids),
    )
    states = await tasks_of(conn, resolution_ids=[row["id"] for row in rows])
    found: dict[uuid.UUID, list[FollowUpTask]] = {cid: [] for cid in council_ids}
    for row in rows:
        resolution = from_record(Resolution, row)
        found[row["council_id"]].extend(
            FollowUpTask(resolution=resolution, task=task, meeting_start=row["meeting_start"])
            for task in states[resolution.id]
            if task.status not in CLOSED_TASK_STATUSES
        )
    return found
