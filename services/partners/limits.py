"""Limits per key (访问限额) with defaults per tenant, and the tenant's allow-list switch."""

from __future__ import annotations

import uuid

import asyncpg

from services.core.errors import NotFound
from services.core.records import from_record
from services.directory.reads import api_key_is_active
from services.events.changes import Actor, record_change
from services.partners.events import PartnerLimitsChanged
from services.partners.models import (
    CONSTRAINTS,
    DEFAULT_BURST,
    DEFAULT_COST_PER_MINUTE,
    DEFAULT_REQUESTS_PER_MINUTE,
    KeyLimits,
    PartnerSettings,
    checked_limits,
)

_SETTINGS = "allow_list_only, requests_per_minute, burst, cost_per_minute"
_LIMITS = "api_key_id, requests_per_minute, burst, cost_per_minute"

DEFAULT_SETTINGS = PartnerSettings(
    allow_list_only=False,
    requests_per_minute=DEFAULT_REQUESTS_PER_MINUTE,
    burst=DEFAULT_BURST,
    cost_per_minute=DEFAULT_COST_PER_MINUTE,
)


async def tenant_settings(conn: asyncpg.Connection) -> PartnerSettings:
    """The tenant's partner defaults (the platform's when it never set its own)."""
    row = await conn.fetchrow(f"SELECT {_SETTINGS} FROM partner_settings ORDER BY id DESC LIMIT 1")
    return DEFAULT_SETTINGS if row is None else from_record(PartnerSettings, row)


async def set_tenant_settings(
    conn: asyncpg.Connection, *, actor: Actor, settings: PartnerSettings
) -> PartnerSettings:
    """Replace the tenant's partner defaults and its allow-list switch (the old ones stay, as history)."""
    checked_limits(settings.requests_per_minute, settings.burst, settings.cost_per_minute)
    before = await tenant_settings(conn)
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"INSERT INTO partner_settings (tenant_id, {_SETTINGS}) VALUES ($1, $2, $3, $4, $5)"
        f" RETURNING {_SETTINGS}",
        actor.tenant_id,
        settings.allow_list_only,
        settings.requests_per_minute,
        settings.burst,
        settings.cost_per_minute,
    )
    after = from_record(PartnerSettings, row)
    await record_change(
        conn,
        actor,
        PartnerLimitsChanged(
            scope="tenant",
            allow_list_only=after.allow_list_only,
            requests_per_minute=after.requests_per_minute,
            burst=after.burst,
            cost_per_minute=after.cost_per_minute,
        ),
        before=_settings_data(before),
        after=_settings_data(after),
    )
    return after


async def key_limits(conn: asyncpg.Connection, *, api_key_id: uuid.UUID) -> KeyLimits:
    """A key's own limits (None: the tenant's default holds)."""
    if not await api_key_is_active(conn, key_id=api_key_id):
        raise NotFound("no such active API key", field="apiKeyId")
    row = await conn.fetchrow(f"SELECT {_LIMITS} FROM partner_key_limits WHERE api_key_id = $1", api_key_id)
    return KeyLimits(api_key_id, None, None, None) if row is None else from_record(KeyLimits, row)


async def set_key_limits(conn: asyncpg.Connection, *, actor: Actor, limits: KeyLimits) -> KeyLimits:
    """Set a key's own limits; a None limit falls back to the tenant's default."""
    checked_limits(limits.requests_per_minute, limits.burst, limits.cost_per_minute)
    before = await key_limits(conn, api_key_id=limits.api_key_id)
    row = await CONSTRAINTS.fetchrow(
        conn,
        f"INSERT INTO partner_key_limits (tenant_id, {_LIMITS}) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (api_key_id) DO UPDATE SET requests_per_minute = $3, burst = $4,"
        f" cost_per_minute = $5, updated_at = now() RETURNING {_LIMITS}",
        actor.tenant_id,
        limits.api_key_id,
        limits.requests_per_minute,
        limits.burst,
        limits.cost_per_minute,
    )
    after = from_record(KeyLimits, row)
    await record_change(
        conn,
        actor,
        PartnerLimitsChanged(
            scope=str(after.api_key_id),
            allow_list_only=None,
            requests_per_minute=after.requests_per_minute,
            burst=after.burst,
            cost_per_minute=after.cost_per_minute,
        ),
        before=_limits_data(before),
        after=_limits_data(after),
    )
    return after


def _settings_data(settings: PartnerSettings) -> dict[str, object]:
    return {
        "allowListOnly": settings.allow_list_only,
        "requestsPerMinute": settings.requests_per_minute,
        "burst": settings.burst,
        "costPerMinute": settings.cost_per_minute,
    }


def _limits_data(limits: KeyLimits) -> dict[str, object]:
    return {
        "requestsPerMinute": limits.requests_per_minute,
        "burst": limits.burst,
        "costPerMinute": limits.cost_per_minute,
    }
