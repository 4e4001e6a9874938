"""Webhook endpoints (事件推送端点): register, rotate the secret, enable, redeliver, read the log.

An endpoint belongs to an API key: it receives the events its event-type globs match, and of
those only what the key may read (checked by the sender, with the feed's read rule).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import uuid

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.records import Page, from_record
from services.directory.reads import api_key_is_active
from services.events.changes import Actor, record_change
from services.partners.events import (
    WebhookEndpointDisabled,
    WebhookEndpointEnabled,
    WebhookEndpointEvent,
    WebhookEndpointRegistered,
    WebhookSecretRotated,
    WebhookSettingsChanged,
    WebhooksRedelivered,
)
from services.partners.webhook_models import (
    ATTEMPT_COLUMNS,
    CONSTRAINTS,
    DELIVERY_COLUMNS,
    ENDPOINT_COLUMNS,
    IssuedEndpoint,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from services.partners.webhook_signing import BINARY, STRUCTURED, new_secret, secret_text
from services.partners.webhook_urls import UrlRules, checked_target

DEFAULT_RULES = UrlRules(allow_private_addresses=False, require_https=True)
MAX_PATTERNS = 50
MAX_OVERLAP = dt.timedelta(days=7)
MAX_REDELIVER = 10_000


async def url_rules(conn: asyncpg.Connection) -> UrlRules:
    """The tenant's webhook rules (HTTPS required and public addresses only, unless set)."""
    row = await conn.fetchrow(
        "SELECT allow_private_addresses, require_https FROM webhook_settings ORDER BY id DESC LIMIT 1"
    )
    return DEFAULT_RULES if row is None else from_record(UrlRules, row)


async def set_url_rules(conn: asyncpg.Connection, *, actor: Actor, rules: UrlRules) -> UrlRules:
    """Set the tenant's webhook rules (allowing private addresses is an explicit choice, audited)."""
    before = await url_rules(conn)
    row = await CONSTRAINTS.fetchrow(
        conn,
        "INSERT INTO webhook_settings (tenant_id, allow_private_addresses, require_https) VALUES ($1, $2, $3)"
        " RETURNING allow_private_addresses, require_https",
        actor.tenant_id,
        rules.allow_private_addresses,
        rules.require_https,
    )
    after = from_record(UrlRules, row)
    await record_change(
        conn,
        actor,
        WebhookSettingsChanged(
            scope="tenant",
            allow_private_addresses=after.allow_private_addresses,
            require_https=after.require_https,
        ),
        before={
            "allowPrivateAddresses": before.allow_private_addresses,
            "requireHttps": before.require_https,
        },
        after={"allowPrivateAddresses": after.allow_private_addresses, "requireHttps": after.require_https},
    )
    return after


def checked_patterns(patterns: list[str]) -> list[str]:
    """Event-type globs (``booking.*``, ``*``): 1 to 50, each 1 to 100 characters."""
    cleaned = [p.strip() for p in patterns]
    if not 1 <= len(cleaned) <= MAX_PATTERNS or any(not p or len(p) > 100 for p in cleaned):
        raise BadUserInput(f"eventTypes takes 1 to {MAX_PATTERNS} patterns", field="eventTypes")
    return cleaned


def matches(patterns: list[str], event_type: str) -> bool:
    return any(fnmatch.fnmatchcase(event_type, p) for p in patterns)


def _event(cls: type[WebhookEndpointEvent], endpoint: WebhookEndpoint) -> WebhookEndpointEvent:
    return cls(
        id=str(endpoint.id),
        api_key_id=str(endpoint.api_key_id),
        url=endpoint.url,
        event_types=endpoint.event_types,
        enabled=endpoint.enabled,
    )


async def register_endpoint(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    api_key_id: uuid.UUID,
    url: str,
    event_types: list[str],
    mode: str = STRUCTURED,
) -> IssuedEndpoint:
    """Register an endpoint for a key; the secret is returned here and never again."""
    patterns = checked_patterns(event_types)
    if mode not in (STRUCTURED, BINARY):
        raise BadUserInput("mode is STRUCTURED or BINARY", field="mode")
    if not await api_key_is_active(conn, key_id=api_key_id):
        raise NotFound("no such active API key", field="apiKeyId")
    target = await checked_target(url, await url_rules(conn))
    secret = new_secret()
    row = await CONSTRAINTS.fetchrow(
        conn,
        "INSERT INTO webhook_endpoints (tenant_id, api_key_id, url, event_types, mode, secret)"
        f" VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ENDPOINT_COLUMNS}",
        actor.tenant_id,
        api_key_id,
        target.url.geturl(),
        patterns,
        mode,
        secret,
    )
    endpoint = from_record(WebhookEndpoint, row)
    await record_change(
        conn,
        actor,
        _event(WebhookEndpointRegistered, endpoint),
        after={"url": endpoint.url, "eventTypes": endpoint.event_types, "mode": endpoint.mode},
    )
    return IssuedEndpoint(endpoint, secret_text(secret))


async def get_endpoint(
    conn: asyncpg.Connection, *, endpoint_id: uuid.UUID, lock: bool = False, field: str = "endpointId"
) -> WebhookEndpoint:
    """One endpoint of this tenant, as ``list_endpoints`` sees it (row-level security alone);
    NOT_FOUND on ``field`` otherwise. Its secret is never read here: it is shown once only."""
    row = await conn.fetchrow(
        f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1" + (" FOR UPDATE" if lock else ""),
        endpoint_id,
    )
    if row is None:
        raise NotFound("no such webhook endpoint", field=field)
    return from_record(WebhookEndpoint, row)


async def rotate_secret(
    conn: asyncpg.Connection, *, actor: Actor, endpoint_id: uuid.UUID, overlap: dt.timedelta
) -> IssuedEndpoint:
    """A new secret; the old one still signs (beside the new) until the overlap ends."""
    if not dt.timedelta(0) <= overlap <= MAX_OVERLAP:
        raise BadUserInput("the overlap is 0 to 7 days", field="overlapSeconds")
    await get_endpoint(conn, endpoint_id=endpoint_id, lock=True)
    secret = new_secret()
    row = await CONSTRAINTS.fetchrow(
        conn,
        "UPDATE webhook_endpoints SET previous_secret = secret, secret = $2,"
        " previous_secret_until = now() + $3::interval"
        f" WHERE id = $1 RETURNING {ENDPOINT_COLUMNS}",
        endpoint_id,
        secret,
        overlap,
    )
    endpoint = from_record(WebhookEndpoint, row)
    await record_change(
        conn,
        actor,
        _event(WebhookSecretRotated, endpoint),
        after={
            "previousSecretUntil": endpoint.previous_secret_until.isoformat()
            if endpoint.previous_secret_until
            else None
        },
    )
    return IssuedEndpoint(endpoint, secret_text(secret))


async def set_enabled(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    endpoint_id: uuid.UUID,
    enabled: bool,
    reason: str = "by an admin",
) -> WebhookEndpoint:
    """Turn an endpoint on (its failure count starts again) or off; pending deliveries wait."""
    before = await get_endpoint(conn, endpoint_id=endpoint_id, lock=True)
    row = await CONSTRAINTS.fetchrow(
        conn,
        "UPDATE webhook_endpoints SET enabled = $2, consecutive_failures = CASE WHEN $2 THEN 0"
        " ELSE consecutive_failures END, disabled_at = CASE WHEN $2 THEN NULL ELSE now() END"
        f" WHERE id = $1 RETURNING {ENDPOINT_COLUMNS}",
        endpoint_id,
        enabled,
    )
    endpoint = from_record(WebhookEndpoint, row)
    if before.enabled != enabled:
        event = (
            _event(WebhookEndpointEnabled, endpoint)
            if enabled
            else WebhookEndpointDisabled(
                id=str(endpoint.id),
                api_key_id=str(endpoint.api_key_id),
                url=endpoint.url,
                event_types=endpoint.event_types,
                enabled=False,
                consecutive_failures=endpoint.consecutive_failures,
                reason=reason,
            )
        )
        await record_change(
            conn, actor, event, before={"enabled": before.enabled}, after={"enabled": endpoint.enabled}
        )
    return endpoint


async def list_endpoints(
    conn: asyncpg.Connection,
    *,
    api_key_id: uuid.UUID | None,
    first: int,
    after: uuid.UUID | None,
    count: bool,
) -> Page[WebhookEndpoint]:
    rows = await conn.fetch(
        f"SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE ($1::uuid IS NULL OR api_key_id = $1)"
        " AND ($2::uuid IS NULL OR id > $2) ORDER BY id LIMIT $3",
        api_key_id,
        after,
        first + 1,
    )
    total = None
    if count:
        total = await conn.fetchval(
            "SELECT count(*) FROM webhook_endpoints WHERE ($1::uuid IS NULL OR api_key_id = $1)", api_key_id
        )
    return Page(
        items=[from_record(WebhookEndpoint, r) for r in rows[:first]],
        total=total or 0,
        has_next=len(rows) > first,
    )


async def list_deliveries(
    conn: asyncpg.Connection, *, endpoint_id: uuid.UUID, first: int, after: uuid.UUID | None, count: bool
) -> Page[WebhookDelivery]:
    """An endpoint's deliveries, newest first."""
    await get_endpoint(conn, endpoint_id=endpoint_id)
    rows = await conn.fetch(
        f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE endpoint_id = $1"
        " AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
        endpoint_id,
        after,
        first + 1,
    )
    total = None
    if count:
        total = await conn.fetchval(
            "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1", endpoint_id
        )
    return Page(
        items=[from_record(WebhookDelivery, r) for r in rows[:first]],
        total=total or 0,
        has_next=len(rows) > first,
    )


async def get_delivery(conn: asyncpg.Connection, *, delivery_id: uuid.UUID) -> WebhookDelivery:
    """One delivery of any of the tenant's endpoints, as ``list_deliveries`` shows it (row-level
    security alone, as the endpoint it is listed under); NOT_FOUND otherwise."""
    row = await conn.fetchrow(f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1", delivery_id)
    if row is None:
        raise NotFound("no such webhook delivery", field="id")
    return from_record(WebhookDelivery, row)


async def attempts_of(
    conn: asyncpg.Connection, *, delivery_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[WebhookAttempt]]:
    """The delivery log of several deliveries at once, by delivery, in attempt order."""
    rows = await conn.fetch(
        f"SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts WHERE delivery_id = ANY($1::uuid[])"
        " ORDER BY delivery_id, attempt",
        delivery_ids,
    )
    found: dict[uuid.UUID, list[WebhookAttempt]] = {i: [] for i in delivery_ids}
    for row in rows:
        found[row["delivery_id"]].append(from_record(WebhookAttempt, row))
    return found


async def redeliver(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[WebhookDelivery]:
    """Send again one delivery, or every delivery of the endpoint created in [since, until).

    Each becomes a new pending delivery of the same event (same ``webhook-id``, so a receiver
    that already has it can tell), queued behind what is pending for its aggregate. Audited
    and announced (``webhook_endpoint.redelivered.v1``) when anything was queued.
    """
    endpoint = await get_endpoint(conn, endpoint_id=endpoint_id)
    if (delivery_id is None) == (since is None or until is None):
        raise BadUserInput("give either deliveryId, or both since and until", field="deliveryId")
    if since is not None and until is not None and since >= until:
        raise BadUserInput("since must be before until", field="since")
    rows = await conn.fetch(
        "INSERT INTO webhook_deliveries"
        " (tenant_id, endpoint_id, event_id, event_type, aggregate_key, envelope)"
        " SELECT tenant_id, endpoint_id, event_id, event_type, aggregate_key, envelope FROM ("
        "   SELECT * FROM webhook_deliveries WHERE endpoint_id = $1 AND status <> 'WITHHELD'"
        "   AND ($2::uuid IS NULL OR id = $2) AND ($3::timestamptz IS NULL OR created_at >= $3)"
        "   AND ($4::timestamptz IS NULL OR created_at < $4) ORDER BY seq LIMIT $5) AS old"
        f" ORDER BY seq RETURNING {DELIVERY_COLUMNS}",
        endpoint_id,
        delivery_id,
        since,
        until,
        MAX_REDELIVER,
    )
    if delivery_id is not None and not rows:
        raise NotFound("no such delivery of this endpoint", field="deliveryId")
    if not rows:
        return []
    event = WebhooksRedelivered(
        id=str(endpoint.id),
        api_key_id=str(endpoint.api_key_id),
        url=endpoint.url,
        event_types=endpoint.event_types,
        enabled=endpoint.enabled,
        delivery_id=None if delivery_id is None else str(delivery_id),
        since=None if since is None else since.isoformat(),
        until=None if until is None else until.isoformat(),
        deliveries=len(rows),
    )
    await record_change(
        conn,
        actor,
        event,
        after={
            "deliveryId": event.delivery_id,
            "since": event.since,
            "until": event.until,
            "deliveries": event.deliveries,
        },
    )
    await conn.execute("SELECT pg_notify('webhook_due', '')")
    return [from_record(WebhookDelivery, r) for r in rows]
