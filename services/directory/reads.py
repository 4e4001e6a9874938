"""What other domains and the GraphQL layer may read of the directory, read-only.

The one module of this package another domain imports (an import contract in
pyproject.toml holds it): the directory keeps its writes, its SQL and its internals to
itself, and a reader's needs show here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

import asyncpg

from services.core.principal import Principal
from services.directory.models import Organization, Role
from services.directory.organizations import joined_columns, joined_organization, may_manage
from services.directory.roles import account_for_login, roles_of_account
from services.events.types import Permission
from services.events.visibility import Reader

__all__ = [
    "Organization",
    "Role",
    "account_of_login",
    "api_key_is_active",
    "event_reader",
    "joined_columns",
    "joined_organization",
    "managed_subtree",
    "may_manage",
    "roles_of_account",
]

_SUBTREE = """
WITH RECURSIVE managed (id) AS (
    SELECT unnest($1::uuid[])
    UNION
    SELECT o.id FROM organizations o JOIN managed m ON o.parent_id = m.id
)
SELECT id FROM managed
"""


async def managed_subtree(
    conn: asyncpg.Connection, *, organization_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """The organisations given and every one below them."""
    rows = await conn.fetch(_SUBTREE, sorted(organization_ids))
    return {row["id"] for row in rows}


async def event_reader(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    allows: Callable[[str, str], bool],
    permissions: Iterable[Permission],
) -> Reader:
    """What ``principal`` may read of the events: as it may read the things they are about
    (alliance_admin and auditor see every organisation's drafts, an org_admin those below it)."""
    # Management roles only: a member role at an organisation shows none of its drafts.
    administered = principal.managed_organization_ids
    return Reader.of(
        allows=allows,
        permissions=permissions,
        partner=principal.is_partner,
        sees_all_organizations=bool({Role.ALLIANCE_ADMIN, Role.AUDITOR} & principal.roles),
        managed_org_ids=await managed_subtree(conn, organization_ids=administered) if administered else (),
    )


async def api_key_is_active(conn: asyncpg.Connection, *, key_id: uuid.UUID) -> bool:
    """Whether the transaction's tenant holds this key, unrevoked (named as well as enforced by
    row-level security, so that the owner's connection of the command line asks the same)."""
    found = await conn.fetchval(
        "SELECT 1 FROM api_keys WHERE id = $1 AND tenant_id = app_tenant() AND revoked_at IS NULL", key_id
    )
    return found is not None


async def account_of_login(conn: asyncpg.Connection, *, tenant_id: uuid.UUID, login: str) -> uuid.UUID:
    """The account ``login`` names in a tenant (at home there or holding a role there).

    Unknown logins and logins of other alliances answer the same NotFound, so nothing leaks.
    """
    return await account_for_login(conn, tenant_id=tenant_id, login=login, create=False)
