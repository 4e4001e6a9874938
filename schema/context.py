"""The per-request context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from services.core.broker import Broker
from services.core.settings import Settings


@dataclass(slots=True)
class Context:
    """Request-scoped: the HTTP request, shared resources, and (later) the principal."""

    request: Request | WebSocket
    response: Response | WebSocket
    settings: Settings
    pool: asyncpg.Pool
    broker: Broker


Info = StrawberryInfo[Context, Any]
