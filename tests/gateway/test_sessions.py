"""A WebSocket session ends (close 4403) when its caller's credential lapses, on every replica."""

from __future__ import annotations

import asyncio
import time
from typing import cast

import asyncpg
import jwt
import pytest
from starlette.applications import Starlette

from services.core.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, Tokens, error_code
from tests.gateway.ws_client import (
    EVENTS,
    HANG_GUARD,
    answer,
    close_code,
    new_api_key,
    new_auditor,
    open_socket,
    replica,
    revoke_api_key,
    revoke_auditor,
    send_operation,
)

ACTIVITY = "{ activity(first: 1) { totalCount } }"


async def test_socket_closes_when_its_token_expires(
    server: RunningServer, gql: GraphQLClient, tokens: Tokens, settings: Settings
) -> None:
    login = await new_auditor(gql)
    token = await tokens(login, jwt_ttl_seconds=3)
    ws = await open_socket(server, {"Authorization": f"Bearer {token}"})
    await send_operation(ws, "live", EVENTS)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    remaining = max(expires - time.time(), 0)
    assert await close_code(ws, within=remaining + HANG_GUARD) == 4403


async def test_socket_closes_when_its_api_key_is_revoked(
    server: RunningServer, gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, secret = await new_api_key(gql)
    ws = await open_socket(server, {"X-Api-Key": secret})
    await send_operation(ws, "live", EVENTS)
    await revoke_api_key(gql, key_id)
    assert await close_code(ws) == 4403


async def test_revoking_an_api_key_removes_the_partner_role_it_granted(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, secret = await new_api_key(gql)
    assert error_code(await gql(ACTIVITY, headers={"x-api-key": secret})) is None
    await revoke_api_key(gql, key_id)
    roles = await admin_conn.fetchval(
        "SELECT count(*) FROM role_assignments r JOIN api_keys k"
        " ON k.account_id = r.account_id AND k.tenant_id = r.tenant_id WHERE k.id = $1::uuid",
        key_id,
    )
    assert roles == 0
    assert error_code(await gql(ACTIVITY, headers={"x-api-key": secret})) == "UNAUTHENTICATED"


async def test_socket_closes_when_its_only_role_is_revoked(
    server: RunningServer, gql: GraphQLClient, tokens: Tokens
) -> None:
    login = await new_auditor(gql)
    ws = await open_socket(server, {"Authorization": f"Bearer {await tokens(login)}"})
    await send_operation(ws, "live", EVENTS)
    await revoke_auditor(gql, login)
    assert await close_code(ws) == 4403


async def test_an_operation_after_revocation_is_refused(
    gql: GraphQLClient, tokens: Tokens, settings: Settings
) -> None:
    # A replica that re-checks its sockets only once an hour: what refuses the operation
    # here is the check made before every operation, not the periodic one.
    async with replica(settings, session_check_interval=3600) as other:
        login = await new_auditor(gql)
        ws = await open_socket(other, {"Authorization": f"Bearer {await tokens(login)}"})
        await send_operation(ws, "before", ACTIVITY)
        before = await answer(ws, "before")
        assert before["type"] == "next" and "errors" not in before["payload"], before  # type: ignore[operator]
        await revoke_auditor(gql, login)
        await send_operation(ws, "after", ACTIVITY)
        refused = await answer(ws, "after")
        assert refused["type"] == "error", refused
        assert refused["payload"][0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]
        assert await close_code(ws) == 4403


@pytest.mark.parametrize("credential", ["role", "api key"])
async def test_a_revocation_through_one_replica_closes_sockets_on_another(
    credential: str, gql: GraphQLClient, tokens: Tokens, settings: Settings
) -> None:
    async with replica(settings) as other:
        if credential == "role":
            login = await new_auditor(gql)
            ws = await open_socket(other, {"Authorization": f"Bearer {await tokens(login)}"})
            await send_operation(ws, "live", EVENTS)
            await revoke_auditor(gql, login)  # through the main server
        else:
            key_id, secret = await new_api_key(gql)
            ws = await open_socket(other, {"X-Api-Key": secret})
            await send_operation(ws, "live", EVENTS)
            await revoke_api_key(gql, key_id)
        assert await close_code(ws) == 4403


async def test_a_socket_whose_caller_keeps_its_roles_stays_open(
    server: RunningServer, gql: GraphQLClient, tokens: Tokens
) -> None:
    login = await new_auditor(gql)
    ws = await open_socket(server, {"Authorization": f"Bearer {await tokens(login)}"})
    await send_operation(ws, "live", EVENTS)
    await revoke_auditor(gql, await new_auditor(gql))  # someone else's revocation
    app = cast(Starlette, server.server.config.app)
    sessions = app.state.alliance.sessions
    seen = sessions.rounds
    async with asyncio.timeout(HANG_GUARD):
        while sessions.rounds < seen + 2:  # noqa: ASYNC110  (polled: the periodic check ran)
            await asyncio.sleep(0.05)
    await send_operation(ws, "query", ACTIVITY)
    message = await answer(ws, "query")
    assert message["type"] == "next" and "errors" not in message["payload"], message  # type: ignore[operator]
    await ws.close()
