"""Invitations to a role in another alliance (跨联盟角色邀请).

A tenant grants roles by login only to accounts it owns (home tenant) or that already hold a
role there. A person whose home is another alliance — an SOE's staff working in several
districts — is invited instead, and the role exists only once that account, signed in as
itself, accepts. The invitee answers from whichever alliance it is signed in to (it may hold
no role in the inviting one yet); the role, its audit rows and its events land in the
inviting alliance.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import asyncpg

from services.core.errors import BadUserInput, Conflict, Forbidden, NotFound
from services.core.principal import Principal
from services.core.records import from_record
from services.core.tenancy import set_scope
from services.directory.events import RoleInvitationAccepted, RoleInvitationDeclined, RoleInvited
from services.directory.models import InvitationStatus, Role, RoleAssignment, RoleInvitation
from services.directory.roles import assign_role, check_organization, clean_login
from services.events.changes import record_change

# Long enough to reach a busy secretary, short enough that a forgotten offer lapses.
INVITATION_TTL = dt.timedelta(days=14)

_SELECT = """
SELECT i.id, i.tenant_id, t.slug AS tenant_slug, i.account_id, acc.login::text AS login,
       home.slug AS home_tenant_slug, i.role, i.organization_id, i.status, i.created_at,
       i.expires_at, i.answered_at
FROM role_invitations i
JOIN alliances t ON t.id = i.tenant_id
JOIN accounts acc ON acc.id = i.account_id
JOIN alliances home ON home.id = acc.home_tenant_id
"""


async def _login_taken(
    conn: asyncpg.Connection, *, tenant_id: uuid.UUID, login: str, account_id: uuid.UUID
) -> bool:
    """Whether ``login`` already names another account in the tenant (at home or by a role)."""
    return bool(
        await conn.fetchval(
            """
            SELECT EXISTS (
                SELECT 1 FROM accounts a
                WHERE a.login = $1 AND a.id <> $3
                  AND (a.home_tenant_id = $2
                       OR EXISTS (SELECT 1 FROM role_assignments r
                                  WHERE r.account_id = a.id AND r.tenant_id = $2)))
            """,
            login,
            tenant_id,
            account_id,
        )
    )


def _audit_view(invitation: RoleInvitation) -> dict[str, object]:
    return {
        "login": invitation.login,
        "homeTenant": invitation.home_tenant_slug,
        "role": invitation.role,
        "organizationId": invitation.organization_id,
        "status": invitation.status,
        "expiresAt": invitation.expires_at,
    }


async def invite_to_role(
    conn: asyncpg.Connection,
    *,
    actor: Principal,
    login: str,
    home_tenant: str,
    role: Role,
    organization_id: uuid.UUID | None,
) -> RoleInvitation:
    """Offer a role in the actor's tenant to the account ``login`` of alliance ``home_tenant``."""
    login = clean_login(login)
    if role is Role.PARTNER:
        raise BadUserInput("partner roles belong to API keys, not to invited people", field="role")
    await check_organization(conn, role, organization_id)
    account = await conn.fetchrow(
        "SELECT a.id, a.home_tenant_id FROM accounts a JOIN alliances h ON h.id = a.home_tenant_id"
        " WHERE a.login = $1 AND h.slug = $2 AND a.kind = 'person'",
        login,
        home_tenant.strip(),
    )
    if account is None:
        raise NotFound("no person of that login in that alliance", field="login")
    if account["home_tenant_id"] == actor.tenant_id:
        raise BadUserInput(
            "this account belongs to this alliance: grant the role directly", field="homeTenant"
        )
    if await _login_taken(conn, tenant_id=actor.tenant_id, login=login, account_id=account["id"]):
        raise Conflict("that login already names another account in this alliance")
    try:
        invitation_id = await conn.fetchval(
            "INSERT INTO role_invitations (tenant_id, account_id, role, organization_id, invited_by,"
            " expires_at) VALUES ($1, $2, $3, $4, $5, now() + $6::interval) RETURNING id",
            actor.tenant_id,
            account["id"],
            role.value,
            organization_id,
            actor.account_id,
            INVITATION_TTL,
        )
    except asyncpg.UniqueViolationError:
        raise Conflict("this account already has an open invitation to that role") from None
    invitation = await _one(conn, invitation_id)
    await record_change(
        conn, actor, RoleInvited.of(invitation), entity_id=str(invitation.id), after=_audit_view(invitation)
    )
    return invitation


async def _one(conn: asyncpg.Connection, invitation_id: object) -> RoleInvitation:
    row = await conn.fetchrow(_SELECT + " WHERE i.id = $1", invitation_id)
    assert row is not None
    return from_record(RoleInvitation, row)


async def invitations_of_account(conn: asyncpg.Connection, *, account_id: uuid.UUID) -> list[RoleInvitation]:
    """The open invitations addressed to the account, oldest first."""
    rows = await conn.fetch(
        _SELECT + " WHERE i.account_id = $1 AND i.status = 'PENDING' AND i.expires_at > now()"
        " ORDER BY i.created_at, i.id",
        account_id,
    )
    return [from_record(RoleInvitation, row) for row in rows]


async def get_invitation(
    conn: asyncpg.Connection, *, invitation_id: uuid.UUID, account_id: uuid.UUID, every_in: uuid.UUID | None
) -> RoleInvitation:
    """One invitation the caller may read: one addressed to it, from any alliance and in any
    state (it saw it open in ``invitations_of_account``, answered in its answer's payload), or
    any of alliance ``every_in``, whose invitations its role issues there (None: it may read
    only its own). NOT_FOUND for any other, another alliance's included."""
    row = await conn.fetchrow(
        _SELECT + " WHERE i.id = $1 AND (i.account_id = $2 OR i.tenant_id = $3)",
        invitation_id,
        account_id,
        every_in,
    )
    if row is None:
        raise NotFound("no such invitation", field="id")
    return from_record(RoleInvitation, row)


async def _answer(
    conn: asyncpg.Connection, actor: Principal, invitation_id: uuid.UUID, status: InvitationStatus
) -> tuple[RoleInvitation, RoleInvitation]:
    """The caller's own open invitation, now answered (the UPDATE locks it, so of two
    concurrent answers one wins); NotFound for anyone else's (the inviter's included)."""
    if actor.is_partner:
        raise Forbidden("only a person answers an invitation, not an API key")
    row = await conn.fetchrow(
        "SELECT id, status, expires_at <= now() AS expired FROM role_invitations"
        " WHERE id = $1 AND account_id = $2",
        invitation_id,
        actor.account_id,
    )
    if row is None:
        raise NotFound("no such invitation", field="id")
    if row["status"] != InvitationStatus.PENDING:
        raise Conflict(f"this invitation was already {row['status'].lower()}")
    if row["expired"]:
        raise Conflict("this invitation has expired; ask for a new one")
    before = await _one(conn, invitation_id)
    answered = await conn.fetchval(
        "UPDATE role_invitations SET status = $2, answered_at = now()"
        " WHERE id = $1 AND status = 'PENDING' AND expires_at > now() RETURNING id",
        invitation_id,
        status.value,
    )
    if answered is None:
        raise Conflict("this invitation was answered meanwhile")
    return before, await _one(conn, invitation_id)


def _in_inviting_tenant(actor: Principal, invitation: RoleInvitation) -> Principal:
    """The invitee, acting in the inviting tenant: where its answer is recorded."""
    return replace(
        actor,
        tenant_id=invitation.tenant_id,
        tenant_slug=invitation.tenant_slug,
        roles=frozenset(),
        organization_ids=frozenset(),
        managed_organization_ids=frozenset(),
    )


async def accept_role_invitation(
    conn: asyncpg.Connection, *, actor: Principal, invitation_id: uuid.UUID
) -> tuple[RoleInvitation, RoleAssignment]:
    """Accept one's own open invitation: the role now exists in the inviting alliance."""
    invitation, answered = await _answer(conn, actor, invitation_id, InvitationStatus.ACCEPTED)
    # The rest happens in the inviting tenant: row-level security lets the role be written only
    # there. The invitee stays the account in scope, so its invitation stays visible.
    await set_scope(conn, tenant_id=invitation.tenant_id, account_id=actor.account_id)
    there = _in_inviting_tenant(actor, invitation)
    role = Role(invitation.role)
    try:
        await check_organization(conn, role, invitation.organization_id)
    except BadUserInput:
        raise Conflict("the invitation's organisation has been archived; ask for a new one") from None
    if await _login_taken(
        conn, tenant_id=invitation.tenant_id, login=invitation.login, account_id=actor.account_id
    ):
        raise Conflict("your login already names another account in that alliance")
    await record_change(
        conn,
        there,
        RoleInvitationAccepted.of(answered),
        entity_id=str(answered.id),
        before=_audit_view(invitation),
        after=_audit_view(answered),
    )
    granted = await assign_role(
        conn,
        actor=there,
        account_id=actor.account_id,
        login=invitation.login,
        role=role,
        organization_id=invitation.organization_id,
    )
    return answered, granted


async def decline_role_invitation(
    conn: asyncpg.Connection, *, actor: Principal, invitation_id: uuid.UUID
) -> RoleInvitation:
    """Decline one's own open invitation; the inviting alliance sees the answer."""
    invitation, answered = await _answer(conn, actor, invitation_id, InvitationStatus.DECLINED)
    await set_scope(conn, tenant_id=invitation.tenant_id, account_id=actor.account_id)
    there = _in_inviting_tenant(actor, invitation)
    await record_change(
        conn,
        there,
        RoleInvitationDeclined.of(answered),
        entity_id=str(answered.id),
        before=_audit_view(invitation),
        after=_audit_view(answered),
    )
    return answered
