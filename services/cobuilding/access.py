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
from services.directory.reads import Role, managed_subtree, may_manage


@dataclass(frozen=True, slots=True)
class Scope:
    """What a caller may read, as SQL parameters ($1 sees_all, $2 partner, $3 own organisations)."""

    sees_all: bool
    partner: bool
    own_org_ids: list[uuid.UUID]

    def args(self) -> tuple[bool, bool, list[uuid.UUID]]:
        return (self.sees_all, self.partner, self.own_org_ids)

    def sees(self, agreement: Agreement) -> bool:
        if agreement.signed:
            return True
        if self.partner:
            return False
        return self.sees_all or bool(set(agreement.parties) & set(self.own_org_ids))


async def scope_of(conn: asyncpg.Connection, actor: Principal) -> Scope:
    """The caller's read scope in its tenant."""
    sees_all = bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & actor.roles)
    own = set(actor.organization_ids)
    if actor.managed_organization_ids and Role.ORG_ADMIN in actor.roles:
        own |= await managed_subtree(conn, organization_ids=actor.managed_organization_ids)
    return Scope(sees_all=sees_all, partner=actor.is_partner, own_org_ids=sorted(own))


# Over ``cobuilding_agreements a``; parameters as ``Scope.args``.
VISIBLE = """
(a.signed_version IS NOT NULL
 OR (NOT $2::boolean AND ($1::boolean OR a.enterprise_org_id = ANY($3::uuid[])
                          OR a.local_org_id = ANY($3::uuid[]))))
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
