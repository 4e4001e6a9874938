"""What the directory services hand back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


class OrganizationKind(enum.StrEnum):
    DISTRICT_COMMITTEE = "DISTRICT_COMMITTEE"
    STREET_COMMITTEE = "STREET_COMMITTEE"
    COMMUNITY = "COMMUNITY"
    STATIONED_UNIT = "STATIONED_UNIT"
    SOE = "SOE"
    PRIVATE_ENTERPRISE = "PRIVATE_ENTERPRISE"
    SOCIAL_ORGANIZATION = "SOCIAL_ORGANIZATION"
    SCHOOL = "SCHOOL"
    AGENCY = "AGENCY"


# "Two new" organisations (两新组织), the ones rated by stars (星级创评).
TWO_NEW_KINDS = frozenset({OrganizationKind.PRIVATE_ENTERPRISE, OrganizationKind.SOCIAL_ORGANIZATION})


class Role(enum.StrEnum):
    ALLIANCE_ADMIN = "alliance_admin"
    ORG_ADMIN = "org_admin"
    MEMBER = "member"
    AUDITOR = "auditor"
    PARTNER = "partner"


@dataclass(frozen=True, slots=True)
class Organization:
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    kind: str
    parent_id: uuid.UUID | None
    credit_code: str | None
    contact_name: str | None
    contact_phone: str | None
    star_rating: int | None
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_slug: str
    account_id: uuid.UUID
    login: str
    role: str
    organization_id: uuid.UUID | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    actor_id: uuid.UUID | None
    actor_login: str | None
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]
    request_id: str | None
    created_at: dt.datetime


class InvitationStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


@dataclass(frozen=True, slots=True)
class RoleInvitation:
    """An offer of a role in ``tenant_slug`` to an account whose home is another alliance."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    tenant_slug: str
    account_id: uuid.UUID
    login: str
    home_tenant_slug: str
    role: str
    organization_id: uuid.UUID | None
    status: str
    created_at: dt.datetime
    expires_at: dt.datetime
    answered_at: dt.datetime | None
