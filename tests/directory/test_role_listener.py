"""Role changes reach a process even when its change listener loses its connection or stalls.

The listener reconnects after any error; and cached role links older than
``ROLE_CACHE_TTL_SECONDS`` are read again before use, so a revocation is refused within that
bound whatever happens to the listener (fail closed).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace

import asyncpg
import httpx

from services.core.authz import LISTENER_APPLICATION_NAME, Authorizer
from services.core.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, Tokens, error_code

AUDIT = "{ auditLog(first: 1) { totalCount } }"
TTL = 1
# The bound plus room for a loaded machine to answer a few requests.
WITHIN_BOUND = TTL + 4


async def _until(check: Callable[[], Awaitable[bool]], seconds: float) -> bool:
    """Poll ``check`` until it holds or ``seconds`` have passed; say whether it held."""
    deadline = time.monotonic() + seconds
    while True:
        if await check():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


async def _probe_with_auditor_role(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> str:
    """A fresh demo login holding MEMBER (so it stays signed in) and AUDITOR (to be revoked)."""
    login = f"probe-{uuid.uuid4().hex[:8]}"
    community = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = 'COMMUNITY' ORDER BY id LIMIT 1",
        demo["demo"],
    )
    for role, org in (("MEMBER", str(community)), ("AUDITOR", None)):
        granted = await gql(
            "mutation($i: GrantRoleInput!) { grantRole(input: $i) { grant { role } } }",
            {"i": {"login": login, "role": role, "organizationId": org}},
            login="alliance-admin",
        )
        assert granted.get("errors") is None, granted
    return login


async def _revoke_auditor(gql: GraphQLClient, login: str) -> None:
    revoked = await gql(
        "mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { grant { role } } }",
        {"i": {"login": login, "role": "AUDITOR"}},
        login="alliance-admin",
    )
    assert revoked.get("errors") is None, revoked


async def _listener_pids(admin_conn: asyncpg.Connection) -> set[int]:
    rows = await admin_conn.fetch(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1", LISTENER_APPLICATION_NAME
    )
    return {row["pid"] for row in rows}


async def test_revocation_is_refused_within_the_bound_after_the_listener_connection_is_killed(
    gql: GraphQLClient,
    tokens: Tokens,
    settings: Settings,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
) -> None:
    replica = RunningServer(replace(settings, role_cache_ttl_seconds=TTL))
    await replica.start()
    try:
        login = await _probe_with_auditor_role(gql, admin_conn, demo)
        token = await tokens(login)
        async with httpx.AsyncClient(base_url=replica.base_url, timeout=10) as client:

            async def code() -> str | None:
                response = await client.post(
                    "/graphql", json={"query": AUDIT}, headers={"authorization": f"Bearer {token}"}
                )
                return error_code(response.json())

            assert await code() is None  # the replica has loaded the tenant; the role works
            assert await _until(lambda: _has_listener(admin_conn), WITHIN_BOUND)
            killed = await _listener_pids(admin_conn)
            terminated = await admin_conn.fetch(
                "SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", list(killed)
            )
            assert all(row[0] for row in terminated)

            await _revoke_auditor(gql, login)

            async def refused() -> bool:
                return await code() == "FORBIDDEN"

            assert await _until(refused, WITHIN_BOUND), "the revoked role still works"

            async def reconnected() -> bool:
                return bool(await _listener_pids(admin_conn) - killed)

            # Every listener (this replica's and the shared server's) comes back on its own.
            assert await _until(reconnected, 30), "the role listener did not reconnect"
    finally:
        await replica.stop()


async def _has_listener(admin_conn: asyncpg.Connection) -> bool:
    return bool(await _listener_pids(admin_conn))


async def test_a_stalled_listener_fails_closed(
    gql: GraphQLClient,
    pool: asyncpg.Pool,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
) -> None:
    # This authorizer never listens: the worst case of a listener that hangs without an error.
    authorizer = Authorizer(role_cache_ttl_seconds=TTL)
    login = await _probe_with_auditor_role(gql, admin_conn, demo)
    account_id = await admin_conn.fetchval(
        "SELECT account_id FROM role_assignments WHERE tenant_id = $1 AND role = 'auditor'"
        " AND account_id IN (SELECT id FROM accounts WHERE login = $2)",
        demo["demo"],
        login,
    )
    assert "auditor" in await authorizer.roles_of(pool, account_id, demo["demo"])

    await _revoke_auditor(gql, login)

    async def refused() -> bool:
        roles = await authorizer.roles_of(pool, account_id, demo["demo"])
        return "auditor" not in roles and not authorizer.allows(account_id, demo["demo"], "audit", "read")

    assert await _until(refused, WITHIN_BOUND), "a revoked role outlived the cache bound"
