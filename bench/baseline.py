"""The practical limit: a plain Starlette endpoint running the single best SQL for the read query.

Not part of the product. It answers what ``query 1`` of the benchmark answers (the first
published resources of one tenant with title, capacity and the owner's name), byte for byte
the same JSON, from an app-role pool opened like the platform's (same DSN, size, codecs and
reset on release). Row-level security stays on: the tenant is a setting of the pool's
connections (``BENCH_TENANT_ID``), so a request costs one statement and the pool's reset.
Served by uvicorn with the platform's worker count:
``uvicorn bench.baseline:create_app --factory --workers 2``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.core.db import _init_connection, app_dsn
from services.core.settings import Settings

PAGE = """
SELECT r.id::text AS id, r.title, r.capacity, o.name AS owner_name
FROM resources r LEFT JOIN organizations o ON o.id = r.owner_org_id
WHERE r.status = 'PUBLISHED'
ORDER BY r.id
LIMIT $1
"""


def create_app() -> Starlette:
    settings = Settings.from_env()
    tenant_id = os.environ["BENCH_TENANT_ID"]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(
            app_dsn(settings),
            min_size=min(settings.db_pool_min, settings.db_pool_max),
            max_size=settings.db_pool_max,
            init=_init_connection,
            server_settings={"application_name": "alliance-bench-baseline", "app.tenant_id": tenant_id},
        )
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()

    async def resources(request: Request) -> Response:
        first = int(request.query_params.get("first", "50"))
        rows = await request.app.state.pool.fetch(PAGE, first)
        edges = [
            {
                "node": {
                    "id": row[0],
                    "title": row[1],
                    "capacity": row[2],
                    "owner": {"name": row[3]} if row[3] is not None else None,
                }
            }
            for row in rows
        ]
        return Response(
            orjson.dumps({"data": {"resources": {"edges": edges}}}), media_type="application/json"
        )

    return Starlette(routes=[Route("/resources", resources)], lifespan=lifespan)
