"""What the lifespan opens and every request shares."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.core.authz import Authorizer
from services.core.broker import Broker
from services.core.settings import Settings
from services.events.live import LiveEventHub
from services.gateway.sessions import SessionWatcher


@dataclass(slots=True)
class AppState:
    """Process-wide resources, created once by the app's lifespan."""

    settings: Settings
    pool: asyncpg.Pool
    broker: Broker
    authorizer: Authorizer
    live_events: LiveEventHub
    sessions: SessionWatcher
