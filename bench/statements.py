"""SQL statements one request sends, counted on the wire of the platform's own pool.

The app is built by the product's factory and driven in process (its lifespan runs: pool,
broker, Casbin, relay); its pool is opened with one connection, whose statements are logged.
Every statement counts: transaction bookkeeping, the tenant setting and the pool's reset on
release included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import httpx
from asyncpg.connection import LoggedQuery
from starlette.applications import Starlette
from starlette.routing import Route

from bench.load import Target
from schema.compiled import CompiledReads
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


@dataclass(frozen=True, slots=True)
class Statements:
    """What one request of a scenario sent, once warm, and whether it was compiled."""

    count: int
    detail: str
    compiled: bool
    cold_compile_ms: float | None  # what compiling its document cost, the first time


def compiled_reads(app: Starlette) -> CompiledReads:
    """The compiled path of an app made by the product's factory."""
    view = next(r.endpoint for r in app.routes if isinstance(r, Route) and r.path == "/graphql")
    reads: CompiledReads = view.schema.compiled_reads  # type: ignore[attr-defined]
    return reads


async def statements_per_request(settings: Settings, targets: dict[str, Target]) -> dict[str, Statements]:
    """For each target: how many statements its request sent, of which kinds, and whether
    the compiled path answered it."""
    app = create_app(replace(settings, db_pool_min=1, db_pool_max=1))
    logged: list[str] = []

    def log(record: LoggedQuery) -> None:
        logged.append(record.query)

    counts: dict[str, Statements] = {}
    reads = compiled_reads(app)
    async with app.router.lifespan_context(app):
        pool = app.state.alliance.pool
        # The one connection of the pool (asyncpg keeps it in its first holder).
        pool._holders[0]._con.add_query_logger(log)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, target in targets.items():
                compiled_before = reads.figures.compiled
                for _ in range(3):  # the first requests load the tenant's roles and compile
                    answered = reads.figures.answered
                    logged.clear()
                    response = await client.post(target.path, content=target.body, headers=target.headers)
                    if response.status_code != 200 or b'"errors"' in response.content:
                        raise RuntimeError(f"{name} request failed: {response.text[:500]}")
                kinds: dict[str, int] = {}
                for query in logged:
                    kinds[_kind(query)] = kinds.get(_kind(query), 0) + 1
                cold = reads.figures.last_compile_ms if reads.figures.compiled > compiled_before else None
                counts[name] = Statements(
                    len(logged),
                    ", ".join(f"{n} {k}" for k, n in kinds.items()),
                    compiled=reads.figures.answered > answered,
                    cold_compile_ms=cold,
                )
    return counts
