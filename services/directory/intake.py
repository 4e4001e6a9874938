"""The directory's declared write interface for other domains (DESIGN.md §7b).

Organisational life (组织生活) rates the "two new" organisations (星级创评); the organisation's
``starRating`` field shows the level of its latest rating, set here in the rating's transaction.
"""

from __future__ import annotations

import uuid

import asyncpg

from services.core.records import from_record
from services.directory.events import OrganizationUpdated
from services.directory.models import Organization
from services.directory.organizations import (
    _COLUMNS,
    CONSTRAINTS,
    _audit_view,
    _check_star_rating,
    _locked,
)
from services.events.changes import Actor, record_change

__all__ = ["record_star_level"]


async def record_star_level(
    conn: asyncpg.Connection, *, actor: Actor, organization_id: uuid.UUID, level: int
) -> Organization:
    """Set the organisation's star level (1–5) from its latest rating, audited and announced."""
    current = await _locked(conn, organization_id)
    _check_star_rating(current.kind, level)
    if current.star_rating == level:
        return current
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"UPDATE organizations SET star_rating = $2, updated_at = now() WHERE id = $1 RETURNING {_COLUMNS}",
        organization_id,
        level,
    )
    updated = from_record(Organization, row)
    await record_change(
        conn, actor, OrganizationUpdated.of(updated), before=_audit_view(current), after=_audit_view(updated)
    )
    return updated
