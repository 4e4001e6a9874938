"""The outbox relay: sends committed outbox rows to Kafka, in order, at least once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from services.core.backoff import DATABASE_UNAVAILABLE, Backoff, wait_or_stop
from services.core.broker import start_producer, stop_quietly
from services.core.db import app_dsn, create_pool
from services.core.metrics import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    RELAY_BATCH_DURATION,
    RELAY_BATCHES,
    RELAY_EVENTS,
    RELAY_FAILURES,
)
from services.core.settings import Settings
from services.core.tracing import context_from, tracer, tracing_enabled
from services.events.envelope import CONTENT_TYPE
from services.events.outbox import NOTIFY_CHANNEL
from services.events.topics import DLQ_TOPIC, ensure_topics, new_admin

log = logging.getLogger(__name__)

# Held (per transaction) by the one relay that is sending; any constant unique in the database.
RELAY_LOCK_KEY = 0x616C6C69616E6365  # "alliance"

_TRY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"
_CLAIM = """
SELECT id, topic, aggregate_id, payload::text AS payload, payload->>'traceparent' AS traceparent
FROM outbox
WHERE sent_at IS NULL
ORDER BY seq
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
_MARK_SENT = "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1)"
_COUNT_FAILED_ATTEMPT = "UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1)"
_PRUNE = """
DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE sent_at < now() - $1::interval ORDER BY sent_at LIMIT $2
)
"""
_PRUNE_CHUNK = 5000
# What the backlog gauges show: the unsent rows (the partial index outbox_unsent) and the
# age of the oldest of them.
_BACKLOG = """
SELECT count(*) AS backlog,
       coalesce(extract(epoch FROM now() - (
           SELECT created_at FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1
       )), 0)::float8 AS oldest_age
FROM outbox WHERE sent_at IS NULL
"""
_TRACER = tracer(__name__)
_LISTEN_FAILURES: tuple[type[BaseException], ...] = (
    *DATABASE_UNAVAILABLE,
    asyncpg.PostgresError,
    TimeoutError,
)
_HEADERS = [("content-type", CONTENT_TYPE.encode())]

ProducerFactory = Callable[[], Awaitable[AIOKafkaProducer]]


class BrokerUnavailable(RuntimeError):
    """Kafka did not take a batch: it is down, restarting, or lost its topics."""


class RelayHealth:
    """What /readyz reads of an in-process relay: when its loop last went round."""

    def __init__(self) -> None:
        self.last_progress = time.monotonic()
        self.failing_since: float | None = None

    def progressed(self, *, failed: bool) -> None:
        now = time.monotonic()
        self.last_progress = now
        if not failed:
            self.failing_since = None
        elif self.failing_since is None:
            self.failing_since = now

    def stuck_for(self) -> float:
        """Seconds since the loop last went round, or since it started failing."""
        now = time.monotonic()
        since = self.last_progress if self.failing_since is None else self.failing_since
        return now - since


class OutboxRelay:
    """Drains the outbox to Kafka: claim a batch, send it, mark it sent, commit.

    Several relays may run (one per server process, or dedicated ones). Each batch runs in a
    transaction that holds a transaction-level advisory lock, so one relay sends at a time and
    the others stand by; if the sender dies its lock goes with its connection and another
    takes over at its next wake-up. SKIP LOCKED alone would let two relays split one
    aggregate's rows between concurrent batches and send them out of order; a lock per
    aggregate would keep order but cost a lock per row, while one relay sending batches of
    hundreds is not the bottleneck (Kafka acknowledgements and commits are). Within a batch,
    rows go out in ``seq`` order through one producer, which keeps at most one request in
    flight per partition, so each partition (hence each aggregate) receives them in order.

    Delivery is at least once: a relay that dies after Kafka took a batch but before its
    commit leaves the rows unsent, and they are sent again. Consumers drop duplicates by event
    id (the inbox). A failed batch is retried whole, never partly marked, so the resent tail
    restores the order of anything sent twice.
    """

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        settings: Settings,
        batch_size: int = 500,
        poll_interval: float = 5.0,
        send_timeout: float = 15.0,
        max_backoff: float = 30.0,
        retention: timedelta = timedelta(days=7),
        prune_interval: float = 600.0,
        topics: Iterable[str] = (),
        replication_factor: int | None = None,
        producer_factory: ProducerFactory | None = None,
        health: RelayHealth | None = None,
        backlog_interval: float = 5.0,
    ) -> None:
        if not settings.kafka_bootstrap_servers:
            raise ValueError("the relay needs KAFKA_BOOTSTRAP_SERVERS (or the embedded broker)")
        self._pool = pool
        self._settings = settings
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._send_timeout = send_timeout
        self._max_backoff = max_backoff
        self._retention = retention
        self._prune_interval = prune_interval
        self._declared_topics = {DLQ_TOPIC, *topics}
        self._replication_factor = replication_factor or settings.kafka_topic_replication
        self._producer_factory = producer_factory or self._default_producer
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._ready_topics: set[str] = set()
        self._listener: asyncpg.Connection | None = None
        self._listen_retry_at = 0.0
        self._next_prune = 0.0
        self._wake = asyncio.Event()
        self._standing_by = False
        self.health = health or RelayHealth()
        self._backlog_interval = backlog_interval
        self._next_backlog = 0.0

    async def _default_producer(self) -> AIOKafkaProducer:
        return await start_producer(
            self._settings,
            linger_ms=2,
            max_batch_size=128 * 1024,
            request_timeout_ms=int(self._send_timeout * 1000),
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set, riding out database and broker outages."""
        backoff = Backoff(cap=self._max_backoff)
        try:
            while not stop.is_set():
                await self._ensure_listener()
                # Cleared before the claim: a commit notified during the batch wakes the wait.
                self._wake.clear()
                try:
                    sent = await self.send_pending()
                    await self._maybe_prune()
                    await self._maybe_record_backlog()
                except BrokerUnavailable as exc:
                    log.warning("broker unavailable, retrying: %s", exc)
                    RELAY_FAILURES.labels("broker").inc()
                    self.health.progressed(failed=True)
                    await self._drop_kafka_clients()
                    await wait_or_stop(stop, backoff.next_delay())
                    continue
                except DATABASE_UNAVAILABLE as exc:
                    log.warning("database unavailable, retrying: %s", exc)
                    RELAY_FAILURES.labels("database").inc()
                    self.health.progressed(failed=True)
                    await wait_or_stop(stop, backoff.next_delay())
                    continue
                except Exception:
                    log.exception("relay batch failed, retrying")
                    RELAY_FAILURES.labels("other").inc()
                    self.health.progressed(failed=True)
                    await wait_or_stop(stop, backoff.next_delay())
                    continue
                self.health.progressed(failed=False)
                backoff.reset()
                if self._standing_by:
                    # Another relay is sending and wakes at every commit too; this one checks
                    # back after the poll interval (to take over if that one died) instead of
                    # trying the lock again at every commit of every process.
                    await wait_or_stop(stop, self._poll_interval)
                elif sent < self._batch_size:
                    await wait_or_stop(stop, self._poll_interval, wake=self._wake)
        finally:
            await self.close()

    async def send_pending(self) -> int:
        """Send one batch of unsent events; how many (0: none, or another relay is sending)."""
        producer = await self._ensure_kafka()
        ids: list[uuid.UUID] = []
        started = time.perf_counter()
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                self._standing_by = not await conn.fetchval(_TRY_LOCK, RELAY_LOCK_KEY)
                if self._standing_by:
                    return 0
                rows = await conn.fetch(_CLAIM, self._batch_size)
                ids = [row["id"] for row in rows]
                if rows:
                    await self._publish(producer, rows)
                    await conn.execute(_MARK_SENT, ids)
        except BrokerUnavailable:
            if ids:
                with contextlib.suppress(*DATABASE_UNAVAILABLE):
                    await self._pool.execute(_COUNT_FAILED_ATTEMPT, ids)
            raise
        if ids:
            RELAY_BATCHES.inc()
            RELAY_EVENTS.inc(len(ids))
            RELAY_BATCH_DURATION.observe(time.perf_counter() - started)
        return len(ids)

    async def record_backlog(self) -> None:
        """Count the unsent rows and the oldest one's age into the backlog gauges."""
        row = await self._pool.fetchrow(_BACKLOG)
        assert row is not None
        OUTBOX_BACKLOG.set(row["backlog"])
        OUTBOX_OLDEST_AGE.set(row["oldest_age"])

    async def prune(self) -> int:
        """Delete rows sent longer ago than the retention; return how many."""
        total = 0
        while True:
            status = await self._pool.execute(_PRUNE, self._retention, _PRUNE_CHUNK)
            deleted = int(status.split()[-1])
            total += deleted
            if deleted < _PRUNE_CHUNK:
                return total

    async def close(self) -> None:
        """Close the Kafka clients and the LISTEN connection (the pool is the caller's)."""
        await self._drop_kafka_clients()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close(timeout=2)
            self._listener = None

    async def _publish(self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]) -> None:
        spans = _send_spans(rows) if tracing_enabled() else []
        try:
            await self._send_all(producer, rows)
        except BrokerUnavailable as exc:
            for span in spans:
                span.set_status(Status(StatusCode.ERROR, str(exc)))
            raise
        finally:
            for span in spans:
                span.end()

    async def _send_all(self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]) -> None:
        try:
            async with asyncio.timeout(self._send_timeout):
                # Every batch, not once: a broker that restarted empty accepts (Tansu) or
                # refuses (Kafka) records for topics it no longer has, and the producer sees
                # no restart, only a connection it silently opened again.
                await self._ensure_topics({row["topic"] for row in rows}, check=True)
                pending = []
                for row in rows:
                    future = await producer.send(
                        row["topic"],
                        value=row["payload"].encode(),
                        key=row["aggregate_id"].encode(),
                        headers=_HEADERS,
                    )
                    future.add_done_callback(_retrieve)
                    pending.append(future)
                results = await asyncio.gather(*pending, return_exceptions=True)
        except (KafkaError, OSError, TimeoutError) as exc:
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        failed = next((r for r in results if isinstance(r, BaseException)), None)
        if failed is not None:
            raise BrokerUnavailable(f"{type(failed).__name__}: {failed}") from failed

    async def _ensure_kafka(self) -> AIOKafkaProducer:
        try:
            async with asyncio.timeout(self._send_timeout):
                if self._admin is None:
                    admin = new_admin(self._settings)
                    self._admin = admin
                    await admin.start()
                if self._producer is None:
                    # Topics before the producer: a producer asking for an unknown topic makes
                    # a broker that auto-creates topics create it with its default partitions.
                    await self._ensure_topics(self._declared_topics)
                    self._producer = await self._producer_factory()
        except (KafkaError, OSError) as exc:  # TimeoutError is an OSError
            await self._drop_kafka_clients()
            raise BrokerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return self._producer

    async def _ensure_topics(self, topics: Iterable[str], *, check: bool = False) -> None:
        wanted = set(topics) if check else set(topics) - self._ready_topics
        if wanted:
            assert self._admin is not None
            await ensure_topics(
                self._admin,
                wanted,
                partitions=self._settings.kafka_topic_partitions,
                replication_factor=self._replication_factor,
            )
            self._ready_topics |= wanted

    async def _drop_kafka_clients(self) -> None:
        # Fresh clients after a failure: a broker that came back empty has lost its topics,
        # and they are created again (with our partition count) before anything is sent.
        self._ready_topics.clear()
        producer, self._producer = self._producer, None
        admin, self._admin = self._admin, None
        if producer is not None:
            await stop_quietly(producer)
        if admin is not None:
            await stop_quietly(admin)

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        now = time.monotonic()
        if now < self._listen_retry_at:
            return
        self._listen_retry_at = now + self._poll_interval
        conn: asyncpg.Connection | None = None
        try:
            # A connection of its own: LISTEN lasts for the session, and a pooled connection
            # is reset (UNLISTEN) whenever it goes back to the pool.
            conn = await asyncpg.connect(app_dsn(self._settings), timeout=10)
            await conn.add_listener(NOTIFY_CHANNEL, self._on_notify)
        except _LISTEN_FAILURES as exc:
            log.warning("cannot LISTEN, polling every %.1fs: %s", self._poll_interval, exc)
            if conn is not None:
                conn.terminate()
            return
        self._listener = conn

    async def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now >= self._next_prune:
            self._next_prune = now + self._prune_interval
            if deleted := await self.prune():
                log.info("pruned %d sent outbox rows", deleted)

    async def _maybe_record_backlog(self) -> None:
        now = time.monotonic()
        if now >= self._next_backlog:
            self._next_backlog = now + self._backlog_interval
            await self.record_backlog()

    def _on_notify(self, conn: Any, pid: int, channel: str, payload: object) -> None:
        self._wake.set()


def _send_spans(rows: Sequence[asyncpg.Record]) -> list[Span]:
    """One producer span per event, continuing the trace of the change that recorded it."""
    return [
        _TRACER.start_span(
            f"{row['topic']} publish",
            context=context_from(row["traceparent"]),
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": row["topic"],
                "messaging.message.id": str(row["id"]),
            },
        )
        for row in rows
    ]


def _retrieve(future: asyncio.Future[Any]) -> None:
    # Mark a send's failure as seen even when the batch gave up on it (timeout, cancel).
    if not future.cancelled():
        future.exception()


async def run_relay(settings: Settings, stop_event: asyncio.Event, **options: Any) -> None:
    """Run one relay with its own small pool until ``stop_event`` is set.

    ``options`` are passed to ``OutboxRelay`` (``batch_size``, ``poll_interval``, ``topics``
    to create at start: the event catalog's, from the caller's domains).
    """
    pool = await create_pool(replace(settings, db_pool_min=1, db_pool_max=2))
    try:
        await OutboxRelay(pool=pool, settings=settings, **options).run(stop_event)
    finally:
        await pool.close()
