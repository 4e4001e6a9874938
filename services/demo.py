"""Demo data for ``make run`` and ``alliance seed-demo``: loaded once, never twice."""

from __future__ import annotations

import logging

import asyncpg

from services.core.settings import Settings
from services.directory.demo import seed_directory
from services.resources.demo import seed_resources

log = logging.getLogger(__name__)


async def seed_demo(settings: Settings) -> None:
    """Load every domain's demo data that is not loaded yet (as the owner: bypasses RLS)."""
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        loaded = await seed_directory(conn)
        loaded = await seed_resources(conn) or loaded
    finally:
        await conn.close()
    log.info("demo data %s", "loaded" if loaded else "already present")
