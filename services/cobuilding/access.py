"""Who may see and run an agreement: the parties, checked with the row in hand.

Casbin has already said the caller's role may do the action at all. Here: an agreement's
drafts are seen only by its parties (the organisations of the caller's roles and, for an
org_admin, every organisation below the one it administers) and by those who see every
organisation (alliance_admin, auditor); partners see signed agreements only. Running an
agreement (signing, projects, contributions, evaluations) is for the admins of either party.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from services.cobuilding.models import Agreement, Side
from services.core.errors import BadUserInput, Forbidden
from services.core.principal import Principal
from services.directory.reads import Role, may_manage


@dataclass(frozen=True, slots=True)
class Scope:
    """What a caller may read, as SQL parameters: $1 sees_all, $2 partner, $3 the organisations
    of its roles, $4 those it administers (org_admin), whose subtrees it sees as well.

    Made from the principal alone, without a query: the subtree is walked by the SQL itself
    (``OWN_ORGS``), so the interpreter and the compiled reads bind the same four values.
    """

    sees_all: bool
    partner: bool
    org_ids: list[uuid.UUID]
    managed_org_ids: list[uuid.UUID]

    @classmethod
    def of(cls, actor: Principal) -> Scope:
        """The caller's read scope in its tenant."""
        managed = actor.managed_organization_ids if Role.ORG_ADMIN in actor.roles else frozenset()
        return cls(
            sees_all=bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles),
            partner=actor.is_partner,
            org_ids=sorted(actor.organization_ids),
            managed_org_ids=sorted(managed),
        )

    def args(self) -> tuple[bool, bool, list[uuid.UUID], list[uuid.UUID]]:
        return (self.sees_all, self.partner, self.org_ids, self.managed_org_ids)


# The caller's own organisations ($3) and every one below those it administers ($4). An
# uncorrelated sub-select: PostgreSQL walks the subtree once per statement, not per row.
OWN_ORGS = """
($3::uuid[] || ARRAY(
    WITH RECURSIVE managed (id) AS (
        SELECT unnest($4::uuid[])
        UNION
        SELECT o.id FROM organizations o JOIN managed m ON o.parent_id = m.id
    )
    SELECT id FROM managed))
"""

# Over ``cobuilding_agreements a``; parameters as ``Scope.args``. Signed agreements are seen by
# every reader; drafts by their parties and those who see every organisation, never partners.
VISIBLE = f"""
(a.signed_version IS NOT NULL
 OR (NOT $2::boolean AND ($1::boolean OR ARRAY[a.enterprise_org_id, a.local_org_id] && {OWN_ORGS})))
"""


async def sides_managed(conn: asyncpg.Connection, actor: Principal, agreement: Agreement) -> list[Side]:
    """The sides of ``agreement`` the caller administers (both for an alliance_admin)."""
    sides = []
    if await may_manage(conn, actor, agreement.enterprise_org_id):
        sides.append(Side.ENTERPRISE)
    if await may_manage(conn, actor, agreement.local_org_id):
        sides.append(Side.LOCAL)
    return sides


async def require_party_admin(
    conn: asyncpg.Connection, actor: Principal, agreement: Agreement, verb: str
) -> None:
    if not await sides_managed(conn, actor, agreement):
        raise Forbidden(f"only the admins of the agreement's parties or the alliance admin may {verb}")


def side_to_act_for(sides: list[Side], given: Side | None, *, field: str = "side") -> Side:
    """The one side the caller acts for: the only one it manages, or the one it names."""
    if given is not None:
        if given not in sides:
            raise Forbidden(f"you do not administer the {given.lower()} party")
        return given
    if len(sides) == 1:
        return sides[0]
    raise BadUserInput("you administer both parties: say which side this is for", field=field)
