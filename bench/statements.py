"""SQL statements one request sends, counted on the wire of the platform's own pool.

The app is built by the product's factory and driven in process (its lifespan runs: pool,
broker, Casbin, relay); its pool is opened with one connection, whose statements are logged.
Every statement counts: transaction bookkeeping, the tenant setting and the pool's reset on
release included.
"""

from __future__ import annotations

from dataclasses import replace

import httpx
from asyncpg.connection import LoggedQuery

from bench.load import Target
from services.core.settings import Settings
from services.gateway.app import create_app

_KINDS = (
    ("BEGIN", "begin"),
    ("COMMIT", "commit"),
    ("SELECT set_config(", "tenant setting"),
    ("SELECT pg_advisory_unlock_all()", "pool reset"),
)


def _kind(query: str) -> str:
    text = query.lstrip()
    return next((name for prefix, name in _KINDS if text.startswith(prefix)), "query")


async def statements_per_request(
    settings: Settings, targets: dict[str, Target]
) -> dict[str, tuple[int, str]]:
    """For each target: how many statements its request sent, and of which kinds."""
    app = create_app(replace(settings, db_pool_min=1, db_pool_max=1))
    logged: list[str] = []

    def log(record: LoggedQuery) -> None:
        logged.append(record.query)

    counts: dict[str, tuple[int, str]] = {}
    async with app.router.lifespan_context(app):
        pool = app.state.alliance.pool
        # The one connection of the pool (asyncpg keeps it in its first holder).
        pool._holders[0]._con.add_query_logger(log)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, target in targets.items():
                for _ in range(3):  # the first requests load the tenant's roles and types
                    logged.clear()
                    response = await client.post(target.path, content=target.body, headers=target.headers)
                    if response.status_code != 200 or b'"errors"' in response.content:
                        raise RuntimeError(f"{name} request failed: {response.text[:500]}")
                kinds: dict[str, int] = {}
                for query in logged:
                    kinds[_kind(query)] = kinds.get(_kind(query), 0) + 1
                counts[name] = (len(logged), ", ".join(f"{n} {k}" for k, n in kinds.items()))
    return counts
