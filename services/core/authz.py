"""Casbin RBAC with domains: may this account do ACT on OBJ in this tenant?

Permissions (``p``) come from ``policies/policy.csv``. Role assignments (``g``) live in
PostgreSQL and are loaded per tenant on first use; a trigger ``NOTIFY``s ``alliance_roles``
on every change and each process reloads that tenant, so a grant or revoke takes effect on
every replica without a restart and without a query per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from pathlib import Path
from typing import cast

import asyncpg
import casbin

from services.core.tenancy import set_scope

log = logging.getLogger(__name__)

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
ROLES = ("alliance_admin", "org_admin", "member", "auditor", "partner")
CHANNEL = "alliance_roles"

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

    def __init__(self, policies_dir: Path = POLICIES_DIR) -> None:
        self.enforcer = casbin.Enforcer(str(policies_dir / "model.conf"), str(policies_dir / "policy.csv"))
        self.enforcer.enable_auto_save(False)
        self._loaded: set[uuid.UUID] = set()
        self._organizations: dict[tuple[uuid.UUID, uuid.UUID], frozenset[uuid.UUID]] = {}
        # Casbin's answers, kept until the role links change: an enforce walks the policy's
        # lines through an expression evaluator (≈0.5 ms), and every request asks again.
        self._decisions: dict[tuple[uuid.UUID, uuid.UUID, str, str], bool] = {}
        self._lock = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None
        self.tenants = TenantNames()

    async def ensure_tenant(self, pool: asyncpg.Pool, tenant_id: uuid.UUID) -> None:
        """Load a tenant's role assignments if this process has not yet."""
        if tenant_id not in self._loaded:
            await self.reload_tenant(pool, tenant_id)

    async def reload_tenant(self, pool: asyncpg.Pool, tenant_id: uuid.UUID) -> None:
        """Replace a tenant's role links with what the database holds now."""
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)
            await set_scope(conn, tenant_id=tenant_id)
            rows = await conn.fetch(_ROLE_ROWS, tenant_id)
        organizations: dict[uuid.UUID, set[uuid.UUID]] = {}
        for row in rows:
            if row["organization_id"] is not None:
                organizations.setdefault(row["account_id"], set()).add(row["organization_id"])
        async with self._lock:
            domain = str(tenant_id)
            self.enforcer.remove_filtered_grouping_policy(2, domain)
            rules = [[str(row["account_id"]), row["role"], domain] for row in rows]
            if rules:
                self.enforcer.add_grouping_policies(rules)
            for key in [k for k in self._organizations if k[0] == tenant_id]:
                del self._organizations[key]
            for account_id, org_ids in organizations.items():
                self._organizations[(tenant_id, account_id)] = frozenset(org_ids)
            self._decisions.clear()
            self._loaded.add(tenant_id)

    async def roles_of(
        self, pool: asyncpg.Pool, account_id: uuid.UUID, tenant_id: uuid.UUID
    ) -> frozenset[str]:
        """Roles of an account, loading the tenant if needed.

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
        """The organisations an account's roles in a tenant are attached to."""
        return self._organizations.get((tenant_id, account_id), frozenset())

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
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
        assert pool is not None
        try:
            while True:
                try:
                    await self._listen_once(dsn, pool)
                except (OSError, asyncpg.PostgresError) as exc:
                    log.warning("role listener lost its connection: %s", exc)
                await asyncio.sleep(1)
        finally:
            await pool.close()

    async def _listen_once(self, dsn: str, pool: asyncpg.Pool) -> None:
        conn = await asyncpg.connect(dsn)
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
            while not conn.is_closed():
                await asyncio.sleep(5)
                await conn.execute("SELECT 1")
        finally:
            with contextlib.suppress(Exception):
                await conn.close()
