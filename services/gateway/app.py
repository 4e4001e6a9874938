"""The composition root: one factory builds the Starlette app and its lifespan."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from schema import build_schema
from services.core.authz import Authorizer
from services.core.broker import Broker
from services.core.db import app_dsn, create_pool
from services.core.logging import configure_logging, install_request_id_factory
from services.core.settings import Settings
from services.core.tracing import configure_tracing
from services.domain import Platform
from services.events.live import LiveEventHub
from services.gateway.background import event_processes
from services.gateway.console.page import PREFIX as CONSOLE_PREFIX
from services.gateway.console.page import Console
from services.gateway.graphql_view import AllianceGraphQL
from services.gateway.health import healthz, readyz
from services.gateway.middleware import BodyLimitMiddleware, RequestContextMiddleware
from services.gateway.observability import metrics, observed_process, tracing_middleware
from services.gateway.sessions import SessionWatcher
from services.gateway.state import AppState


def freeze_startup_objects() -> None:
    """Leave the objects of a started server out of Python's garbage collections, once per process.

    A full collection walks every tracked object, and a started server holds some 140,000 that
    live as long as it does (its GraphQL schema, the modules, the policies).
    Under a steady 50 requests a second each worker stopped for 100–145 ms about every 45 s to
    walk them, and every request of that moment waited (``make bench-burst``'s key B, measured
    2026-12-01). Frozen (``gc.freeze``), they are no longer walked; garbage made later is still
    collected. Once: a process that starts another app (the tests) does not freeze again.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()


def create_app(
    settings: Settings | None = None,
    platform: Platform | None = None,
    *,
    session_check_interval: float = 1.0,
) -> Starlette:
    """Build the app of ``platform``'s domains (the platform's list by default); nothing
    connects until the lifespan starts.

    ``session_check_interval``: seconds between re-checks of the open WebSocket sessions'
    callers against the database (a lapsed one is closed within about that much).
    """
    if settings is None:
        settings = Settings.from_env().with_jwt_secret_from_data_dir()
        configure_logging(settings.log_level, json=settings.log_json)
        configure_tracing("alliance-gateway")
    if platform is None:
        platform = Platform.default()
    install_request_id_factory()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await create_pool(settings)
        broker = Broker(settings)
        await broker.start()
        authorizer = Authorizer(role_cache_ttl_seconds=settings.role_cache_ttl_seconds)
        await authorizer.start_listening(app_dsn(settings))
        live_events = LiveEventHub(settings)
        await live_events.start()
        sessions = SessionWatcher(pool, interval=session_check_interval)
        await sessions.start()
        app.state.alliance = AppState(
            settings=settings,
            pool=pool,
            broker=broker,
            authorizer=authorizer,
            live_events=live_events,
            sessions=sessions,
        )
        try:
            async with observed_process(pool), event_processes(settings, platform) as relay_health:
                app.state.relay_health = relay_health
                freeze_startup_objects()
                yield
        finally:
            await sessions.stop()
            await live_events.stop()
            await authorizer.stop_listening()
            await broker.stop()
            await pool.close()

    graphql = AllianceGraphQL(
        build_schema(settings, platform),
        graphql_ide="graphiql" if settings.graphql_ide else None,
        max_message_bytes=settings.limits.max_body_bytes,
    )
    console_routes: list[Route] = []
    if settings.graphql_ide:
        graphql.console = Console()
        console_routes.append(Route(CONSOLE_PREFIX + "/{digest}/{name}", graphql.console.asset))
    return Starlette(
        routes=[
            *console_routes,
            *platform.http_routes(),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
        ],
        middleware=[
            # Outermost, so that the access line is written inside the request's span.
            *tracing_middleware(),
            Middleware(RequestContextMiddleware),
            Middleware(
                BodyLimitMiddleware,
                max_bytes=settings.limits.max_body_bytes,
                max_query_string_bytes=settings.limits.max_query_string_bytes,
            ),
        ],
        lifespan=lifespan,
    )
