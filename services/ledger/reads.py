"""What other domains may read of the ledger, read-only: the states of the tasks they opened.

The one read module of this package another domain imports (an import contract holds it).
It also re-exports ``LedgerItemSignedOff`` so that a domain can register a handler on it by
class (a co-building milestone completes when its ledger task is signed off).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.ledger.events import LedgerItemSignedOff

__all__ = ["LedgerItemSignedOff", "SourcedTaskState", "sourced_task_states"]


@dataclass(frozen=True, slots=True)
class SourcedTaskState:
    id: uuid.UUID
    source: str
    source_id: uuid.UUID
    key: str
    title: str
    status: str  # OPEN | IN_PROGRESS | SUBMITTED | SIGNED_OFF | CANCELLED
    due_date: dt.date
    overdue: bool  # past due and neither signed off nor cancelled (derived)
    signed_off_at: dt.datetime | None
    responsible_organization_id: uuid.UUID


STATE_COLUMNS = """
i.id, i.source, i.source_id, i.source_key AS key, i.title, i.status, i.due_date,
(i.due_date < ledger_today() AND i.status NOT IN ('SIGNED_OFF', 'CANCELLED')) AS overdue,
i.signed_off_at, i.responsible_organization_id
"""


def state_from_record(row: asyncpg.Record) -> SourcedTaskState:
    return SourcedTaskState(**dict(row.items()))


async def sourced_task_states(
    conn: asyncpg.Connection, *, source: str, source_ids: Sequence[uuid.UUID]
) -> list[SourcedTaskState]:
    """The ledger tasks opened for these sources (in the caller's tenant), by source, in the order opened."""
    rows = await conn.fetch(
        f"""
        SELECT {STATE_COLUMNS} FROM ledger_items i
        WHERE i.source = $1 AND i.source_id = ANY($2::uuid[]) AND i.source_key IS NOT NULL
        ORDER BY i.source_id, i.id
        """,
        source,
        list(source_ids),
    )
    return [state_from_record(row) for row in rows]
