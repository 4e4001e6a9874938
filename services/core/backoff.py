"""Waiting between retries: capped exponential backoff that a stop request cuts short."""

from __future__ import annotations

import asyncio

import asyncpg

# The database is unreachable or restarting: nobody's fault, retry until it is back.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.OperatorInterventionError,
    asyncpg.TooManyConnectionsError,
)


class Backoff:
    """Delays that double from ``initial`` up to ``cap``; ``reset()`` after a success."""

    def __init__(self, *, initial: float = 0.2, cap: float = 30.0) -> None:
        self._initial = initial
        self._cap = cap
        self._next = initial

    def next_delay(self) -> float:
        """The delay to wait now; the following one is twice as long (up to the cap)."""
        delay = self._next
        self._next = min(self._next * 2, self._cap)
        return delay

    def reset(self) -> None:
        self._next = self._initial


async def wait_or_stop(stop: asyncio.Event, seconds: float, *, wake: asyncio.Event | None = None) -> None:
    """Sleep ``seconds``, returning early when ``stop`` (or ``wake``) is set."""
    events = [stop] if wake is None else [stop, wake]
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
