"""Webhook types (事件推送)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from schema.nodes import Node
from services.partners import webhook_models as models
from services.partners.webhook_urls import UrlRules


@strawberry.enum(description="How a delivery carries the CloudEvent (投递模式).")
class WebhookMode(Enum):
    STRUCTURED = "STRUCTURED"  # the whole event as application/cloudevents+json
    BINARY = "BINARY"  # the data as the body, the attributes as ce-* headers


@strawberry.type(description="An endpoint that receives an API key's events (事件推送端点).")
class WebhookEndpoint(Node):
    id: strawberry.ID
    api_key_id: strawberry.ID
    url: str
    event_types: list[str] = strawberry.field(description="Event-type globs, e.g. `resource.*` (事件类型).")
    mode: WebhookMode
    enabled: bool
    consecutive_failures: int = strawberry.field(description="Failed attempts in a row (连续失败次数).")
    disabled_at: dt.datetime | None
    previous_secret_until: dt.datetime | None = strawberry.field(
        description="Until then the old secret signs too (旧密钥有效期)."
    )
    created_at: dt.datetime

    @classmethod
    def from_model(cls, e: models.WebhookEndpoint) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(str(e.id)),
            api_key_id=strawberry.ID(str(e.api_key_id)),
            url=e.url,
            event_types=list(e.event_types),
            mode=WebhookMode(e.mode),
            enabled=e.enabled,
            consecutive_failures=e.consecutive_failures,
            disabled_at=e.disabled_at,
            previous_secret_until=e.previous_secret_until,
            created_at=e.created_at,
        )


@strawberry.type(description="One attempt to send a delivery (投递记录).")
class WebhookAttempt:
    attempt: int
    request: JSON = strawberry.field(description="URL, headers and body as sent (请求).")
    response_code: int | None
    duration_ms: float
    error: str | None
    created_at: dt.datetime

    @classmethod
    def from_model(cls, a: models.WebhookAttempt) -> WebhookAttempt:
        return cls(
            attempt=a.attempt,
            request=cast(JSON, a.request),
            response_code=a.response_code,
            duration_ms=a.duration_ms,
            error=a.error,
            created_at=a.created_at,
        )


@strawberry.enum(description="Where a delivery stands (投递状态).")
class WebhookDeliveryStatus(Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    DEAD = "DEAD"  # retried for the configured time, then given up
    WITHHELD = "WITHHELD"  # the key may not read the event: never sent


@strawberry.type(description="One event for one endpoint, with its attempts (事件投递).")
class WebhookDelivery(Node):
    id: strawberry.ID
    endpoint_id: strawberry.ID
    event_id: strawberry.ID = strawberry.field(description="The CloudEvent id, sent as `webhook-id`.")
    event_type: str
    subject: str = strawberry.field(description="The event's aggregate id (事件主体).")
    status: WebhookDeliveryStatus
    attempts: int
    next_attempt_at: dt.datetime
    last_response_code: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    log: list[WebhookAttempt] = strawberry.field(description="The delivery log (投递日志).")

    @classmethod
    def from_model(cls, d: models.WebhookDelivery, log: list[models.WebhookAttempt]) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(str(d.id)),
            endpoint_id=strawberry.ID(str(d.endpoint_id)),
            event_id=strawberry.ID(str(d.event_id)),
            event_type=d.event_type,
            subject=d.subject,
            status=WebhookDeliveryStatus(d.status),
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_response_code=d.last_response_code,
            created_at=d.created_at,
            finished_at=d.finished_at,
            log=[WebhookAttempt.from_model(a) for a in log],
        )


@strawberry.type(description="A tenant's webhook rules (事件推送设置).")
class WebhookSettings:
    allow_private_addresses: bool = strawberry.field(
        description="URLs may reach loopback, link-local and private addresses (允许内网地址)."
    )
    require_https: bool

    @classmethod
    def from_model(cls, rules: UrlRules) -> WebhookSettings:
        return cls(allow_private_addresses=rules.allow_private_addresses, require_https=rules.require_https)


@strawberry.input(description="Register an endpoint for an API key (登记事件推送端点).")
class RegisterWebhookEndpointInput:
    api_key_id: strawberry.ID
    url: str
    event_types: list[str]
    mode: WebhookMode = WebhookMode.STRUCTURED


@strawberry.type
class RegisterWebhookEndpointPayload:
    webhook_endpoint: WebhookEndpoint
    secret: str = strawberry.field(description="`whsec_…`, shown this once (签名密钥).")


@strawberry.input(description="A new secret; the old one signs too for the overlap (轮换签名密钥).")
class RotateWebhookSecretInput:
    endpoint_id: strawberry.ID
    overlap_seconds: int = 86_400


@strawberry.type
class RotateWebhookSecretPayload:
    webhook_endpoint: WebhookEndpoint
    secret: str


@strawberry.input(description="Turn an endpoint on or off (启用或停用端点).")
class SetWebhookEndpointEnabledInput:
    endpoint_id: strawberry.ID
    enabled: bool


@strawberry.type
class SetWebhookEndpointEnabledPayload:
    webhook_endpoint: WebhookEndpoint


@strawberry.input(description="Send again one delivery, or those created in [since, until) (重新投递).")
class RedeliverWebhooksInput:
    endpoint_id: strawberry.ID
    delivery_id: strawberry.ID | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@strawberry.type
class RedeliverWebhooksPayload:
    webhook_deliveries: list[WebhookDelivery]


@strawberry.input(description="The tenant's webhook rules (设置事件推送规则).")
class SetWebhookSettingsInput:
    allow_private_addresses: bool
    require_https: bool


@strawberry.type
class SetWebhookSettingsPayload:
    webhook_settings: WebhookSettings
