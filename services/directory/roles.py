"""Role assignments (角色授权): who holds which role in the tenant."""

from __future__ import annotations

import uuid

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.validation import clean_text
from services.directory.events import RoleGranted, RoleRevoked
from services.directory.models import Role, RoleAssignment
from services.events.changes import record_change

# One answer for "no such login", "a login of another alliance" and "does not hold that role":
# a tenant must not learn which logins other alliances have.
_NO_SUCH_HOLDER = "no such account holds that role under that login in this alliance"

_SELECT = """
SELECT r.id, r.tenant_id, a.slug AS tenant_slug, r.account_id, acc.login::text AS login, r.role,
       r.organization_id, r.created_at
FROM role_assignments r
JOIN alliances a ON a.id = r.tenant_id
JOIN accounts acc ON acc.id = r.account_id
"""


async def roles_of_account(conn: asyncpg.Connection, *, account_id: uuid.UUID) -> list[RoleAssignment]:
    """Every role the account holds, in every tenant (row-level security allows own rows)."""
    rows = await conn.fetch(_SELECT + " WHERE r.account_id = $1 ORDER BY a.slug, r.role", account_id)
    return [from_record(RoleAssignment, row) for row in rows]


async def get_role_grant(
    conn: asyncpg.Connection, *, grant_id: uuid.UUID, account_id: uuid.UUID, every_in: uuid.UUID | None
) -> RoleAssignment:
    """One grant the caller may read: its own, in any alliance (as ``roles_of_account`` lists
    them), or any of alliance ``every_in``, whose grants its role may read there (None: it may
    read only its own). NOT_FOUND for any other grant, another alliance's included."""
    row = await conn.fetchrow(
        _SELECT + " WHERE r.id = $1 AND (r.account_id = $2 OR r.tenant_id = $3)",
        grant_id,
        account_id,
        every_in,
    )
    if row is None:
        raise NotFound("no such role grant", field="id")
    return from_record(RoleAssignment, row)


async def account_for_login(
    conn: asyncpg.Connection, *, tenant_id: uuid.UUID, login: str, create: bool
) -> uuid.UUID:
    """The account ``login`` means in a tenant: one that holds a role there, else the one whose
    home it is, else (``create``) a new one at home there.

    An account of another alliance is never found by its login alone: a tenant reaches it only
    once it has accepted an invitation (``invitations``). Unknown logins and logins of other
    alliances answer the same NotFound.
    """
    account_id = await conn.fetchval(
        """
        SELECT a.id FROM accounts a
        WHERE a.login = $1
          AND (a.home_tenant_id = $2
               OR EXISTS (SELECT 1 FROM role_assignments r
                          WHERE r.account_id = a.id AND r.tenant_id = $2))
        ORDER BY EXISTS (SELECT 1 FROM role_assignments r
                         WHERE r.account_id = a.id AND r.tenant_id = $2) DESC
        LIMIT 1
        """,
        login,
        tenant_id,
    )
    if account_id is not None:
        return uuid.UUID(str(account_id))
    if not create:
        raise NotFound(_NO_SUCH_HOLDER, field="login")
    account_id = await conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2, $3) RETURNING id",
        tenant_id,
        login,
        login,
    )
    return uuid.UUID(str(account_id))


async def grant_role(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    login: str,
    role: Role,
    organization_id: uuid.UUID | None,
) -> RoleAssignment:
    """Give ``login`` a role in the actor's tenant (creating the account if new); accounts of
    other alliances are reached through an invitation instead."""
    login = clean_login(login)
    await check_organization(conn, role, organization_id)
    account_id = await account_for_login(conn, tenant_id=actor.tenant_id, login=login, create=True)
    return await assign_role(
        conn, actor=actor, account_id=account_id, login=login, role=role, organization_id=organization_id
    )


def clean_login(login: str) -> str:
    login = clean_text(login, field="login", max_length=64)
    if len(login) < 2:
        raise BadUserInput("login must be at least 2 characters", field="login")
    return login


async def check_organization(conn: asyncpg.Connection, role: Role, organization_id: uuid.UUID | None) -> None:
    """A role's organisation: required for ORG_ADMIN and MEMBER, an active one of the tenant in scope."""
    if role in {Role.ORG_ADMIN, Role.MEMBER} and organization_id is None:
        raise BadUserInput(f"{role.value} needs an organizationId", field="organizationId")
    if organization_id is not None and not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1 AND archived_at IS NULL)",
        organization_id,
    ):
        raise BadUserInput("organizationId names no organization of this alliance", field="organizationId")


async def assign_role(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    account_id: uuid.UUID,
    login: str,
    role: Role,
    organization_id: uuid.UUID | None,
) -> RoleAssignment:
    """Write the role in ``actor``'s tenant, with its audit row and event (the account is checked)."""
    before = await conn.fetchrow(
        "SELECT organization_id FROM role_assignments WHERE tenant_id = $1 AND account_id = $2 AND role = $3",
        actor.tenant_id,
        account_id,
        role.value,
    )
    await conn.execute(
        """
        INSERT INTO role_assignments (tenant_id, account_id, role, organization_id)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, account_id, role) DO UPDATE SET organization_id = EXCLUDED.organization_id
        """,
        actor.tenant_id,
        account_id,
        role.value,
        organization_id,
    )
    row = await conn.fetchrow(
        _SELECT + " WHERE r.tenant_id = $1 AND r.account_id = $2 AND r.role = $3",
        actor.tenant_id,
        account_id,
        role.value,
    )
    granted = from_record(RoleAssignment, row)  # type: ignore[arg-type]
    await record_change(
        conn,
        actor,
        RoleGranted.of(granted),
        entity_id=str(granted.id),
        before={"login": login, "role": role.value, "organizationId": before["organization_id"]}
        if before
        else None,
        after={"login": login, "role": role.value, "organizationId": organization_id},
    )
    return granted


async def revoke_role(
    conn: asyncpg.Connection, *, actor: Principal, login: str, role: Role
) -> RoleAssignment:
    """Take a role away; the same NotFound whether the login is unknown, of another alliance,
    or does not hold that role here."""
    account_id = await account_for_login(conn, tenant_id=actor.tenant_id, login=login.strip(), create=False)
    row = await conn.fetchrow(
        _SELECT + " WHERE r.tenant_id = $1 AND r.account_id = $2 AND r.role = $3",
        actor.tenant_id,
        account_id,
        role.value,
    )
    if row is None:
        raise NotFound(_NO_SUCH_HOLDER, field="login")
    revoked = from_record(RoleAssignment, row)
    await conn.execute("DELETE FROM role_assignments WHERE id = $1", revoked.id)
    await record_change(
        conn,
        actor,
        RoleRevoked.of(revoked),
        entity_id=str(revoked.id),
        before={"login": revoked.login, "role": role.value, "organizationId": revoked.organization_id},
    )
    return revoked
