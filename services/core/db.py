"""The asyncpg pool the application uses, connected as the non-superuser app role."""

from __future__ import annotations

import asyncpg
import orjson

from services.core.dsn import with_credentials
from services.core.pgserver import require_supported_server
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
    """
    pool = await asyncpg.create_pool(
        app_dsn(settings),
        min_size=min(settings.db_pool_min, settings.db_pool_max),
        max_size=settings.db_pool_max,
        init=_init_connection,
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
