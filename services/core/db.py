"""The asyncpg pool the application uses, connected as the non-superuser app role."""

from __future__ import annotations

import weakref

import asyncpg
import orjson

from services.core.dsn import with_credentials
from services.core.pgserver import require_supported_server
from services.core.pool_metrics import MeteredPool
from services.core.settings import Settings


def app_dsn(settings: Settings) -> str:
    """The app role's connection string, derived from the owner's ``DATABASE_URL``."""
    if not settings.database_url:
        raise RuntimeError("no database URL: start the embedded server or set DATABASE_URL")
    return with_credentials(
        settings.database_url, user=settings.app_db_user, password=settings.app_db_password
    )


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name,
            # asyncpg hands back its own UUID type; anything orjson cannot encode goes as text.
            encoder=lambda value: orjson.dumps(value, default=str).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


# Connections whose last use left no session state behind (see ``without_reset``).
_CLEAN: weakref.WeakSet[asyncpg.Connection] = weakref.WeakSet()


def without_reset(conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy[asyncpg.Record]) -> None:
    """Spare ``conn`` the pool's reset on its next release: its user ran only statements that
    leave no session state (no session setting, LISTEN, cursor or advisory lock), such as a
    compiled read, which sets its tenant for its own implicit transaction only. The reset is
    a round trip as long as the read itself."""
    # The pool hands out a proxy; its reset is given the connection behind it.
    underlying: asyncpg.Connection = getattr(conn, "_con", None) or conn  # type: ignore[assignment]
    _CLEAN.add(underlying)


async def _reset(conn: asyncpg.Connection) -> None:
    if conn in _CLEAN:
        _CLEAN.discard(conn)
        return
    await conn.reset()


async def create_pool(settings: Settings) -> asyncpg.Pool:
    """Open the pool; JSON columns come back as Python values.

    Connections are reset when released (asyncpg's default: ``RESET ALL``, ``UNLISTEN *``,
    ``CLOSE ALL``, advisory locks released); ``ReadSession`` relies on it to clear the tenant
    scope it sets for the session.

    ``statement_timeout`` is a startup setting of every connection (so ``RESET ALL`` keeps it):
    no single statement, lock waits included, holds a connection longer than
    ``DB_STATEMENT_TIMEOUT_MS``; PostgreSQL cancels it with ``QueryCanceledError``.

    Every process role opens its pool at startup, so each refuses a server that is too old
    (``UnsupportedServerError``) before it serves or consumes anything.

    The reset is skipped only for a connection marked by ``without_reset``.
    """
    # asyncpg.create_pool's own construction, with the subclass that counts waiting callers.
    pool = await MeteredPool(
        app_dsn(settings),
        min_size=min(settings.db_pool_min, settings.db_pool_max),
        max_size=settings.db_pool_max,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
        init=_init_connection,
        reset=_reset,
        server_settings={
            "application_name": "alliance",
            "statement_timeout": str(settings.db_statement_timeout_ms),
        },
    )
    assert pool is not None
    try:
        await require_supported_server(pool)
    except BaseException:
        await pool.close()
        raise
    return pool
