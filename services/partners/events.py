"""Partner access's event types: what admins change about a key's access."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from services.events.types import Audience, DomainEvent, Permission


@dataclass(frozen=True, kw_only=True)
class PersistedOperationEvent(DomainEvent, aggregate="persisted_operation"):
    """A key's allow-list: read by those who manage keys, never by partners."""

    source: ClassVar[str] = "alliance/partners"
    read_permission: ClassVar[Permission] = ("apikey", "manage")

    id: str
    api_key_id: str
    name: str
    operation_version: int
    sha256: str
    cost: int


@dataclass(frozen=True, kw_only=True)
class PersistedOperationRegistered(PersistedOperationEvent, change="registered"):
    pass


@dataclass(frozen=True, kw_only=True)
class PartnerLimitsEvent(DomainEvent, aggregate="partner_limits"):
    """Limits of a key, or (``api_key_id`` None) the tenant's defaults: admins only."""

    source: ClassVar[str] = "alliance/partners"
    read_permission: ClassVar[Permission] = ("apikey", "manage")
    subject_field: ClassVar[str] = "scope"

    scope: str  # the key's id, or "tenant" for the defaults
    allow_list_only: bool | None
    requests_per_minute: int | None
    burst: int | None
    cost_per_minute: int | None


@dataclass(frozen=True, kw_only=True)
class PartnerLimitsChanged(PartnerLimitsEvent, change="changed"):
    pass


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointEvent(DomainEvent, aggregate="webhook_endpoint"):
    """A key's webhook endpoint (事件推送端点): read by those who manage keys, never by partners."""

    source: ClassVar[str] = "alliance/partners"
    read_permission: ClassVar[Permission] = ("apikey", "manage")

    id: str
    api_key_id: str
    url: str
    event_types: list[str]
    enabled: bool

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointRegistered(WebhookEndpointEvent, change="registered"):
    pass


@dataclass(frozen=True, kw_only=True)
class WebhookSecretRotated(WebhookEndpointEvent, change="secret_rotated"):
    pass


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointEnabled(WebhookEndpointEvent, change="enabled"):
    pass


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(WebhookEndpointEvent, change="disabled"):
    """The sender gave up on an endpoint that kept failing (or an admin turned it off)."""

    consecutive_failures: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class WebhooksRedelivered(WebhookEndpointEvent, change="redelivered"):
    """An admin queued deliveries of an endpoint again: one (``delivery_id``) or a time range."""

    delivery_id: str | None
    since: str | None  # ISO 8601, with ``until``: the range of the deliveries' creation
    until: str | None
    deliveries: int  # how many were queued again


@dataclass(frozen=True, kw_only=True)
class WebhookSettingsEvent(DomainEvent, aggregate="webhook_settings"):
    """The tenant's webhook rules (allowing private addresses opens a way inward): admins only."""

    source: ClassVar[str] = "alliance/partners"
    read_permission: ClassVar[Permission] = ("apikey", "manage")
    subject_field: ClassVar[str] = "scope"

    scope: str  # always "tenant": one set of rules per tenant
    allow_private_addresses: bool
    require_https: bool

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class WebhookSettingsChanged(WebhookSettingsEvent, change="changed"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    PersistedOperationRegistered,
    PartnerLimitsChanged,
    WebhookEndpointRegistered,
    WebhookSecretRotated,
    WebhookEndpointEnabled,
    WebhookEndpointDisabled,
    WebhooksRedelivered,
    WebhookSettingsChanged,
)
