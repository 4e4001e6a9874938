"""Who may manage a resource or decide on its bookings: ownership, checked with the row in hand.

Casbin has already said the caller's role may do the action at all; here the question is
whether the caller's organisation owns the row. An alliance_admin manages every
organisation; an org_admin manages the organisation of their org_admin role and those below
it. A member role at an organisation lets one act for it (ask for a booking), never manage it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.core.errors import BadUserInput, Forbidden
from services.core.principal import Principal
from services.directory.reads import Role, may_manage

__all__ = ["SCOPE_CTE", "SCOPE_WHERE", "ReadScope", "acting_organization", "may_manage"]


@dataclass(frozen=True, slots=True)
class ReadScope:
    """Which resources a caller may see, as SQL parameters.

    Partners see published, partner-visible resources only. Everyone else sees published and
    archived ones; drafts only of organisations they administer (all of them for
    alliance_admin and auditor).
    """

    partner: bool
    sees_all: bool
    admin_org_ids: list[uuid.UUID]

    @classmethod
    def of(cls, actor: Principal) -> ReadScope:
        sees_all = bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles)
        admin_orgs = sorted(actor.managed_organization_ids) if Role.ORG_ADMIN in actor.roles else []
        return cls(partner=actor.is_partner, sees_all=sees_all, admin_org_ids=admin_orgs)


# SQL shared by every read of resources. Parameters $1 partner, $2 sees_all, $3 admin org ids.
# ``managed`` is the subtree below the caller's administered organisations.
SCOPE_CTE = """
WITH RECURSIVE managed (id) AS (
    SELECT unnest($3::uuid[])
    UNION
    SELECT o.id FROM organizations o JOIN managed m ON o.parent_id = m.id
)
"""
SCOPE_WHERE = """
CASE WHEN $1::boolean THEN r.status = 'PUBLISHED' AND r.visibility = 'PARTNERS'
     ELSE r.status <> 'DRAFT' OR $2::boolean OR r.owner_org_id IN (SELECT id FROM managed)
END
"""


async def acting_organization(
    conn: asyncpg.Connection, actor: Principal, given: uuid.UUID | None, *, field: str
) -> uuid.UUID:
    """The organisation the caller acts for: ``given`` if it is theirs (or one they administer),
    else the one organisation of their roles; an alliance_admin without one acts for the
    district committee (区委; the organisation department is part of it)."""
    if given is None:
        if len(actor.organization_ids) == 1:
            return next(iter(actor.organization_ids))
        if Role.ALLIANCE_ADMIN in actor.roles and not actor.organization_ids:
            district = await conn.fetchval(
                "SELECT id FROM organizations WHERE kind = 'DISTRICT_COMMITTEE' AND parent_id IS NULL"
                " AND archived_at IS NULL ORDER BY id LIMIT 1"
            )
            if district is not None:
                return uuid.UUID(str(district))
        raise BadUserInput(f"{field} is required: say which organisation this is for", field=field)
    archived = await conn.fetchval("SELECT archived_at IS NOT NULL FROM organizations WHERE id = $1", given)
    if archived is None:
        raise BadUserInput(f"{field} names no organization of this alliance", field=field)
    if archived:
        raise BadUserInput(f"{field} names an archived organization", field=field)
    if given not in actor.organization_ids and not await may_manage(conn, actor, given):
        raise Forbidden(f"you may act only for your own organization ({field})")
    return given
