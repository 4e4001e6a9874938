"""Transfers as the caller sees them: IN to the branches it looks after, OUT from them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.orglife.access import ReadScope
from services.orglife.models import ListPage, Transfer
from services.orglife.transfers import COLUMNS

# $1 sees_all, $2 subtree, $3 direction (IN / OUT / null for both).
_WHERE = """
(($3::text IS NULL OR $3 = 'OUT') AND t.direction = 'OUT'
     AND ($1::boolean OR t.organization_id = ANY($2::uuid[]))
 OR ($3::text IS NULL OR $3 = 'IN') AND (
     t.direction = 'IN' AND ($1::boolean OR t.organization_id = ANY($2::uuid[]))
     OR t.direction = 'OUT' AND t.to_organization_id IS NOT NULL
        AND ($1::boolean OR t.to_organization_id = ANY($2::uuid[]))))
AND ($4::text IS NULL OR t.status = $4)
"""


@dataclass(frozen=True, slots=True)
class TransferFilter:
    direction: str | None = None
    status: str | None = None


async def list_transfers(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    filter: TransferFilter,
    first: int,
    after: uuid.UUID | None,
    count: bool,
) -> ListPage[Transfer]:
    scope = await ReadScope.of(conn, actor)
    args = (scope.sees_all, scope.subtree, filter.direction, filter.status)
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM member_transfers t WHERE {_WHERE} AND ($5::uuid IS NULL OR t.id > $5)"
        " ORDER BY t.id LIMIT $6",
        *args,
        after,
        first + 1,
    )
    total = (
        int(await conn.fetchval(f"SELECT count(*) FROM member_transfers t WHERE {_WHERE}", *args))
        if count
        else None
    )
    return ListPage(
        items=[from_record(Transfer, r) for r in rows[:first]], total=total, has_next=len(rows) > first
    )


async def get_transfer(conn: asyncpg.Connection, *, actor: Principal, transfer_id: uuid.UUID) -> Transfer:
    """One transfer the caller may see, as ``list_transfers`` sees it (either direction, any
    status); NOT_FOUND otherwise (also for another tenant's id)."""
    scope = await ReadScope.of(conn, actor)
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM member_transfers t WHERE t.id = $5 AND {_WHERE}",
        scope.sees_all,
        scope.subtree,
        None,
        None,
        transfer_id,
    )
    if row is None:
        raise NotFound("no such transfer", field="id")
    return from_record(Transfer, row)
