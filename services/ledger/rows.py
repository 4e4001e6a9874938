"""Reading ledger rows: the columns every item query selects, and the history steps."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.core.records import from_record
from services.events.changes import Actor
from services.ledger.models import CONSTRAINTS, LedgerItem, LedgerStep


def overdue(alias: str) -> str:
    """Whether the item ``alias`` is overdue (逾期): derived, never stored."""
    return f"({alias}.due_date < ledger_today() AND {alias}.status NOT IN ('SIGNED_OFF', 'CANCELLED'))"


OVERDUE = overdue("i")

# Over ``ledger_items i``.
COLUMNS = f"""
i.id, i.tenant_id, i.list, i.organization_id, i.assigning_organization_id, i.year, i.title,
i.description, i.source, i.source_id, i.source_key, i.responsible_organization_id,
i.responsible_person, i.supporting_organization_ids, i.holder_role, i.due_date, i.due_revision,
i.status, i.percent, i.evidence, i.evidence_links, i.submitted_by, i.submitted_at,
i.signed_off_by, i.signed_off_at, i.cancelled_at, i.import_key, i.created_at, i.updated_at,
{OVERDUE} AS overdue
"""


def item_from_record(row: asyncpg.Record) -> LedgerItem:
    return from_record(LedgerItem, row)


async def fetch_one_or_none(conn: asyncpg.Connection, sql: str, *args: Any) -> asyncpg.Record | None:
    """A write returning at most one row; the ledger's listed violations become domain errors."""
    try:
        return await conn.fetchrow(sql, *args)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise (CONSTRAINTS.translate(exc) or exc) from None


def audit_view(item: LedgerItem) -> dict[str, Any]:
    """What the audit trail compares of an item."""
    return {
        "list": item.list,
        "organizationId": item.organization_id,
        "assigningOrganizationId": item.assigning_organization_id,
        "year": item.year,
        "title": item.title,
        "description": item.description,
        "source": item.source,
        "sourceId": item.source_id,
        "sourceKey": item.source_key,
        "responsibleOrganizationId": item.responsible_organization_id,
        "responsiblePerson": item.responsible_person,
        "holderRole": item.holder_role,
        "dueDate": item.due_date,
        "status": item.status,
        "percent": item.percent,
        "evidence": item.evidence,
        "evidenceLinks": item.evidence_links,
    }


async def add_step(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    item: LedgerItem,
    action: str,
    note: str | None = None,
    percent: int | None = None,
    due_date: object = None,
) -> None:
    """Append a step to ``item``'s history (the item as it is after the step)."""
    await conn.execute(
        """
        INSERT INTO ledger_item_steps (tenant_id, item_id, action, status, note, percent, due_date,
                                       actor_id, actor_login)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        item.tenant_id,
        item.id,
        action,
        item.status,
        note,
        percent,
        due_date,
        actor.account_id,
        actor.login,
    )


async def steps_of(conn: asyncpg.Connection, *, item_ids: list[uuid.UUID]) -> list[LedgerStep]:
    rows = await conn.fetch(
        "SELECT id, item_id, action, status, note, percent, due_date, actor_login, at"
        " FROM ledger_item_steps WHERE item_id = ANY($1::uuid[]) ORDER BY item_id, at, id",
        item_ids,
    )
    return [from_record(LedgerStep, row) for row in rows]
