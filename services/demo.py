"""Demo data for ``make run`` and ``alliance seed-demo``: loaded once, never twice."""

from __future__ import annotations

import logging

from services.core.settings import Settings

log = logging.getLogger(__name__)


async def seed_demo(settings: Settings) -> None:
    """Load every domain's demo data that is not loaded yet."""
    log.info("no demo data sets are registered yet")
