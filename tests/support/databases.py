"""A fresh, migrated database of a test's own, dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg

from services.core.dsn import database_name, with_database
from services.core.migrations import migrate
from services.core.settings import Settings

# The app role connects over TCP to an external server, which asks for a password (the
# embedded one trusts its socket). Roles are per server, so every database shares this one.
APP_DB_PASSWORD = os.environ.get("APP_DB_PASSWORD") or "alliance-app-test"


async def create_database(server_url: str, prefix: str) -> str:
    """Create an empty database on the server of ``server_url``; return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, url: str) -> None:
    """Drop the database of ``url`` (connections to it included)."""
    name = database_name(url)
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate_database(url: str) -> None:
    """Apply every migration (dbmate runs as a process: off the event loop)."""
    await asyncio.to_thread(migrate, replace(Settings(), database_url=url, app_db_password=APP_DB_PASSWORD))


@contextlib.asynccontextmanager
async def scratch_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """A migrated database for the block, dropped after it."""
    url = await create_database(server_url, prefix)
    try:
        await migrate_database(url)
        yield url
    finally:
        await drop_database(server_url, url)
