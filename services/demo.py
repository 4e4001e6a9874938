"""Demo data for ``make run`` and ``alliance seed-demo``: loaded once, never twice."""

from __future__ import annotations

import logging

import asyncpg

from services.core.settings import Settings
from services.domain import Platform

log = logging.getLogger(__name__)


async def seed_demo(settings: Settings, platform: Platform | None = None) -> None:
    """Load every domain's demo data that is not loaded yet (as the owner: bypasses RLS)."""
    assert settings.database_url
    platform = platform or Platform.default()
    conn = await asyncpg.connect(settings.database_url)
    try:
        loaded = await platform.seed_demo(conn)
    finally:
        await conn.close()
    log.info("demo data %s", "loaded" if loaded else "already present")
