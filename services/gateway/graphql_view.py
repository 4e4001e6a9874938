"""The Strawberry ASGI view, adapted: JSON errors with codes, 400 for rejected requests,
WebSocket sessions bounded and re-checked (``services.gateway.websocket``)."""

from __future__ import annotations

import functools
import time
from contextlib import AsyncExitStack
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.ides import GraphQL_IDE
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from schema.compiled import CompiledReads
from schema.context import Context
from schema.errors import is_request_error
from services.core.auth import authenticate
from services.core.errors import DomainError
from services.core.logging import note_request_tenant
from services.core.metrics import observe_graphql
from services.core.tracing import tracer
from services.gateway.console.page import Console
from services.gateway.middleware import graphql_error_body
from services.gateway.state import AppState
from services.gateway.websocket import Credentials, LimitedWebSocketAdapter, SessionTransportWSHandler

_TRACER = tracer(__name__)
_HTTP_ERROR_CODES = {405: "METHOD_NOT_ALLOWED", 404: "NOT_FOUND"}


async def _authenticate(
    context: Context, *, authorization: str | None, api_key: str | None, tenant: str | None
) -> None:
    """Resolve the caller; a bad credential is kept and raised by the first permission check."""
    try:
        context.principal_or_none = await authenticate(
            pool=context.pool,
            authorizer=context.authorizer,
            settings=context.settings,
            authorization=authorization,
            api_key=api_key,
            tenant_header=tenant,
        )
    except DomainError as exc:
        context.auth_error = exc
        return
    if context.principal_or_none is not None:
        note_request_tenant(context.principal_or_none.tenant_slug)


class AllianceGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP (GET, POST) and WebSocket (graphql-transport-ws only: the legacy
    graphql-ws protocol would bypass the session checks)."""

    graphql_transport_ws_handler_class = SessionTransportWSHandler
    console: Console | None = None

    def __init__(
        self, schema: BaseSchema, *, graphql_ide: GraphQL_IDE | None, max_message_bytes: int
    ) -> None:
        super().__init__(
            schema, graphql_ide=graphql_ide, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,)
        )
        self.websocket_adapter_class = functools.partial(  # type: ignore[assignment]
            LimitedWebSocketAdapter, max_message_bytes=max_message_bytes
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        """The developer console, served from the platform (no public CDN)."""
        assert self.console is not None, "the console is rendered only when GRAPHQL_IDE is on"
        return self.console.page()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        async with AsyncExitStack() as guarded:
            for guard in getattr(self.schema, "http_guards", ()):
                refused = await guarded.enter_async_context(guard(self.schema, request.headers))
                if refused is not None:
                    await refused(scope, receive, send)
                    return
            await self._answer(request, scope, receive, send)

    async def _answer(self, request: Request, scope: Scope, receive: Receive, send: Send) -> None:
        compiled = await self._compiled(request)
        if compiled is not None:
            await compiled(scope, receive, send)
            return
        try:
            response = await self.run(request)
        except HTTPException as exc:
            code = _HTTP_ERROR_CODES.get(exc.status_code, "BAD_REQUEST")
            response = Response(
                graphql_error_body(exc.reason, code),
                status_code=exc.status_code,
                media_type="application/json",
            )
        status = getattr(request.state, "graphql_status", None)
        if status is not None and response.status_code == 200:
            response.status_code = status
        await response(scope, receive, send)

    async def _compiled(self, request: Request) -> Response | None:
        """The answer of a read whose plan is cached, in one statement (``schema.compiled``);
        None when the interpreter answers (and may then teach the plan cache, see
        ``process_result``)."""
        reads: CompiledReads = self.schema.compiled_reads  # type: ignore[attr-defined]
        if not reads.enabled or request.method != "POST":
            return None
        started = time.perf_counter()
        if "application/json" not in request.headers.get("content-type", ""):
            return None
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict):
            return None
        query, operation_name = payload.get("query"), payload.get("operationName")
        variables = payload.get("variables") or {}
        if not isinstance(query, str) or not isinstance(variables, dict):
            return None
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        context = await self.get_context(request, None)
        principal = context.principal_or_none
        if principal is None or context.auth_error is not None:
            return None
        if principal.api_key_id is not None:
            # Partner keys pass the partners domain's admission (allow-list, rate and cost
            # limits), which runs in the interpreter's extensions: never around it.
            return None
        seen, plan = reads.cached(query, operation_name, principal)
        if not seen:
            request.state.compile_candidate = (query, operation_name)
            return None
        if plan is None:
            return None
        with _TRACER.start_as_current_span(f"graphql {operation_name or 'anonymous'}"):
            body = await reads.answer(plan, variables, principal, context.pool)
        if body is None:
            return None
        # Counted like the interpreter's answers (schema_class), which this one stands in for.
        observe_graphql(operation_name, "ok", time.perf_counter() - started, ())
        return Response(body, media_type="application/json")

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        if isinstance(request, Request):
            # Made (and the caller authenticated) once per request, by the compiled path first.
            made: Context | None = getattr(request.state, "alliance_context", None)
            if made is not None:
                made.response = response
                return made
        state: AppState = request.app.state.alliance
        context = Context(
            request=request,
            response=response,
            settings=state.settings,
            pool=state.pool,
            broker=state.broker,
            authorizer=state.authorizer,
            live_events=state.live_events,
        )
        if isinstance(request, Request):
            await _authenticate(
                context,
                authorization=request.headers.get("authorization"),
                api_key=request.headers.get("x-api-key"),
                tenant=request.headers.get("x-tenant"),
            )
            request.state.alliance_context = context
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A socket authenticates with the ``connection_init`` payload; the caller is then
        re-checked while the socket lasts (``SessionTransportWSHandler``)."""
        credentials = Credentials.from_params(context.connection_params)
        await _authenticate(
            context,
            authorization=credentials.authorization,
            api_key=credentials.api_key,
            tenant=credentials.tenant,
        )
        if context.auth_error is not None:
            raise ConnectionRejectionError({"message": context.auth_error.message})
        unset: UnsetType = UNSET
        return unset

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        candidate = getattr(request.state, "compile_candidate", None)
        if candidate is not None and not result.errors and result.data is not None:
            # Answered by the interpreter without errors: valid, within every limit, and a
            # read this role set may make. Compile it for the next requests.
            context: Context = request.state.alliance_context
            reads: CompiledReads = self.schema.compiled_reads  # type: ignore[attr-defined]
            query, operation_name = candidate
            reads.learn(query, operation_name, context.principal, context.allows)
        if result.data is None and result.errors and all(map(is_request_error, result.errors)):
            request.state.graphql_status = 400
        return processed

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)
