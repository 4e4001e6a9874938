"""ASGI middleware: request ids and access log lines, and request size limits."""

from __future__ import annotations

import logging
import re
import time
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.logging import RequestNotes, request_id_var, request_notes_var

access_log = logging.getLogger("alliance.access")

_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def graphql_error_body(message: str, code: str) -> bytes:
    """A GraphQL-shaped error document for failures outside GraphQL execution.

    The message may quote the request (an unknown operation name): a lone surrogate there
    cannot be encoded as UTF-8, so it is replaced rather than failing the response.
    """
    safe = message.encode("utf-8", "replace").decode()
    return orjson.dumps({"errors": [{"message": safe, "extensions": {"code": code}}]})


async def send_error(send: Send, status: int, message: str, code: str) -> None:
    body = graphql_error_body(message, code)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Give each request an id (the client's ``X-Request-ID`` if sane), log one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _CLIENT_REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        notes = RequestNotes()
        notes_token = request_notes_var.set(notes)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                scope.get("method", "WS"),
                scope["path"],
                status,
                extra={
                    "method": scope.get("method", "WS"),
                    "path": scope["path"],
                    "status": status,
                    "tenant": notes.tenant,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_notes_var.reset(notes_token)
            request_id_var.reset(token)


class BodyLimitMiddleware:
    """Refuse request bodies and query strings over ``max_bytes`` with a 4xx GraphQL error."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, max_query_string_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_query_string_bytes = max_query_string_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("query_string", b"")) > self.max_query_string_bytes:
            limit = self.max_query_string_bytes
            await send_error(send, 414, f"Query string over {limit} bytes.", "BAD_REQUEST")
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                await send_error(send, 400, "Invalid Content-Length.", "BAD_REQUEST")
                return
            if too_large:
                await send_error(send, 413, f"Request body over {self.max_bytes} bytes.", "PAYLOAD_TOO_LARGE")
                return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await send_error(send, 413, f"Request body over {self.max_bytes} bytes.", "PAYLOAD_TOO_LARGE")


class _BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the limit."""
