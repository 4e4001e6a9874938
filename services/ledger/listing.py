"""Reading the ledger (台账查询): a filtered page of items, items by id, answers and history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Forbidden, NotFound
from services.core.principal import Principal
from services.ledger import rules
from services.ledger.access import REACH_CTE, SCOPE_WHERE, scope_params
from services.ledger.models import LedgerItem, LedgerList, LedgerSource, LedgerStatus, LedgerStep
from services.ledger.rows import COLUMNS, OVERDUE, item_from_record, steps_of


@dataclass(frozen=True, slots=True)
class ItemFilter:
    list: LedgerList | None = None
    organization_id: uuid.UUID | None = None
    include_descendants: bool = False
    status: LedgerStatus | None = None
    overdue: bool | None = None
    year: int | None = None
    source: LedgerSource | None = None
    responsible_organization_id: uuid.UUID | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class ItemPage:
    items: list[LedgerItem]
    total: int | None  # None when not counted
    has_next: bool


# Parameters $1–$3 the read scope (``access.scope_params``), $4 list, $5 organisation (null:
# any), $6 with the organisations below it, $7 status, $8 overdue, $9 year, $10 source,
# $11 responsible organisation, $12 search pattern. The interpreter and compiled reads
# (``schema.ledger.compiled``) both run these statements, with ``filter_params``.
_CTE = f"""
WITH RECURSIVE {REACH_CTE},
ledger_chosen (id) AS (
    SELECT $5::uuid WHERE $5::uuid IS NOT NULL
    UNION
    SELECT o.id FROM organizations o JOIN ledger_chosen c ON o.parent_id = c.id WHERE $6::boolean
)
"""
_WHERE = f"""
{SCOPE_WHERE}
AND ($4::text IS NULL OR i.list = $4)
AND ($5::uuid IS NULL OR i.organization_id IN (SELECT id FROM ledger_chosen))
AND ($7::text IS NULL OR i.status = $7)
AND ($8::boolean IS NULL OR $8 = {OVERDUE})
AND ($9::integer IS NULL OR i.year = $9)
AND ($10::text IS NULL OR i.source = $10)
AND ($11::uuid IS NULL OR i.responsible_organization_id = $11)
AND ($12::text IS NULL OR i.title ILIKE $12 OR i.description ILIKE $12)
"""
# A page ($13 the id after which it starts, $14 its size) and the filter's total.
PAGE_SQL = (
    f"{_CTE} SELECT {COLUMNS} FROM ledger_items i WHERE {_WHERE}"
    " AND ($13::uuid IS NULL OR i.id > $13) ORDER BY i.id LIMIT $14"
)
COUNT_SQL = f"{_CTE} SELECT count(*) FROM ledger_items i WHERE {_WHERE}"
# The filter's organisation ($1) is one of the tenant's, or the filter answers NOT_FOUND.
ORGANIZATION_KNOWN = "($1::uuid IS NULL OR EXISTS (SELECT 1 FROM organizations WHERE id = $1))"

# One item the caller may read: $1–$3 the read scope, $4 the id.
BY_ID_SQL = (
    f"WITH RECURSIVE {REACH_CTE} SELECT {COLUMNS} FROM ledger_items i WHERE {SCOPE_WHERE} AND i.id = $4"
)

_SUBTREE = """
WITH RECURSIVE below (id) AS (
    SELECT $1::uuid
    UNION
    SELECT o.id FROM organizations o JOIN below b ON o.parent_id = b.id
)
SELECT id FROM below
"""


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def organizations_of(
    conn: asyncpg.Connection, *, organization_id: uuid.UUID, include_descendants: bool
) -> list[uuid.UUID]:
    """The organisation, with those below it when asked."""
    if not include_descendants:
        return [organization_id]
    return [row["id"] for row in await conn.fetch(_SUBTREE, organization_id)]


def filter_params(*, actor: Principal, filter: ItemFilter) -> list[Any]:
    """The read scope and the filter as ``$1``–``$12`` of ``PAGE_SQL`` and ``COUNT_SQL``;
    BAD_USER_INPUT for a filter no page can answer."""
    search = filter.search.strip() if filter.search else None
    if search is not None and len(search) > 100:
        raise BadUserInput("search must be at most 100 characters", field="search")
    if filter.year is not None:
        rules.check_year(filter.year)
    return [
        *scope_params(actor),
        filter.list.value if filter.list else None,
        filter.organization_id,
        filter.include_descendants,
        filter.status.value if filter.status else None,
        filter.overdue,
        filter.year,
        filter.source.value if filter.source else None,
        filter.responsible_organization_id,
        like_pattern(search) if search else None,
    ]


async def list_items(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: ItemFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool = True,
) -> ItemPage:
    """One page of the items the caller may see, in creation order."""
    args = filter_params(actor=actor, filter=filter)
    if not await conn.fetchval(f"SELECT {ORGANIZATION_KNOWN}", filter.organization_id):
        raise NotFound("no such organization", field="organizationId")
    rows = await conn.fetch(PAGE_SQL, *args, after, first + 1)
    total = int(await conn.fetchval(COUNT_SQL, *args)) if count else None
    return ItemPage(
        items=[item_from_record(row) for row in rows[:first]], total=total, has_next=len(rows) > first
    )


async def items_by_id(conn: asyncpg.Connection, *, ids: list[uuid.UUID]) -> dict[uuid.UUID, LedgerItem]:
    """Items of the tenant by id, whoever may read them (the caller checks)."""
    rows = await conn.fetch(f"SELECT {COLUMNS} FROM ledger_items i WHERE i.id = ANY($1::uuid[])", ids)
    return {row["id"]: item_from_record(row) for row in rows}


async def get_item(conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID) -> LedgerItem:
    """One item: NOT_FOUND if the tenant has none such, FORBIDDEN if it is out of the caller's reach."""
    row = await conn.fetchrow(BY_ID_SQL, *scope_params(actor), item_id)
    if row is not None:
        return item_from_record(row)
    if not await conn.fetchval("SELECT true FROM ledger_items WHERE id = $1", item_id):
        raise NotFound("no such ledger item", field="id")
    raise Forbidden("this item is outside your organisation's ledger")


async def answers_of(
    conn: asyncpg.Connection, *, task_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[LedgerItem]]:
    """The problems each task answers."""
    rows = await conn.fetch(
        f"SELECT a.task_id, {COLUMNS} FROM ledger_item_answers a JOIN ledger_items i ON i.id = a.problem_id"
        " WHERE a.task_id = ANY($1::uuid[]) ORDER BY i.id",
        task_ids,
    )
    found: dict[uuid.UUID, list[LedgerItem]] = {task_id: [] for task_id in task_ids}
    for row in rows:
        found[row["task_id"]].append(item_from_record(row))
    return found


async def history_of(
    conn: asyncpg.Connection, *, item_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[LedgerStep]]:
    found: dict[uuid.UUID, list[LedgerStep]] = {item_id: [] for item_id in item_ids}
    for step in await steps_of(conn, item_ids=item_ids):
        found[step.item_id].append(step)
    return found
