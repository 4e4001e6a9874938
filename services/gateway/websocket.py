"""The WebSocket side of the GraphQL view: graphql-transport-ws messages as text frames."""

from __future__ import annotations

from collections.abc import Mapping

import orjson
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected


class TextFrameWebSocket(ASGIWebSocketAdapter):
    """Sends every protocol message as a text frame.

    The view encodes JSON to bytes for HTTP (orjson), and Strawberry sends bytes as binary
    frames. graphql-transport-ws messages are JSON text: browsers' ``graphql-ws`` client (the
    one in GraphiQL) cannot parse a binary frame and drops the connection.
    """

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc
