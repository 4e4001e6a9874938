"""The gateway's observability: ``/metrics``, the pool sampler and the HTTP tracing middleware."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from services.core.metrics import exposition_registry, mark_process_dead
from services.core.pool_metrics import sample_pool
from services.core.tracing import tracing_enabled

# How often each process writes its pool's occupancy: often enough for a scrape every 15 s,
# and never on the request path.
POOL_SAMPLE_INTERVAL = 1.0


async def metrics(request: Request) -> Response:
    """The Prometheus text exposition: this process's series, or every worker's summed."""
    body = await asyncio.to_thread(generate_latest, exposition_registry())
    return Response(body, media_type=CONTENT_TYPE_LATEST)


@contextlib.asynccontextmanager
async def observed_process(
    pool: asyncpg.Pool, *, interval: float = POOL_SAMPLE_INTERVAL
) -> AsyncIterator[None]:
    """Sample ``pool`` while the block runs; on exit drop this worker's live gauges."""
    sampler = asyncio.create_task(sample_pool(pool, interval=interval), name="pool-metrics")
    try:
        yield
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
        mark_process_dead(os.getpid())


def tracing_middleware() -> list[Middleware]:
    """The OpenTelemetry ASGI middleware when traces are on (nothing otherwise)."""
    if not tracing_enabled():
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    return [
        Middleware(
            OpenTelemetryMiddleware,
            excluded_urls="healthz,readyz,metrics",
            exclude_spans=["receive", "send"],
        )
    ]
