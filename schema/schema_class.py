"""The Strawberry schema, with every result's errors coded in one place."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled import CompiledReads
from schema.errors import classify_result
from schema.nodes import Nodes
from schema.observability import observe_result
from services.core.settings import Settings
from services.core.tracing import tracer
from services.domain import Platform

_TRACER = tracer(__name__)

HttpGuard = Callable[[Any, Mapping[str, str]], AbstractAsyncContextManager[Response | None]]
"""A domain's answer to an HTTP request before it is authenticated or parsed, from the schema
and the request's headers (None: go on), entered around the rest of the request (so a guard may
hold something, such as a turn, until the request is answered). A domain's GraphQL module
exports ``HTTP_GUARDS``."""


class AllianceSchema(strawberry.Schema):
    """Errors leave with ``extensions.code``; unexpected ones are logged once and masked.

    This wraps ``execute``/``subscribe`` rather than using an extension because parse
    errors leave Strawberry's operation hooks as exceptions, bypassing extensions.
    ``platform`` holds the domains that made the schema (and their event catalog), ``settings``
    the settings it was built with;
    ``compiled_reads`` the compiled path of its reads (``schema.compiled``); ``nodes`` the
    node types ``node(id)`` answers (``schema.nodes``); ``http_guards`` the domains' ``HttpGuard``s.
    """

    platform: Platform
    settings: Settings
    compiled_reads: CompiledReads
    nodes: Nodes
    http_guards: tuple[HttpGuard, ...] = ()

    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        # ``execute`` serves HTTP (subscriptions go through ``subscribe``). Strawberry lets a
        # plain POST carry a subscription, which then has nothing to stream and fails as an
        # internal error; refusing it here answers 400 with the reason instead.
        allowed = kwargs.get("allowed_operation_types")
        if allowed is not None:
            kwargs["allowed_operation_types"] = set(allowed) - {OperationType.SUBSCRIPTION}
        operation = kwargs.get("operation_name")
        started = time.perf_counter()
        with _TRACER.start_as_current_span(f"graphql {operation or 'anonymous'}") as span:
            result = await super().execute(*args, **kwargs)
            classify_result(result)
            observe_result(span, operation, result, time.perf_counter() - started)
        return result

    async def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Subscriptions (and ``subscribe``, which calls this) yield coded results too."""
        return _classified(await super().stream(*args, **kwargs))

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error here; ``classify`` logs only the unexpected ones."""


async def _classified(results: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
    try:
        async for result in results:
            classify_result(result)
            yield result
    finally:
        closer = getattr(results, "aclose", None)
        if closer is not None:
            await closer()
