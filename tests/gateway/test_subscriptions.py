"""Subscriptions over graphql-transport-ws, through a real WebSocket."""

from __future__ import annotations

import asyncio

import orjson

from tests.conftest import RunningServer
from tests.support.ws import RECEIVE_TIMEOUT, graphql_ws, open_socket, receive, send, subscribe


async def test_heartbeat_subscription_streams_and_completes(server: RunningServer) -> None:
    async with graphql_ws(server, {}) as ws:
        await subscribe(ws, "subscription { heartbeat(count: 2) }")
        messages = [await receive(ws) for _ in range(3)]
    assert [m["type"] for m in messages] == ["next", "next", "complete"]
    assert all(m["payload"]["data"]["heartbeat"] for m in messages[:2])


async def test_subscription_bad_argument_has_code(server: RunningServer) -> None:
    async with graphql_ws(server) as ws:  # connection_init without a payload
        await subscribe(ws, "subscription { heartbeat(count: 0) }")
        message = await receive(ws)
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_protocol_messages_are_text_frames(server: RunningServer) -> None:
    """Browsers' graphql-ws client parses text frames only; a binary ack breaks GraphiQL."""
    ws = await open_socket(server)
    try:
        await send(ws, {"type": "connection_init", "payload": {}})
        ack = await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT)
        await subscribe(ws, "subscription { heartbeat(count: 1) }")
        following = [await asyncio.wait_for(ws.recv(), RECEIVE_TIMEOUT) for _ in range(2)]
    finally:
        await ws.close()
    assert isinstance(ack, str)
    assert orjson.loads(ack) == {"type": "connection_ack"}
    assert all(isinstance(message, str) for message in following)
