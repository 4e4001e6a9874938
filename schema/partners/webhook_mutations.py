"""Webhook mutations: register, rotate the secret, enable, redeliver, the tenant's rules."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.context import Info
from schema.pagination import parse_id
from schema.partners.webhook_types import (
    RedeliverWebhooksInput,
    RedeliverWebhooksPayload,
    RegisterWebhookEndpointInput,
    RegisterWebhookEndpointPayload,
    RotateWebhookSecretInput,
    RotateWebhookSecretPayload,
    SetWebhookEndpointEnabledInput,
    SetWebhookEndpointEnabledPayload,
    SetWebhookSettingsInput,
    SetWebhookSettingsPayload,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSettings,
)
from schema.permissions import requires
from services.partners import webhooks
from services.partners.webhook_urls import UrlRules


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description=(
            "Register a webhook endpoint for an API key; the secret is shown once (登记事件推送端点)."
        ),
        extensions=requires("apikey", "manage"),
    )
    async def register_webhook_endpoint(
        self, info: Info, input: RegisterWebhookEndpointInput
    ) -> RegisterWebhookEndpointPayload:
        key_id = parse_id(input.api_key_id, "apiKeyId")
        async with info.context.db() as conn:
            issued = await webhooks.register_endpoint(
                conn,
                actor=info.context.principal,
                api_key_id=key_id,
                url=input.url,
                event_types=input.event_types,
                mode=input.mode.value,
            )
        return RegisterWebhookEndpointPayload(
            webhook_endpoint=WebhookEndpoint.from_model(issued.endpoint), secret=issued.secret
        )

    @strawberry.mutation(
        description="A new signing secret; the old one still signs during the overlap (轮换签名密钥).",
        extensions=requires("apikey", "manage"),
    )
    async def rotate_webhook_secret(
        self, info: Info, input: RotateWebhookSecretInput
    ) -> RotateWebhookSecretPayload:
        endpoint_id = parse_id(input.endpoint_id, "endpointId")
        async with info.context.db() as conn:
            issued = await webhooks.rotate_secret(
                conn,
                actor=info.context.principal,
                endpoint_id=endpoint_id,
                overlap=dt.timedelta(seconds=max(-1, min(input.overlap_seconds, 10**9))),
            )
        return RotateWebhookSecretPayload(
            webhook_endpoint=WebhookEndpoint.from_model(issued.endpoint), secret=issued.secret
        )

    @strawberry.mutation(
        description="Turn a webhook endpoint on or off (启用或停用端点).",
        extensions=requires("apikey", "manage"),
    )
    async def set_webhook_endpoint_enabled(
        self, info: Info, input: SetWebhookEndpointEnabledInput
    ) -> SetWebhookEndpointEnabledPayload:
        endpoint_id = parse_id(input.endpoint_id, "endpointId")
        async with info.context.db() as conn:
            endpoint = await webhooks.set_enabled(
                conn, actor=info.context.principal, endpoint_id=endpoint_id, enabled=input.enabled
            )
        return SetWebhookEndpointEnabledPayload(webhook_endpoint=WebhookEndpoint.from_model(endpoint))

    @strawberry.mutation(
        description="Send again one delivery, or every delivery of a time range (重新投递).",
        extensions=requires("apikey", "manage"),
    )
    async def redeliver_webhooks(self, info: Info, input: RedeliverWebhooksInput) -> RedeliverWebhooksPayload:
        endpoint_id = parse_id(input.endpoint_id, "endpointId")
        delivery_id = None if input.delivery_id is None else parse_id(input.delivery_id, "deliveryId")
        async with info.context.db() as conn:
            queued = await webhooks.redeliver(
                conn,
                actor=info.context.principal,
                endpoint_id=endpoint_id,
                delivery_id=delivery_id,
                since=input.since,
                until=input.until,
            )
        return RedeliverWebhooksPayload(
            webhook_deliveries=[WebhookDelivery.from_model(d, []) for d in queued]
        )

    @strawberry.mutation(
        description="Set the tenant's webhook rules: HTTPS, private addresses (设置事件推送规则).",
        extensions=requires("apikey", "manage"),
    )
    async def set_webhook_settings(
        self, info: Info, input: SetWebhookSettingsInput
    ) -> SetWebhookSettingsPayload:
        wanted = UrlRules(
            allow_private_addresses=input.allow_private_addresses, require_https=input.require_https
        )
        async with info.context.db() as conn:
            saved = await webhooks.set_url_rules(conn, actor=info.context.principal, rules=wanted)
        return SetWebhookSettingsPayload(webhook_settings=WebhookSettings.from_model(saved))
