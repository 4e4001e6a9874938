"""The toy domain's writes: one aggregate, one verb."""

from __future__ import annotations

import uuid

import asyncpg

from services.core.principal import Principal
from services.events.changes import record_change
from tests.kit.toy.events import ToyWaved


async def wave(conn: asyncpg.Connection, *, actor: Principal, message: str) -> str:
    """Wave: audited and announced, like every change."""
    toy_id = str(uuid.uuid4())
    await record_change(conn, actor, ToyWaved(id=toy_id, message=message), after={"message": message})
    return toy_id
