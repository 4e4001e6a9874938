"""Casbin RBAC with domains: may this account do ACT on OBJ in this tenant?

Permissions (``p``) come from ``policies/policy.csv``. Role assignments (``g``) live in
PostgreSQL and are loaded per tenant on first use; a trigger ``NOTIFY``s ``alliance_roles``
on every change and each process reloads that tenant, so a grant or revoke takes effect on
every replica without a restart and without a query per request.

The notification is the fast path, not the guarantee: a tenant's links older than the cache
bound (``ROLE_CACHE_TTL_SECONDS``) are reloaded before use, so a listener that is down or
stalled delays a revocation by at most that bound instead of forever (fail closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from pathlib import Path
from typing import cast

import asyncpg
import casbin

from services.core.backoff import Backoff
from services.core.tenancy import set_scope

log = logging.getLogger(__name__)

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
ROLES = ("alliance_admin", "org_admin", "member", "auditor", "partner")
CHANNEL = "alliance_roles"
# How the listener's connection shows in pg_stat_activity (operators and tests find it so).
LISTENER_APPLICATION_NAME = "alliance-roles-listener"
DEFAULT_ROLE_CACHE_TTL_SECONDS = 30.0
_HEARTBEAT_SECONDS = 5.0

# Remembered answers per process; past this many (accounts × objects × actions) start afresh.
_MAX_DECISIONS = 100_000

_ROLE_ROWS = "SELECT account_id, role, organization_id FROM role_assignments WHERE tenant_id = $1"


class TenantNames:
    """Tenant slugs and ids, cached: a tenant's slug never changes once created."""

    def __init__(self) -> None:
        self._slugs: dict[uuid.UUID, str] = {}
        self._ids: dict[str, uuid.UUID] = {}

    def _remember(self, tenant_id: uuid.UUID, slug: str) -> None:
        self._slugs[tenant_id] = slug
        self._ids[slug] = tenant_id

    async def slug(self, pool: asyncpg.Pool, tenant_id: uuid.UUID) -> str | None:
        if tenant_id not in self._slugs:
            slug = await pool.fetchval("SELECT slug FROM alliances WHERE id = $1", tenant_id)
            if slug is None:
                return None
            self._remember(tenant_id, str(slug))
        return self._slugs[tenant_id]

    async def id_for(self, pool: asyncpg.Pool, slug: str) -> uuid.UUID | None:
        if slug not in self._ids:
            tenant_id = await pool.fetchval("SELECT id FROM alliances WHERE slug = $1", slug)
            if tenant_id is None:
                return None
            self._remember(tenant_id, slug)
        return self._ids[slug]


class Authorizer:
    """One enforcer per process, holding the role links of the tenants it has served."""

    def __init__(
        self,
        policies_dir: Path = POLICIES_DIR,
        *,
        role_cache_ttl_seconds: float = DEFAULT_ROLE_CACHE_TTL_SECONDS,
    ) -> None:
        self.enforcer = casbin.Enforcer(str(policies_dir / "model.conf"), str(policies_dir / "policy.csv"))
        self.enforcer.enable_auto_save(False)
        self.role_cache_ttl_seconds = role_cache_ttl_seconds
        # tenant → monotonic time at which the loaded links were read (the start of the query)
        self._loaded: dict[uuid.UUID, float] = {}
        self._reloading: dict[uuid.UUID, asyncio.Lock] = {}
        self._organizations: dict[tuple[uuid.UUID, uuid.UUID], frozenset[uuid.UUID]] = {}
        self._managed: dict[tuple[uuid.UUID, uuid.UUID], frozenset[uuid.UUID]] = {}
        # Casbin's answers, kept until the role links change: an enforce walks the policy's
        # lines through an expression evaluator (≈0.5 ms), and every request asks again.
        self._decisions: dict[tuple[uuid.UUID, uuid.UUID, str, str], bool] = {}
        self._lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None
        self.tenants = TenantNames()

    def _is_fresh(self, tenant_id: uuid.UUID) -> bool:
        loaded_at = self._loaded.get(tenant_id)
        return loaded_at is not None and time.monotonic() - loaded_at < self.role_cache_ttl_seconds

    async def ensure_tenant(self, pool: asyncpg.Pool, tenant_id: uuid.UUID) -> None:
        """Load a tenant's role assignments unless this process holds them from within the bound."""
        if self._is_fresh(tenant_id):
            return
        # One reload per tenant at a time: concurrent requests wait for it instead of each
        # asking the database.
        lock = self._reloading.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            if not self._is_fresh(tenant_id):
                await self.reload_tenant(pool, tenant_id)

    async def reload_tenant(self, pool: asyncpg.Pool, tenant_id: uuid.UUID) -> None:
        """Replace a tenant's role links with what the database holds now."""
        started = time.monotonic()
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)
            await set_scope(conn, tenant_id=tenant_id)
            rows = await conn.fetch(_ROLE_ROWS, tenant_id)
        organizations: dict[uuid.UUID, set[uuid.UUID]] = {}
        managed: dict[uuid.UUID, set[uuid.UUID]] = {}
        for row in rows:
            if row["organization_id"] is not None:
                organizations.setdefault(row["account_id"], set()).add(row["organization_id"])
                if row["role"] == "org_admin":
                    managed.setdefault(row["account_id"], set()).add(row["organization_id"])
        async with self._lock:
            if started < self._loaded.get(tenant_id, float("-inf")):
                return  # a reload that read later has already been applied
            domain = str(tenant_id)
            self.enforcer.remove_filtered_grouping_policy(2, domain)
            rules = [[str(row["account_id"]), row["role"], domain] for row in rows]
            if rules:
                self.enforcer.add_grouping_policies(rules)
            for store, found in ((self._organizations, organizations), (self._managed, managed)):
                for key in [k for k in store if k[0] == tenant_id]:
                    del store[key]
                for account_id, org_ids in found.items():
                    store[(tenant_id, account_id)] = frozenset(org_ids)
            self._decisions.clear()
            self._loaded[tenant_id] = started

    async def roles_of(
        self, pool: asyncpg.Pool, account_id: uuid.UUID, tenant_id: uuid.UUID
    ) -> frozenset[str]:
        """Roles of an account, loading the tenant if needed (or if its links are too old).

        An account without loaded roles costs one query: its grant may be milliseconds old
        with the notification still on the way, and then the tenant is reloaded now.
        """
        await self.ensure_tenant(pool, tenant_id)
        found = self.roles(account_id, tenant_id)
        if not found:
            async with pool.acquire() as proxy, proxy.transaction():
                conn = cast(asyncpg.Connection, proxy)
                await set_scope(conn, tenant_id=tenant_id)
                granted = await conn.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM role_assignments WHERE account_id = $1)", account_id
                )
            if granted:
                await self.reload_tenant(pool, tenant_id)
                found = self.roles(account_id, tenant_id)
        return found

    def roles(self, account_id: uuid.UUID, tenant_id: uuid.UUID) -> frozenset[str]:
        """The roles an account holds in a tenant (as loaded)."""
        found = self.enforcer.get_roles_for_user_in_domain(str(account_id), str(tenant_id))
        return frozenset(found)

    def organizations(self, account_id: uuid.UUID, tenant_id: uuid.UUID) -> frozenset[uuid.UUID]:
        """The organisations any of an account's roles in a tenant are attached to."""
        return self._organizations.get((tenant_id, account_id), frozenset())

    def managed_organizations(self, account_id: uuid.UUID, tenant_id: uuid.UUID) -> frozenset[uuid.UUID]:
        """The organisations of an account's management roles (org_admin) in a tenant."""
        return self._managed.get((tenant_id, account_id), frozenset())

    def allows(self, account_id: uuid.UUID, tenant_id: uuid.UUID, obj: str, act: str) -> bool:
        """Casbin's answer for one (subject, tenant, object, action), remembered until a reload."""
        key = (account_id, tenant_id, obj, act)
        decision = self._decisions.get(key)
        if decision is None:
            decision = bool(self.enforcer.enforce(str(account_id), str(tenant_id), obj, act))
            if len(self._decisions) >= _MAX_DECISIONS:
                self._decisions.clear()
            self._decisions[key] = decision
        return decision

    async def start_listening(self, dsn: str) -> None:
        """Follow role changes from every process (reconnects and reloads after a gap)."""
        self._listener = asyncio.create_task(self._listen(dsn), name="roles-listener")

    async def stop_listening(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def _listen(self, dsn: str) -> None:
        """Listen until cancelled. Whatever ends a connection (a dropped socket is an
        ``InterfaceError``, not an ``OSError``), the listener logs it and comes back."""
        backoff = Backoff(initial=0.5, cap=30.0)
        pool: asyncpg.Pool | None = None
        try:
            while True:
                try:
                    if pool is None:
                        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
                    await self._listen_once(dsn, pool, backoff)
                except Exception as exc:  # CancelledError is a BaseException: stopping still stops
                    delay = backoff.next_delay()
                    log.warning(
                        "role listener lost its connection (%s: %s); reconnecting in %.1f s",
                        type(exc).__name__,
                        exc,
                        delay,
                    )
                else:
                    delay = backoff.next_delay()
                    log.warning("role listener's connection closed; reconnecting in %.1f s", delay)
                await asyncio.sleep(delay)
        finally:
            if pool is not None:
                await pool.close()

    async def _listen_once(self, dsn: str, pool: asyncpg.Pool, backoff: Backoff) -> None:
        conn = await asyncpg.connect(dsn, server_settings={"application_name": LISTENER_APPLICATION_NAME})
        pending: set[asyncio.Task[None]] = set()

        def on_notify(_conn: object, _pid: int, _channel: str, payload: object) -> None:
            tenant_id = uuid.UUID(str(payload))
            if tenant_id in self._loaded:
                task = asyncio.create_task(self.reload_tenant(pool, tenant_id))
                pending.add(task)
                task.add_done_callback(pending.discard)

        try:
            await conn.add_listener(CHANNEL, on_notify)
            # Changes made while no one listened: reload everything already loaded.
            for tenant_id in list(self._loaded):
                await self.reload_tenant(pool, tenant_id)
            backoff.reset()
            while not conn.is_closed():
                await asyncio.sleep(_HEARTBEAT_SECONDS)
                await conn.execute("SELECT 1")
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
