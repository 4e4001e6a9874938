"""The per-request context every resolver receives."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension
from strawberry.types import Info as StrawberryInfo
from strawberry.types.graphql import OperationType

from services.core.authz import Authorizer
from services.core.broker import Broker
from services.core.errors import DomainError, Unauthenticated
from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import ReadSession, tenant_transaction
from services.events.live import LiveEventHub


@dataclass(slots=True)
class Context:
    """Operation-scoped: the request, shared resources, the caller and the loaders.

    Over HTTP a request is one operation. A WebSocket carries many, for as long as it stays
    open: its context holds the connection's caller, and each operation runs on a copy of
    its own (``for_operation``), so loaders' caches and "now" never outlive an operation.
    """

    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    pool: asyncpg.Pool
    broker: Broker
    authorizer: Authorizer
    live_events: LiveEventHub
    principal_or_none: Principal | None = None
    auth_error: DomainError | None = None
    connection_params: dict[str, Any] | None = None
    loaders: dict[str, Any] = field(default_factory=dict)
    shared_reads: bool = False
    _reads: ReadSession | None = None

    def for_operation(self) -> Context:
        """A fresh context for one operation of this connection: same caller, empty caches."""
        return replace(self, loaders={}, shared_reads=False, _reads=None)

    @property
    def principal(self) -> Principal:
        """The authenticated caller; UNAUTHENTICATED when there is none."""
        if self.auth_error is not None:
            raise self.auth_error
        if self.principal_or_none is None:
            raise Unauthenticated("authentication required")
        return self.principal_or_none

    @contextlib.asynccontextmanager
    async def db(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection scoped (row-level security) to the caller's tenant: in a query, the
        request's one read session; otherwise a transaction of its own."""
        if self.shared_reads:
            if self._reads is None:
                self._reads = ReadSession(self.pool, self.principal)
            async with self._reads.connection() as conn:
                yield conn
            return
        async with tenant_transaction(self.pool, self.principal) as conn:
            yield conn

    async def end_reads(self) -> None:
        """Give back the read session's connection (the request's reads are over)."""
        self.shared_reads = False
        reads, self._reads = self._reads, None
        if reads is not None:
            await reads.close()

    def allows(self, obj: str, act: str) -> bool:
        """Casbin's answer for the caller (UNAUTHENTICATED when there is none)."""
        principal = self.principal
        return self.authorizer.allows(principal.account_id, principal.tenant_id, obj, act)


class OperationScope(SchemaExtension):
    """Each operation gets its own context; a query reads through one connection.

    An operation sent over a WebSocket runs on a context of its own (the socket's context
    stays the connection's). A query reads through one connection, scoped once and given
    back at the end; mutations keep a transaction per call, subscriptions too.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and isinstance(context.request, WebSocket):
            self.execution_context.context = context.for_operation()
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        shared = isinstance(context, Context) and self.execution_context.operation_type is OperationType.QUERY
        if shared:
            context.shared_reads = True
        try:
            yield
        finally:
            if shared:
                await context.end_reads()


Info = StrawberryInfo[Context, Any]
