"""Liveness and readiness endpoints."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from services.events.relay import RelayHealth
from services.gateway.state import AppState

# The oldest unsent row: how far the relay (this process's or a separate one) is behind.
_OLDEST_UNSENT_AGE = """
SELECT extract(epoch FROM now() - created_at)
FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1
"""


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving."""
    return JSONResponse({"status": "ok"})


async def _database_ready(state: AppState) -> bool:
    try:
        async with asyncio.timeout(2):
            return bool(await state.pool.fetchval("SELECT 1"))
    except Exception:
        return False


async def _outbox_age(state: AppState) -> float | None:
    """Seconds the oldest unsent event has waited (0 with none; None if unknown)."""
    try:
        async with asyncio.timeout(2):
            age = await state.pool.fetchval(_OLDEST_UNSENT_AGE)
    except Exception:
        return None
    return float(age or 0)


async def readyz(request: Request) -> JSONResponse:
    """The database and the broker are reachable and events flow (503 otherwise, naming
    what is wrong): no unsent event older than ``OUTBOX_MAX_AGE_SECONDS``, and this process's
    relay (if it runs one) has not been stuck or failing for longer than that."""
    state: AppState = request.app.state.alliance
    relay: RelayHealth | None = getattr(request.app.state, "relay_health", None)
    limit = state.settings.outbox_max_age_seconds
    database, broker, age = await asyncio.gather(
        _database_ready(state), state.broker.is_reachable(), _outbox_age(state)
    )
    checks = {
        "database": "ok" if database else "unavailable",
        "broker": "ok" if broker else "unavailable",
        "outbox": "unknown" if age is None else "ok" if age <= limit else "behind",
    }
    if relay is not None:
        checks["relay"] = "ok" if relay.stuck_for() <= limit else "stuck"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
