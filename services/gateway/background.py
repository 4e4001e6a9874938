"""Event processes the server runs beside the API when no separate ones are deployed.

In development (`make run`) one process holds everything: the relay that sends the outbox to
Kafka and the workers of the named services. In production set ``RELAY_IN_SERVER=false`` and
``WORKERS_IN_SERVER=`` and run ``alliance relay`` / ``alliance worker …`` as their own
processes; several relays and workers may run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from services.core.settings import Settings
from services.domain import Platform
from services.events.consumer import run_workers
from services.events.relay import RelayHealth, run_relay

log = logging.getLogger(__name__)


async def _supervised(name: str, run: asyncio.Task[None]) -> None:
    try:
        await run
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s stopped with an error", name)


# Every wait inside them is bounded, so they stop within a couple of seconds; the rest is
# a safety net that keeps Ctrl-C quick if one does not.
STOP_WITHIN = 2.5


@contextlib.asynccontextmanager
async def event_processes(settings: Settings, platform: Platform) -> AsyncIterator[RelayHealth | None]:
    """Run the relay, workers and background jobs the settings ask for until the block exits;
    yield the in-process relay's health (None without one).

    ``WORKERS_IN_SERVER`` names consumer services and domains' background jobs alike.
    """
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    health: RelayHealth | None = None
    if settings.relay_in_server:
        health = RelayHealth()
        relay = asyncio.create_task(
            run_relay(settings, stop, topics=platform.topics(), health=health), name="relay"
        )
        tasks.append(asyncio.create_task(_supervised("relay", relay)))
    jobs = platform.jobs()
    services = [name for name in settings.workers_in_server if name not in jobs]
    if services:
        workers = asyncio.create_task(
            run_workers(settings, platform.registry(), services, stop), name="workers"
        )
        tasks.append(asyncio.create_task(_supervised("workers", workers)))
    for name in settings.workers_in_server:
        if name in jobs:
            job = asyncio.create_task(jobs[name](settings, stop), name=name)
            tasks.append(asyncio.create_task(_supervised(name, job)))
    try:
        yield health
    finally:
        stop.set()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=STOP_WITHIN)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
