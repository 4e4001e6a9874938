"""Liveness and readiness endpoints."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse

from services.gateway.state import AppState


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and serving."""
    return JSONResponse({"status": "ok"})


async def _database_ready(state: AppState) -> bool:
    try:
        async with asyncio.timeout(2):
            return bool(await state.pool.fetchval("SELECT 1"))
    except Exception:
        return False


async def readyz(request: Request) -> JSONResponse:
    """The database and the broker are reachable (503 otherwise, naming which is not)."""
    state: AppState = request.app.state.alliance
    database, broker = await asyncio.gather(_database_ready(state), state.broker.is_reachable())
    checks = {
        "database": "ok" if database else "unavailable",
        "broker": "ok" if broker else "unavailable",
    }
    ready = database and broker
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
