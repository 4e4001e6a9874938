"""The audit trail (痕迹化管理): one append-only row per successful change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson

from services.core.logging import request_id_var

_INSERT = """
INSERT INTO audit_log (tenant_id, actor_id, actor_login, action, entity_type, entity_id,
                       changes, request_id)
VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8)
"""


def changed_fields(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Fields whose values differ, as ``{field: {"before": …, "after": …}}``."""
    before = before or {}
    after = after or {}
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


async def write_audit_row(
    conn: asyncpg.Connection,
    *,
    tenant_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    actor_login: str,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """The audit row, inside the caller's transaction (so it exists iff the change does);
    written by ``services.events.changes.record_change`` with the change's event."""
    assert conn.is_in_transaction(), "audit rows are written in the change's transaction"
    await conn.execute(
        _INSERT,
        tenant_id,
        actor_id,
        actor_login,
        action,
        entity_type,
        entity_id,
        # Sent as text: the statement then works whatever JSON codec the connection has.
        orjson.dumps(dict(changes or {}), default=str).decode(),
        request_id_var.get(),
    )


_INSERT_READS = """
INSERT INTO audit_log (tenant_id, actor_id, actor_login, action, entity_type, entity_id, changes, request_id)
SELECT $1, $2, $3, $4, $5, entity_id, '{}'::jsonb, $7 FROM unnest($6::text[]) AS entity_id
"""


async def write_read_audit_rows(
    conn: asyncpg.Connection,
    *,
    tenant_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    actor_login: str,
    entity_type: str,
    entity_ids: Sequence[str],
) -> None:
    """One audit row per entity read (``<entity_type>.read``), all in one statement.

    Reads of personal data (调阅) are audited like changes, but a list must not cost one round
    trip per row; the statement needs no transaction (it is atomic on its own)."""
    if not entity_ids:
        return
    await conn.execute(
        _INSERT_READS,
        tenant_id,
        actor_id,
        actor_login,
        f"{entity_type}.read",
        entity_type,
        list(entity_ids),
        request_id_var.get(),
    )
