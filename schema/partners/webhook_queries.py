"""Webhook queries: endpoints and deliveries with their log (a list, or one by id), the tenant's rules."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.partners.webhook_types import WebhookDelivery, WebhookEndpoint, WebhookSettings
from schema.permissions import requires
from services.partners import webhooks

ENDPOINTS = Keyset("webhook_endpoint", uuid_key)
DELIVERIES = Keyset("webhook_delivery", uuid_key)


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Webhook endpoints, of one API key or all (事件推送端点).",
        extensions=requires("apikey", "manage"),
    )
    async def webhook_endpoints(
        self,
        info: Info,
        api_key_id: strawberry.ID | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[WebhookEndpoint]:
        args = ENDPOINTS.args(info, first, after)
        key_id = None if api_key_id is None else parse_id(api_key_id, "apiKeyId")
        async with info.context.db() as conn:
            page = await webhooks.list_endpoints(
                conn, api_key_id=key_id, first=args.first, after=args.after, count=args.count
            )
        return ENDPOINTS.connection(page, WebhookEndpoint.from_model)

    @strawberry.field(
        description=(
            "One webhook endpoint (事件推送端点), for admins as webhookEndpoints; its secret is never "
            "shown again. Another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("apikey", "manage"),
    )
    async def webhook_endpoint(self, info: Info, id: strawberry.ID) -> WebhookEndpoint:
        async with info.context.db() as conn:
            found = await webhooks.get_endpoint(conn, endpoint_id=parse_id(id), field="id")
        return WebhookEndpoint.from_model(found)

    @strawberry.field(
        description="An endpoint's deliveries, newest first, with the delivery log (事件投递).",
        extensions=requires("apikey", "manage"),
    )
    async def webhook_deliveries(
        self, info: Info, endpoint_id: strawberry.ID, first: int | None = 20, after: str | None = None
    ) -> Connection[WebhookDelivery]:
        args = DELIVERIES.args(info, first, after)
        async with info.context.db() as conn:
            page = await webhooks.list_deliveries(
                conn,
                endpoint_id=parse_id(endpoint_id, "endpointId"),
                first=args.first,
                after=args.after,
                count=args.count,
            )
            log = await webhooks.attempts_of(conn, delivery_ids=[d.id for d in page.items])
        return DELIVERIES.connection(page, lambda d: WebhookDelivery.from_model(d, log[d.id]))

    @strawberry.field(
        description=(
            "One delivery (事件投递) with its delivery log, for admins as webhookDeliveries shows "
            "it. Another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("apikey", "manage"),
    )
    async def webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDelivery:
        async with info.context.db() as conn:
            found = await webhooks.get_delivery(conn, delivery_id=parse_id(id))
            log = await webhooks.attempts_of(conn, delivery_ids=[found.id])
        return WebhookDelivery.from_model(found, log[found.id])

    @strawberry.field(
        description="The tenant's webhook rules (事件推送设置).",
        extensions=requires("apikey", "manage"),
    )
    async def webhook_settings(self, info: Info) -> WebhookSettings:
        async with info.context.db() as conn:
            return WebhookSettings.from_model(await webhooks.url_rules(conn))
