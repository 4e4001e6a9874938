"""The directory's events, recorded in the outbox inside the change's transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.core.principal import Principal
from services.directory.models import Organization, RoleAssignment, RoleInvitation
from services.events.outbox import record_event

SOURCE = "alliance/directory"


def organization_data(org: Organization) -> dict[str, Any]:
    """What partners may follow about an organisation: no contact details (personal data)."""
    return {
        "id": str(org.id),
        "name": org.name,
        "kind": org.kind,
        "parentId": str(org.parent_id) if org.parent_id else None,
        "creditCode": org.credit_code,
        "starRating": org.star_rating,
        "archivedAt": org.archived_at.isoformat() if org.archived_at else None,
    }


async def organization_changed(
    conn: asyncpg.Connection, *, actor: Principal, org: Organization, change: str
) -> None:
    """``organization.<change>.v1`` for created, updated, archived."""
    await record_event(
        conn,
        tenant_id=actor.tenant_id,
        aggregate_type="organization",
        aggregate_id=org.id,
        event_type=f"organization.{change}.v1",
        data={**organization_data(org), "actor": actor.login},
        source=SOURCE,
    )


async def role_changed(
    conn: asyncpg.Connection, *, actor: Principal, grant: RoleAssignment, change: str
) -> None:
    """``role.granted.v1`` / ``role.revoked.v1``; keyed by account so its changes stay ordered."""
    await record_event(
        conn,
        tenant_id=actor.tenant_id,
        aggregate_type="role",
        aggregate_id=grant.account_id,
        event_type=f"role.{change}.v1",
        data={
            "login": grant.login,
            "role": grant.role,
            "organizationId": str(grant.organization_id) if grant.organization_id else None,
            "actor": actor.login,
        },
        source=SOURCE,
    )


async def invitation_changed(
    conn: asyncpg.Connection, *, actor: Principal, invitation: RoleInvitation, change: str
) -> None:
    """``role.invited.v1`` / ``role.invitation_accepted.v1`` / ``role.invitation_declined.v1``,
    in the inviting tenant, keyed by the invited account like its role changes."""
    await record_event(
        conn,
        tenant_id=actor.tenant_id,
        aggregate_type="role",
        aggregate_id=invitation.account_id,
        event_type=f"role.{change}.v1",
        data={
            "invitationId": str(invitation.id),
            "login": invitation.login,
            "homeTenant": invitation.home_tenant_slug,
            "role": invitation.role,
            "organizationId": str(invitation.organization_id) if invitation.organization_id else None,
            "status": invitation.status,
            "expiresAt": invitation.expires_at.isoformat(),
            "actor": actor.login,
        },
        source=SOURCE,
    )
