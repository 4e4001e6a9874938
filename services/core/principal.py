"""Who is acting: an authenticated account in one tenant, with its roles there."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, resolved by the gateway from a token or an API key."""

    account_id: uuid.UUID
    login: str
    tenant_id: uuid.UUID
    tenant_slug: str
    roles: frozenset[str]
    organization_ids: frozenset[uuid.UUID] = frozenset()
    # The organisations of management roles only (org_admin): a member role at an organisation
    # lets one act for it (request a booking) but never manage it.
    managed_organization_ids: frozenset[uuid.UUID] = frozenset()
    api_key_id: uuid.UUID | None = None

    @property
    def is_partner(self) -> bool:
        return self.api_key_id is not None or "partner" in self.roles
