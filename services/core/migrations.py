"""Apply the versioned plain-SQL migrations in ``services/migrations`` with dbmate.

dbmate applies every version missing from ``schema_migrations`` in numeric order, also one
older than the newest applied (its default; ``--strict`` would refuse). A migration added
below applied ones (``20261125000005_uuidv7``, for servers older than 18) therefore reaches
databases migrated before it existed; such a migration must be harmless there.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
from pathlib import Path

import asyncpg

from services.core.dsn import for_dbmate
from services.core.embedded import dbmate_binary
from services.core.pgserver import check_server
from services.core.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class MigrationError(RuntimeError):
    """dbmate could not apply the migrations."""


def migrate(settings: Settings) -> None:
    """Apply pending migrations (safe to run again: applied versions are recorded)."""
    if not settings.database_url:
        raise MigrationError("no database URL: start the embedded server or set DATABASE_URL")
    check_server(settings.database_url)
    command = [
        dbmate_binary(),
        "--url",
        for_dbmate(settings.database_url),
        "--migrations-dir",
        str(MIGRATIONS_DIR),
        "--migrations-table",
        "schema_migrations",
        "--no-dump-schema",
        "--wait",
        "up",
    ]
    env = {k: v for k, v in os.environ.items() if k != "DBMATE_STRICT"}
    # A URL without sslmode means libpq's default, prefer: TLS when the server offers it,
    # plain otherwise (asyncpg agrees). Go's lib/pq knows prefer but defaults to require, and
    # fails on a server without TLS; give it libpq's default unless the operator chose a mode
    # (PGSSLMODE, or sslmode in the URL, which wins over both).
    env.setdefault("PGSSLMODE", "prefer")
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    for line in result.stdout.splitlines():
        log.info("dbmate: %s", line)
    if result.returncode != 0:
        raise MigrationError(f"dbmate failed: {result.stderr.strip() or result.stdout.strip()}")
    if settings.app_db_password:
        asyncio.run(_set_app_password(settings))


async def _set_app_password(settings: Settings) -> None:
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        # ALTER ROLE takes no parameters; let the server quote the literal.
        literal = await conn.fetchval("SELECT quote_literal($1)", settings.app_db_password)
        await conn.execute(f'ALTER ROLE "{settings.app_db_user}" PASSWORD {literal}')
    finally:
        await conn.close()
