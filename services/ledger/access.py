"""Who may see and change ledger items: the caller's place in the organisation tree.

Casbin has already said the caller's role may do the action at all; here the question is
which organisations' items. "一级带着一级干，一级干给一级看": an org_admin sees and drives the
ledger of its organisation and every one below it; the alliance_admin and auditors see all;
a member reads the items of its own organisations. Another tenant's rows are invisible
(row-level security: NOT_FOUND); a row of one's own tenant outside one's reach is FORBIDDEN.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.core.errors import BadUserInput, Forbidden
from services.core.principal import Principal
from services.directory.reads import Role, managed_subtree, may_manage
from services.ledger.models import LedgerItem

__all__ = [
    "REACH_CTE",
    "SCOPE_WHERE",
    "ReadScope",
    "assigning_organization",
    "may_manage",
    "require_manager",
    "scope_params",
]


@dataclass(frozen=True, slots=True)
class ReadScope:
    """Which items a caller may read, as SQL parameters (see ``SCOPE_WHERE``)."""

    sees_all: bool
    subtree: list[uuid.UUID]  # organisations the caller administers, with those below them
    member_of: list[uuid.UUID]  # organisations the caller belongs to

    @classmethod
    async def of(cls, conn: asyncpg.Connection, actor: Principal) -> ReadScope:
        sees_all, managed, member_of = scope_params(actor)
        subtree = await managed_subtree(conn, organization_ids=managed) if managed else set()
        return cls(sees_all=sees_all, subtree=sorted(subtree), member_of=member_of)

    def admits(self, item: LedgerItem) -> bool:
        if self.sees_all:
            return True
        reach = set(self.subtree)
        mine = set(self.member_of)
        return bool(
            {item.organization_id, item.responsible_organization_id, item.assigning_organization_id} & reach
            or {item.organization_id, item.responsible_organization_id} & mine
        )

    def sees_organization(self, organization_id: uuid.UUID) -> bool:
        return self.sees_all or organization_id in self.subtree or organization_id in self.member_of


def scope_params(actor: Principal) -> list[Any]:
    """The read scope as ``$1``–``$3`` of ``REACH_CTE`` and the scope conditions: whether the
    caller sees all, the organisations it administers (those below them are found in SQL, so
    that a read is one statement) and those it belongs to."""
    sees_all = bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles)
    managed = sorted(actor.managed_organization_ids) if Role.ORG_ADMIN in actor.roles and not sees_all else []
    return [sees_all, managed, sorted(actor.organization_ids)]


# ``ledger_reach``: the organisations of $2 and every one below them. $2 may as well be a
# whole subtree already (``ReadScope.subtree``): a subtree's subtree is itself.
REACH_CTE = """
ledger_reach (id) AS (
    SELECT unnest($2::uuid[])
    UNION
    SELECT o.id FROM organizations o JOIN ledger_reach r ON o.parent_id = r.id
)
"""

# Over ``ledger_items i`` with ``ledger_reach``; parameters $1 sees_all, $3 member_of.
SCOPE_WHERE = """
($1::boolean
 OR i.organization_id IN (SELECT id FROM ledger_reach)
 OR i.responsible_organization_id IN (SELECT id FROM ledger_reach)
 OR i.assigning_organization_id IN (SELECT id FROM ledger_reach)
 OR i.organization_id = ANY($3::uuid[]) OR i.responsible_organization_id = ANY($3::uuid[]))
"""


async def require_manager(
    conn: asyncpg.Connection, actor: Principal, organization_id: uuid.UUID, *, doing: str
) -> None:
    if not await may_manage(conn, actor, organization_id):
        raise Forbidden(f"only an admin of the organisation or of one above it may {doing}")


async def assigning_organization(
    conn: asyncpg.Connection, actor: Principal, organization_id: uuid.UUID
) -> uuid.UUID:
    """The organisation that assigns an item of ``organization_id``'s ledger: the nearest one
    at or above it that the caller administers; for the alliance admin, the district committee
    (区委) at the top of its tree."""
    row = await conn.fetchrow(
        """
        WITH RECURSIVE up (id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM organizations WHERE id = $1
            UNION
            SELECT o.id, o.parent_id, up.depth + 1 FROM organizations o JOIN up ON o.id = up.parent_id
        )
        SELECT (SELECT id FROM up WHERE id = ANY($2::uuid[]) ORDER BY depth LIMIT 1) AS managed,
               (SELECT id FROM up WHERE parent_id IS NULL) AS top
        """,
        organization_id,
        sorted(actor.managed_organization_ids) if Role.ORG_ADMIN in actor.roles else [],
    )
    if row is None or row["top"] is None:
        raise BadUserInput("organizationId names no organization of this alliance", field="organizationId")
    if row["managed"] is not None:
        return uuid.UUID(str(row["managed"]))
    if Role.ALLIANCE_ADMIN in actor.roles:
        return uuid.UUID(str(row["top"]))
    raise Forbidden("only an admin of the organisation or of one above it may add to its ledger")
