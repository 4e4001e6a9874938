"""GraphQL over WebSocket (graphql-transport-ws): bounded messages, callers checked while open.

Strawberry's protocol handler resolves the caller once, at ``connection_init``, and reads
messages of any size the server lets through. Here every message is held to the same size
limit as an HTTP body, the caller is registered as a session that the process re-checks
against the database (``services.gateway.sessions``), and each operation is checked before
it runs: a lapsed caller's operation is refused and the socket closed with 4403.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass
from json import JSONDecodeError
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.async_base_view import AsyncBaseHTTPView
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived, WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from schema.context import Context
from services.core.auth import token_expiry
from services.gateway.sessions import CLOSE_LAPSED, Session, SessionWatcher

CLOSE_TOO_BIG = 1009
"""RFC 6455 "message too big": the close code of a socket that sent an oversized message."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a client presents in its ``connection_init`` payload (header names, any case)."""

    authorization: str | None
    api_key: str | None
    tenant: str | None

    @classmethod
    def from_params(cls, params: Mapping[str, object] | None) -> Credentials:
        lowered = {str(k).lower(): v for k, v in (params or {}).items()}

        def text(name: str) -> str | None:
            value = lowered.get(name)
            return value if isinstance(value, str) else None

        return cls(authorization=text("authorization"), api_key=text("x-api-key"), tenant=text("x-tenant"))


def _too_big(text: str, limit: int) -> bool:
    # A character is at most 4 bytes in UTF-8: encode only when the length cannot decide.
    if len(text) > limit:
        return True
    return len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit


class LimitedWebSocketAdapter(ASGIWebSocketAdapter):
    """Reads JSON messages no larger than ``max_message_bytes`` (else closes with 1009).

    The server may hold its own limit (uvicorn's ``ws_max_size``, set by ``alliance serve``);
    this one holds whatever server runs the app.
    """

    def __init__(
        self,
        view: AsyncBaseHTTPView[Any, Any, Any, Any, Any, Any, Any],
        request: WebSocket,
        response: WebSocket,
        *,
        max_message_bytes: int,
    ) -> None:
        super().__init__(view, request, response)
        self.max_message_bytes = max_message_bytes

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        limit = self.max_message_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if _too_big(text, limit):
                    await self.close(CLOSE_TOO_BIG, f"message larger than {limit} bytes")
                    return
                try:
                    yield self.view.decode_json(text)
                except JSONDecodeError as exc:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from exc
        except KeyError as exc:  # a binary frame has no "text"
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        # Text frames: the view encodes JSON to bytes (orjson) for HTTP, and Strawberry would
        # send bytes as binary frames, which browsers' graphql-ws client (GraphiQL's) cannot
        # parse. graphql-transport-ws messages are JSON text.
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def close(self, code: int, reason: str) -> None:
        # The socket may already be closing (a lapsed session ends it from another task).
        with contextlib.suppress(RuntimeError):
            await super().close(code, reason)


class SessionTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the caller re-checked for as long as the socket is open."""

    session: Session | None = None

    @property
    def _watcher(self) -> SessionWatcher:
        watcher: SessionWatcher = self.context.request.app.state.alliance.sessions
        return watcher

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        principal = self.context.principal_or_none
        if self.connection_acknowledged and principal is not None and self.session is None:
            credentials = Credentials.from_params(self.context.connection_params)
            expires_at = None
            if principal.api_key_id is None:
                expires_at = token_expiry(self.context.settings, credentials.authorization)
            self.session = Session(principal=principal, expires_at=expires_at, end=self._end_session)
            self._watcher.open(self.session)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.session is not None:
            reason = await self._watcher.verify(self.session)
            if reason is not None:
                error = GraphQLError(
                    f"session ended: {reason}; connect again", extensions={"code": "UNAUTHENTICATED"}
                )
                await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
                await self.session.end(reason)
                return
        await super().handle_subscribe(message)

    async def shutdown(self) -> None:
        if self.session is not None:
            self._watcher.close(self.session)
        await super().shutdown()

    async def _end_session(self, reason: str) -> None:
        """Stop every operation of the socket, then close it with 4403."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        await self.websocket.close(CLOSE_LAPSED, f"Forbidden: {reason}")
