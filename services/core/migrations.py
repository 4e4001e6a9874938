"""Apply the versioned plain-SQL migrations in ``services/migrations`` with dbmate."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import asyncpg

from services.core.dsn import for_dbmate
from services.core.embedded import dbmate_binary
from services.core.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class MigrationError(RuntimeError):
    """dbmate could not apply the migrations."""


def migrate(settings: Settings) -> None:
    """Apply pending migrations (safe to run again: applied versions are recorded)."""
    if not settings.database_url:
        raise MigrationError("no database URL: start the embedded server or set DATABASE_URL")
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
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
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
