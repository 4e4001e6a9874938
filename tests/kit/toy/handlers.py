"""The toy domain's consumer: remembers what it heard (a test double of a real effect)."""

from __future__ import annotations

import asyncpg

from services.events.envelope import Envelope
from tests.kit.toy.events import ToyWaved

HEARD: list[str] = []


async def remember_wave(conn: asyncpg.Connection, event: ToyWaved, envelope: Envelope) -> None:
    HEARD.append(event.message)
