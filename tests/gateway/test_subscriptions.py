"""Subscriptions over graphql-transport-ws, through a real WebSocket."""

from __future__ import annotations

from tests.conftest import RunningServer
from tests.support.ws import graphql_ws, receive, subscribe


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
    url = server.base_url.replace("http", "ws") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        ack = await ws.recv()
        await ws.send(
            orjson.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "subscription { heartbeat(count: 1) }"}}
            ).decode()
        )
        following = [await ws.recv() for _ in range(2)]
    assert isinstance(ack, str)
    assert orjson.loads(ack) == {"type": "connection_ack"}
    assert all(isinstance(message, str) for message in following)
