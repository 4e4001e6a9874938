"""GraphQL over WebSocket (graphql-transport-ws), with a deadline on every receive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import RunningServer

RECEIVE_TIMEOUT = 10.0
"""How long any receive waits: a message that never comes fails the test, it does not hang it."""


def ws_url(server: RunningServer) -> str:
    return server.base_url.replace("http", "ws") + "/graphql"


async def send(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(orjson.dumps(message).decode())


async def receive(ws: ClientConnection, within: float = RECEIVE_TIMEOUT) -> dict[str, Any]:
    """The next message; TimeoutError after ``within`` seconds."""
    message: dict[str, Any] = orjson.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def open_socket(server: RunningServer) -> ClientConnection:
    """A connection speaking graphql-transport-ws, not yet initialised."""
    return await connect(ws_url(server), subprotocols=["graphql-transport-ws"], open_timeout=RECEIVE_TIMEOUT)  # type: ignore[list-item]


async def handshake(ws: ClientConnection, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send ``connection_init`` (without a payload when ``payload`` is None); return the answer."""
    init: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        init["payload"] = payload
    await send(ws, init)
    return await receive(ws)


async def subscribe(
    ws: ClientConnection, query: str, variables: dict[str, Any] | None = None, op_id: str = "1"
) -> None:
    await send(
        ws, {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
    )


@contextlib.asynccontextmanager
async def graphql_ws(
    server: RunningServer, payload: dict[str, Any] | None = None
) -> AsyncIterator[ClientConnection]:
    """An acknowledged graphql-transport-ws connection for the block."""
    ws = await open_socket(server)
    try:
        ack = await handshake(ws, payload)
        assert ack["type"] == "connection_ack", ack
        yield ws
    finally:
        await ws.close()


def bearer(token: str) -> dict[str, str]:
    """The ``connection_init`` payload that authenticates with ``token``."""
    return {"Authorization": f"Bearer {token}"}
