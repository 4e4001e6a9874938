"""The directory's event types: organisations, role grants and invitations, partner API keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from services.directory.models import Organization, RoleAssignment, RoleInvitation
from services.events.types import Audience, DomainEvent, Permission


@dataclass(frozen=True, kw_only=True)
class OrganizationEvent(DomainEvent, aggregate="organization"):
    """What partners may follow about an organisation: no contact details (personal data)."""

    source: ClassVar[str] = "alliance/directory"
    read_permission: ClassVar[Permission] = ("organization", "read")

    id: str
    name: str
    kind: str
    parent_id: str | None
    credit_code: str | None
    star_rating: int | None
    archived_at: str | None

    @classmethod
    def of(cls, org: Organization) -> Self:
        return cls(
            id=str(org.id),
            name=org.name,
            kind=org.kind,
            parent_id=str(org.parent_id) if org.parent_id else None,
            credit_code=org.credit_code,
            star_rating=org.star_rating,
            archived_at=org.archived_at.isoformat() if org.archived_at else None,
        )


@dataclass(frozen=True, kw_only=True)
class OrganizationCreated(OrganizationEvent, change="created"):
    pass


@dataclass(frozen=True, kw_only=True)
class OrganizationUpdated(OrganizationEvent, change="updated"):
    pass


@dataclass(frozen=True, kw_only=True)
class OrganizationArchived(OrganizationEvent, change="archived"):
    pass


@dataclass(frozen=True, kw_only=True)
class RoleAggregateEvent(DomainEvent, aggregate="role"):
    """What happens to one account's roles in a tenant: grants and invitations.

    Keyed by account, so one account's changes stay in order. They carry logins, so they are
    read like ``roles`` is, and never by partner systems.
    """

    source: ClassVar[str] = "alliance/directory"
    read_permission: ClassVar[Permission] = ("role", "read")
    subject_field: ClassVar[str] = "account_id"

    account_id: str

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class RoleEvent(RoleAggregateEvent):
    """A role granted or revoked."""

    audit_entity: ClassVar[str] = "role_assignment"

    login: str
    role: str
    organization_id: str | None

    @classmethod
    def of(cls, grant: RoleAssignment) -> Self:
        return cls(
            account_id=str(grant.account_id),
            login=grant.login,
            role=grant.role,
            organization_id=str(grant.organization_id) if grant.organization_id else None,
        )


@dataclass(frozen=True, kw_only=True)
class RoleGranted(RoleEvent, change="granted"):
    pass


@dataclass(frozen=True, kw_only=True)
class RoleRevoked(RoleEvent, change="revoked"):
    pass


@dataclass(frozen=True, kw_only=True)
class RoleInvitationEvent(RoleAggregateEvent):
    """An invitation to a role for an account of another alliance, in the inviting tenant."""

    audit_entity: ClassVar[str] = "role_invitation"

    invitation_id: str
    login: str
    home_tenant: str
    role: str
    organization_id: str | None
    status: str
    expires_at: str

    @classmethod
    def of(cls, invitation: RoleInvitation) -> Self:
        return cls(
            account_id=str(invitation.account_id),
            invitation_id=str(invitation.id),
            login=invitation.login,
            home_tenant=invitation.home_tenant_slug,
            role=invitation.role,
            organization_id=str(invitation.organization_id) if invitation.organization_id else None,
            status=invitation.status,
            expires_at=invitation.expires_at.isoformat(),
        )


@dataclass(frozen=True, kw_only=True)
class RoleInvited(RoleInvitationEvent, change="invited"):
    pass


@dataclass(frozen=True, kw_only=True)
class RoleInvitationAccepted(RoleInvitationEvent, change="invitation_accepted"):
    pass


@dataclass(frozen=True, kw_only=True)
class RoleInvitationDeclined(RoleInvitationEvent, change="invitation_declined"):
    pass


@dataclass(frozen=True, kw_only=True)
class ApiKeyEvent(DomainEvent, aggregate="api_key"):
    """Partner keys: only those who manage keys follow them."""

    source: ClassVar[str] = "alliance/directory"
    read_permission: ClassVar[Permission] = ("apikey", "manage")

    id: str
    name: str
    prefix: str


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(ApiKeyEvent, change="created"):
    pass


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(ApiKeyEvent, change="revoked"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    OrganizationCreated,
    OrganizationUpdated,
    OrganizationArchived,
    RoleGranted,
    RoleRevoked,
    RoleInvited,
    RoleInvitationAccepted,
    RoleInvitationDeclined,
    ApiKeyCreated,
    ApiKeyRevoked,
)
