"""Reading the ledger (台账查询): a filtered page of items, items by id, answers and history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Forbidden, NotFound
from services.core.principal import Principal
from services.ledger import rules
from services.ledger.access import SCOPE_WHERE, ReadScope
from services.ledger.models import LedgerItem, LedgerList, LedgerSource, LedgerStatus, LedgerStep
from services.ledger.rows import COLUMNS, item_from_record, steps_of


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


# Parameters $1–$3 the read scope, $4 list, $5 organisations (null: any), $6 status,
# $7 overdue, $8 year, $9 source, $10 responsible organisation, $11 search pattern.
_WHERE = f"""
{SCOPE_WHERE}
AND ($4::text IS NULL OR i.list = $4)
AND ($5::uuid[] IS NULL OR i.organization_id = ANY($5::uuid[]))
AND ($6::text IS NULL OR i.status = $6)
AND ($7::boolean IS NULL
     OR $7 = (i.due_date < ledger_today() AND i.status NOT IN ('SIGNED_OFF', 'CANCELLED')))
AND ($8::integer IS NULL OR i.year = $8)
AND ($9::text IS NULL OR i.source = $9)
AND ($10::uuid IS NULL OR i.responsible_organization_id = $10)
AND ($11::text IS NULL OR i.title ILIKE $11 OR i.description ILIKE $11)
"""
_PAGE = f"""
SELECT {COLUMNS} FROM ledger_items i
WHERE {_WHERE} AND ($12::uuid IS NULL OR i.id > $12)
ORDER BY i.id LIMIT $13
"""
_COUNT = f"SELECT count(*) FROM ledger_items i WHERE {_WHERE}"

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
    search = filter.search.strip() if filter.search else None
    if search is not None and len(search) > 100:
        raise BadUserInput("search must be at most 100 characters", field="search")
    if filter.year is not None:
        rules.check_year(filter.year)
    scope = await ReadScope.of(conn, actor)
    organizations = None
    if filter.organization_id is not None:
        exists = await conn.fetchval("SELECT true FROM organizations WHERE id = $1", filter.organization_id)
        if not exists:
            raise NotFound("no such organization", field="organizationId")
        organizations = await organizations_of(
            conn, organization_id=filter.organization_id, include_descendants=filter.include_descendants
        )
    args: list[Any] = [
        scope.sees_all,
        scope.subtree,
        scope.member_of,
        filter.list.value if filter.list else None,
        organizations,
        filter.status.value if filter.status else None,
        filter.overdue,
        filter.year,
        filter.source.value if filter.source else None,
        filter.responsible_organization_id,
        like_pattern(search) if search else None,
    ]
    rows = await conn.fetch(_PAGE, *args, after, first + 1)
    total = int(await conn.fetchval(_COUNT, *args)) if count else None
    return ItemPage(
        items=[item_from_record(row) for row in rows[:first]], total=total, has_next=len(rows) > first
    )


async def items_by_id(conn: asyncpg.Connection, *, ids: list[uuid.UUID]) -> dict[uuid.UUID, LedgerItem]:
    """Items of the tenant by id, whoever may read them (the caller checks)."""
    rows = await conn.fetch(f"SELECT {COLUMNS} FROM ledger_items i WHERE i.id = ANY($1::uuid[])", ids)
    return {row["id"]: item_from_record(row) for row in rows}


async def get_item(conn: asyncpg.Connection, *, actor: Principal, item_id: uuid.UUID) -> LedgerItem:
    """One item: NOT_FOUND if the tenant has none such, FORBIDDEN if it is out of the caller's reach."""
    found = (await items_by_id(conn, ids=[item_id])).get(item_id)
    if found is None:
        raise NotFound("no such ledger item", field="id")
    if not (await ReadScope.of(conn, actor)).admits(found):
        raise Forbidden("this item is outside your organisation's ledger")
    return found


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
