"""The ledger's declared write interface: other domains open tasks here, in their transaction.

A joint council's resolution (党建联席会议决议) and a co-building milestone (共建项目节点) become
TASK items with a source. The calling domain has decided that its actor may assign the work;
the ledger checks the input, the organisations (the foreign keys hold them to the tenant) and
keeps every item once per (tenant, source, source id, key): a unique constraint is the last
word, so a repeated or concurrent call returns the existing items and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput
from services.core.validation import clean_text, optional_text
from services.events.changes import Actor, record_change
from services.ledger.events import LedgerItemCreated
from services.ledger.models import SOURCED, LedgerList, LedgerSource
from services.ledger.reads import STATE_COLUMNS, SourcedTaskState, state_from_record
from services.ledger.rows import COLUMNS, add_step, audit_view, fetch_one_or_none, item_from_record

__all__ = ["SourcedTask", "SourcedTaskState", "open_sourced_tasks"]

MAX_TASKS = 200
# Sources other domains open items for: the sourced ones, and inspections (督查) such as the
# organisational-life compliance check, whose items are PROBLEMs. Items with these sources
# and a source id come only through here.
INTAKE_SOURCES = SOURCED | {LedgerSource.INSPECTION}


@dataclass(frozen=True, slots=True)
class SourcedTask:
    key: str  # stable within the source: "1", "2"… or a milestone id
    title: str
    responsible_organization_id: uuid.UUID
    due_date: dt.date
    description: str | None = None
    supporting_organization_ids: tuple[uuid.UUID, ...] = ()


_INSERT = f"""
INSERT INTO ledger_items AS i (tenant_id, list, organization_id, assigning_organization_id, year, title,
                               description, source, source_id, source_key, responsible_organization_id,
                               supporting_organization_ids, due_date, created_by)
VALUES ($1, $13, $2, $3, $4, $5, $6, $7, $8, $9, $2, $10, $11, $12)
ON CONFLICT ON CONSTRAINT ledger_items_source_key DO NOTHING
RETURNING {COLUMNS}
"""


def _checked(tasks: Sequence[SourcedTask]) -> list[SourcedTask]:
    if len(tasks) > MAX_TASKS:
        raise BadUserInput(f"at most {MAX_TASKS} tasks at once", field="tasks")
    seen: set[str] = set()
    cleaned: list[SourcedTask] = []
    for task in tasks:
        key = clean_text(task.key, field="key", max_length=100)
        if key in seen:
            raise BadUserInput(f"task key {key!r} is given twice", field="key")
        seen.add(key)
        if len(task.supporting_organization_ids) > 50:
            raise BadUserInput("at most 50 supporting organisations", field="supportingOrganizationIds")
        cleaned.append(
            SourcedTask(
                key=key,
                title=clean_text(task.title, field="title", max_length=200),
                responsible_organization_id=task.responsible_organization_id,
                due_date=task.due_date,
                description=optional_text(
                    task.description, field="description", max_length=5000, multiline=True
                ),
                supporting_organization_ids=tuple(dict.fromkeys(task.supporting_organization_ids)),
            )
        )
    return cleaned


async def _check_organizations(conn: asyncpg.Connection, ids: set[uuid.UUID]) -> None:
    found = await conn.fetchval(
        "SELECT count(*) FROM organizations WHERE id = ANY($1::uuid[]) AND archived_at IS NULL", list(ids)
    )
    if found != len(ids):
        raise BadUserInput(
            "an organisation named is not an active one of this alliance", field="organizationId"
        )


async def open_sourced_tasks(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    source: str,
    source_id: uuid.UUID,
    assigning_organization_id: uuid.UUID,
    tasks: Sequence[SourcedTask],
    ledger_list: str = LedgerList.TASK,
) -> list[SourcedTaskState]:
    """TASK items (or ``ledger_list`` items: a PROBLEM found by an inspection) for a source, in the
    caller's transaction, each through record_change; the year is the due date's year.
    Idempotent on (tenant, source, source_id, key): calling again returns the existing items
    and writes nothing (a unique constraint is the last word)."""
    if source not in INTAKE_SOURCES:
        raise BadUserInput(f"source must be one of {sorted(INTAKE_SOURCES)}", field="source")
    if ledger_list not in (LedgerList.TASK, LedgerList.PROBLEM):
        raise BadUserInput("list must be TASK or PROBLEM", field="list")
    cleaned = _checked(tasks)
    if not cleaned:
        return []
    organizations = {assigning_organization_id}
    for task in cleaned:
        organizations.add(task.responsible_organization_id)
        organizations.update(task.supporting_organization_ids)
    await _check_organizations(conn, organizations)
    for task in cleaned:
        row = await fetch_one_or_none(
            conn,
            _INSERT,
            actor.tenant_id,
            task.responsible_organization_id,
            assigning_organization_id,
            task.due_date.year,
            task.title,
            task.description or "",
            LedgerSource(source).value,
            source_id,
            task.key,
            list(task.supporting_organization_ids),
            task.due_date,
            actor.account_id,
            LedgerList(ledger_list).value,
        )
        if row is None:
            continue  # opened before: the existing item stands as it is
        item = item_from_record(row)
        await add_step(conn, actor=actor, item=item, action="CREATED", due_date=item.due_date)
        await record_change(conn, actor, LedgerItemCreated.of(item), after=audit_view(item))
    rows = await conn.fetch(
        f"SELECT {STATE_COLUMNS} FROM ledger_items i"
        " WHERE i.source = $1 AND i.source_id = $2 AND i.source_key = ANY($3::text[])",
        source,
        source_id,
        [task.key for task in cleaned],
    )
    by_key = {row["key"]: state_from_record(row) for row in rows}
    return [by_key[task.key] for task in cleaned]
