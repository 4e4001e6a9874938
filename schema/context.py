"""The per-request context every resolver receives."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from services.core.authz import Authorizer
from services.core.broker import Broker
from services.core.errors import DomainError, Unauthenticated
from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import tenant_transaction
from services.events.live import LiveEventHub


@dataclass(slots=True)
class Context:
    """Request-scoped: the HTTP request, shared resources, the caller and the loaders."""

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
        """A transaction scoped (row-level security) to the caller's tenant."""
        async with tenant_transaction(self.pool, self.principal) as conn:
            yield conn


Info = StrawberryInfo[Context, Any]
