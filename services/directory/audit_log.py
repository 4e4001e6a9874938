"""Reading the audit trail (痕迹): newest first, filtered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from services.core.records import Page, from_record
from services.directory.models import AuditEntry

_COLUMNS = "id, actor_id, actor_login, action, entity_type, entity_id, changes, request_id, created_at"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    action: str | None = None
    actor_login: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


async def list_audit(
    conn: asyncpg.Connection, *, filter: AuditFilter, first: int, before_id: int | None
) -> Page[AuditEntry]:
    """A page of the tenant's audit rows, newest first."""
    where = """
        ($1::text IS NULL OR entity_type = $1) AND ($2::text IS NULL OR entity_id = $2)
        AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR actor_login = $4)
        AND ($5::timestamptz IS NULL OR created_at >= $5)
        AND ($6::timestamptz IS NULL OR created_at < $6)
    """
    args = [
        filter.entity_type,
        filter.entity_id,
        filter.action,
        filter.actor_login,
        filter.since,
        filter.until,
    ]
    page_sql = (
        f"SELECT {_COLUMNS} FROM audit_log WHERE {where} AND ($7::bigint IS NULL OR id < $7)"
        " ORDER BY id DESC LIMIT $8"
    )
    rows = await conn.fetch(
        page_sql,
        *args,
        before_id,
        first + 1,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM audit_log WHERE {where}", *args)
    return Page(
        items=[from_record(AuditEntry, row) for row in rows[:first]],
        total=int(total),
        has_next=len(rows) > first,
    )


async def audit_entry(conn: asyncpg.Connection, *, entry_id: int) -> AuditEntry | None:
    """One row of the tenant's audit trail (row-level security hides other tenants' rows)."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM audit_log WHERE id = $1", entry_id)
    return None if row is None else from_record(AuditEntry, row)
