"""Persisted operations (持久化操作): the documents an API key may run, by SHA-256."""

from __future__ import annotations

import hashlib
import uuid

import asyncpg

from services.core.errors import NotFound
from services.core.records import Page, from_record
from services.core.validation import clean_text
from services.directory.reads import api_key_is_active
from services.events.changes import Actor, record_change
from services.partners.events import PersistedOperationRegistered
from services.partners.models import CONSTRAINTS, PersistedOperation, bounded

_COLUMNS = "id, api_key_id, sha256, name, version, document, cost, created_at"


def document_hash(document: str) -> str:
    """The hex SHA-256 of a document's UTF-8 text, as Apollo's persisted queries name it."""
    return hashlib.sha256(document.encode()).hexdigest()


async def register_operation(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    api_key_id: uuid.UUID,
    name: str,
    version: int,
    document: str,
    cost: int,
) -> PersistedOperation:
    """Add a document (already validated against the schema, with its cost) to a key's list.

    From then on the key is bound: it runs only the documents on its list.
    """
    name = clean_text(name, field="name", max_length=100)
    bounded(version, field="version", low=1, high=1_000_000)
    if not await api_key_is_active(conn, key_id=api_key_id):
        raise NotFound("no such active API key", field="apiKeyId")
    row = await CONSTRAINTS.fetchrow(
        conn,
        "INSERT INTO persisted_operations (tenant_id, api_key_id, sha256, name, version, document, cost)"
        f" VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_COLUMNS}",
        actor.tenant_id,
        api_key_id,
        document_hash(document),
        name,
        version,
        document,
        cost,
    )
    operation = from_record(PersistedOperation, row)
    await record_change(
        conn,
        actor,
        PersistedOperationRegistered(
            id=str(operation.id),
            api_key_id=str(api_key_id),
            name=operation.name,
            operation_version=operation.version,
            sha256=operation.sha256,
            cost=operation.cost,
        ),
        after={"name": operation.name, "version": operation.version, "sha256": operation.sha256},
    )
    return operation


async def list_operations(
    conn: asyncpg.Connection, *, api_key_id: uuid.UUID, first: int, after: uuid.UUID | None, count: bool
) -> Page[PersistedOperation]:
    """One page of a key's operations in registration order."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM persisted_operations WHERE api_key_id = $1"
        " AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3",
        api_key_id,
        after,
        first + 1,
    )
    total = None
    if count:
        total = await conn.fetchval(
            "SELECT count(*) FROM persisted_operations WHERE api_key_id = $1", api_key_id
        )
    return Page(
        items=[from_record(PersistedOperation, row) for row in rows[:first]],
        total=total or 0,
        has_next=len(rows) > first,
    )


async def get_operation(conn: asyncpg.Connection, *, operation_id: uuid.UUID) -> PersistedOperation:
    """One operation of any of the tenant's keys, as ``list_operations`` shows it (row-level
    security alone: whoever lists one key's operations may list every key's); NOT_FOUND
    otherwise, another tenant's included."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM persisted_operations WHERE id = $1", operation_id)
    if row is None:
        raise NotFound("no such persisted operation", field="id")
    return from_record(PersistedOperation, row)
