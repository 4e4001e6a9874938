"""The inbox (each event takes effect once per service) and the dead letters.

Dead letters are replayed by running the service's handlers again, in one transaction with
the inbox check, and marking the row replayed. Re-inserting the event into the outbox would
instead send it to every consumer of the topic and to the live stream again: other services
would drop it through their inbox, but partners would see an old event as new.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import asyncpg
import orjson

from services.core.backoff import DATABASE_UNAVAILABLE
from services.events.envelope import Envelope
from services.events.registry import Registry, UnknownServiceError

_CLAIM = """
INSERT INTO inbox (consumer, event_id) VALUES ($1, $2)
ON CONFLICT DO NOTHING
RETURNING true
"""
_DEAD_LETTER = """
INSERT INTO dead_letter (consumer, event_id, topic, kafka_partition, kafka_offset, envelope,
                         error, attempts)
VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7, $8)
ON CONFLICT (consumer, event_id) WHERE replayed_at IS NULL DO NOTHING
RETURNING id
"""
_COLUMNS = """id, consumer, event_id, topic, kafka_partition, kafka_offset, envelope::text AS envelope,
              error, attempts, created_at, replayed_at"""
_LIST = f"""
SELECT {_COLUMNS} FROM dead_letter
WHERE ($2 OR replayed_at IS NULL) AND ($3::text IS NULL OR consumer = $3)
ORDER BY id DESC
LIMIT $1
"""
_LOCK = f"SELECT {_COLUMNS} FROM dead_letter WHERE id = $1 FOR UPDATE"
_MARK_REPLAYED = "UPDATE dead_letter SET replayed_at = now() WHERE id = $1"
_FAILED_AGAIN = "UPDATE dead_letter SET attempts = attempts + 1, error = $2 WHERE id = $1"
_PRUNE = """
DELETE FROM inbox WHERE (consumer, event_id) IN (
    SELECT consumer, event_id FROM inbox WHERE handled_at < now() - $1::interval LIMIT $2
)
"""
_PRUNE_CHUNK = 5000


class DeadLetterError(RuntimeError):
    """A dead letter cannot be replayed (missing, replayed already, or not an envelope)."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An event a service failed to handle, kept for inspection and replay."""

    id: int
    consumer: str
    event_id: uuid.UUID | None
    topic: str
    partition: int
    offset: int
    envelope: dict[str, Any] | None
    error: str
    attempts: int
    created_at: datetime
    replayed_at: datetime | None

    @classmethod
    def from_record(cls, row: asyncpg.Record) -> DeadLetter:
        raw = row["envelope"]
        return cls(
            id=row["id"],
            consumer=row["consumer"],
            event_id=row["event_id"],
            topic=row["topic"],
            partition=row["kafka_partition"],
            offset=row["kafka_offset"],
            envelope=None if raw is None else orjson.loads(raw),
            error=row["error"],
            attempts=row["attempts"],
            created_at=row["created_at"],
            replayed_at=row["replayed_at"],
        )


async def claim_event(conn: asyncpg.Connection, *, consumer: str, event_id: uuid.UUID) -> bool:
    """Record that ``consumer`` handles ``event_id``; ``False`` if it already did."""
    return bool(await conn.fetchval(_CLAIM, consumer, event_id))


async def run_handlers(
    conn: asyncpg.Connection, *, registry: Registry, consumer: str, envelope: Envelope
) -> bool:
    """In the caller's transaction: claim the event and run the handlers; ``False`` if a duplicate."""
    if not await claim_event(conn, consumer=consumer, event_id=envelope.id):
        return False
    for handler in registry.handlers_for(consumer, envelope):
        await handler(conn, envelope)
    return True


async def record_dead_letter(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    consumer: str,
    envelope: Envelope | None,
    topic: str,
    partition: int,
    offset: int,
    error: str,
    attempts: int,
) -> int | None:
    """Keep a failed event; its id, or ``None`` if that event is already an open dead letter."""
    result = await conn.fetchval(
        _DEAD_LETTER,
        consumer,
        None if envelope is None else envelope.id,
        topic,
        partition,
        offset,
        None if envelope is None else envelope.to_json().decode(),
        error,
        attempts,
    )
    return None if result is None else int(result)


async def dlq_list(
    pool: asyncpg.Pool, *, limit: int = 50, consumer: str | None = None, include_replayed: bool = False
) -> list[DeadLetter]:
    """The newest dead letters first; open ones only unless ``include_replayed``."""
    rows = await pool.fetch(_LIST, limit, include_replayed, consumer)
    return [DeadLetter.from_record(row) for row in rows]


async def dlq_replay(pool: asyncpg.Pool, *, dead_letter_id: int, registry: Registry) -> bool:
    """Run the consumer's handlers on a dead letter again; ``False`` if the inbox had it already.

    The row is marked replayed in the same transaction as the handlers' effect. If a handler
    fails again, nothing of it commits, the error and attempt count are updated, and the
    exception propagates.
    """
    try:
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
            row = await conn.fetchrow(_LOCK, dead_letter_id)
            if row is None:
                raise DeadLetterError(f"no dead letter {dead_letter_id}")
            letter = DeadLetter.from_record(row)
            if letter.replayed_at is not None:
                raise DeadLetterError(f"dead letter {dead_letter_id} was replayed already")
            if letter.envelope is None:
                raise DeadLetterError(f"dead letter {dead_letter_id} holds no valid envelope")
            envelope = Envelope.from_dict(letter.envelope)
            handled = await run_handlers(conn, registry=registry, consumer=letter.consumer, envelope=envelope)
            await conn.execute(_MARK_REPLAYED, dead_letter_id)
    except (DeadLetterError, UnknownServiceError):
        raise
    except Exception as exc:
        with contextlib.suppress(*DATABASE_UNAVAILABLE):  # keep the handler's error, not ours
            await pool.execute(_FAILED_AGAIN, dead_letter_id, describe_error(exc))
        raise
    return handled


async def prune_inbox(pool: asyncpg.Pool, *, older_than: timedelta) -> int:
    """Forget handled events older than ``older_than`` (beyond any redelivery); how many."""
    total = 0
    while True:
        status = await pool.execute(_PRUNE, older_than, _PRUNE_CHUNK)
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < _PRUNE_CHUNK:
            return total


def describe_error(exc: BaseException) -> str:
    """A short, storable description of a handler failure."""
    return f"{type(exc).__name__}: {exc}"[:2000]
