"""A small graphql-transport-ws client for tests, over a real WebSocket."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import orjson
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from services.core.settings import Settings
from services.gateway.app import create_app
from tests.conftest import GraphQLClient, RunningServer, error_code

EVENTS = "subscription { events { id type } }"
HANG_GUARD = 8.0
"""Seconds to wait for a close that must come within 5 s; only a guard against hanging."""


def ws_url(server: RunningServer) -> str:
    return server.base_url.replace("http", "ws") + "/graphql"


async def open_socket(server: RunningServer, payload: dict[str, object]) -> ClientConnection:
    """A socket past ``connection_init`` (acknowledged) with ``payload`` as credentials."""
    ws = await connect(ws_url(server), subprotocols=["graphql-transport-ws"], max_size=None)  # type: ignore[list-item]
    await ws.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
    ack = orjson.loads(await asyncio.wait_for(ws.recv(), HANG_GUARD))
    assert ack["type"] == "connection_ack", ack
    return ws


async def send_operation(
    ws: ClientConnection, op_id: str, query: str, variables: dict[str, object] | None = None
) -> None:
    message = {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
    await ws.send(orjson.dumps(message).decode())


async def answer(ws: ClientConnection, op_id: str) -> dict[str, object]:
    """The next message about operation ``op_id`` (other operations' messages are skipped)."""
    while True:
        message: dict[str, object] = orjson.loads(await asyncio.wait_for(ws.recv(), HANG_GUARD))
        if message.get("id") == op_id:
            return message


async def close_code(ws: ClientConnection, within: float = HANG_GUARD) -> int | None:
    """Read until the server closes the socket; its close code."""
    try:
        async with asyncio.timeout(within):
            while True:
                await ws.recv()
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


async def new_auditor(gql: GraphQLClient) -> str:
    """A fresh account holding only the auditor role in ``demo``; its login."""
    login = f"ws-{uuid.uuid4().hex[:10]}"
    body = await gql(
        "mutation($login: String!) { grantRole(input: {login: $login, role: AUDITOR}) { grant { login } } }",
        {"login": login},
        login="alliance-admin",
    )
    assert error_code(body) is None, body
    return login


async def revoke_auditor(gql: GraphQLClient, login: str) -> None:
    body = await gql(
        "mutation($login: String!) { revokeRole(input: {login: $login, role: AUDITOR}) { grant { login } } }",
        {"login": login},
        login="alliance-admin",
    )
    assert error_code(body) is None, body


async def new_api_key(gql: GraphQLClient) -> tuple[str, str]:
    """A fresh partner key of ``demo``: (id, secret)."""
    body = await gql(
        'mutation { createApiKey(input: {name: "ws test"}) { apiKey { id } secret } }', login="alliance-admin"
    )
    created = body["data"]["createApiKey"]  # type: ignore[index]
    return str(created["apiKey"]["id"]), str(created["secret"])


async def revoke_api_key(gql: GraphQLClient, key_id: str) -> None:
    body = await gql(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
        {"id": key_id},
        login="alliance-admin",
    )
    assert error_code(body) is None, body


class _Replica(RunningServer):
    """A further app instance on the test database: what another replica would hold (its own
    pool, role cache and sessions). The outbox relay and workers stay with the main server."""

    def __init__(self, settings: Settings, *, session_check_interval: float) -> None:
        super().__init__(settings)
        own = replace(settings, relay_in_server=False, workers_in_server=())
        config = uvicorn.Config(
            create_app(own, session_check_interval=session_check_interval),
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)


@asynccontextmanager
async def replica(settings: Settings, *, session_check_interval: float = 1.0) -> AsyncIterator[RunningServer]:
    """Another app instance serving the same database, for as long as the block runs."""
    running = _Replica(settings, session_check_interval=session_check_interval)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
