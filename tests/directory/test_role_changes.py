"""A role change takes effect on every running gateway without a restart."""

from __future__ import annotations

import httpx

from services.core.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, Tokens, error_code
from tests.support.polling import eventually

AUDIT = "{ auditLog(first: 1) { totalCount } }"


async def _code_on(server: RunningServer, token: str) -> str | None:
    async with httpx.AsyncClient(base_url=server.base_url) as client:
        response = await client.post(
            "/graphql", json={"query": AUDIT}, headers={"authorization": f"Bearer {token}"}
        )
        return error_code(response.json())


async def _eventually(server: RunningServer, token: str, expected: str | None) -> str | None:
    return await eventually(lambda: _code_on(server, token), lambda code: code == expected, interval=0.1)


async def test_grant_and_revoke_reach_another_replica(
    gql: GraphQLClient, tokens: Tokens, settings: Settings, server: RunningServer
) -> None:
    replica = RunningServer(settings)
    await replica.start()
    try:
        street = await tokens("street-admin")
        assert await _code_on(replica, street) == "FORBIDDEN"  # loads the tenant on the replica

        granted = await gql(
            'mutation { grantRole(input: {login: "street-admin", role: AUDITOR}) { grant { role } } }',
            login="alliance-admin",
        )
        assert granted.get("errors") is None, granted
        assert await _eventually(replica, street, None) is None

        revoked = await gql(
            'mutation { revokeRole(input: {login: "street-admin", role: AUDITOR}) { grant { role } } }',
            login="alliance-admin",
        )
        assert revoked.get("errors") is None, revoked
        assert await _eventually(replica, street, "FORBIDDEN") == "FORBIDDEN"
    finally:
        await replica.stop()
