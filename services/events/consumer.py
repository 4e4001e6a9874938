"""Workers: each service's handlers run as a Kafka consumer group, once per event."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from opentelemetry.trace import SpanKind

from services.core.backoff import DATABASE_UNAVAILABLE, Backoff, wait_or_stop
from services.core.broker import (
    START_TIMEOUT,
    Broker,
    ConnectionLost,
    pause_when_connection_breaks,
    stop_quietly,
)
from services.core.db import create_pool
from services.core.metrics import CONSUMER_EVENTS, DEAD_LETTERS
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.core.tracing import context_from, tracer, tracing_enabled
from services.events.envelope import Envelope, EnvelopeError
from services.events.inbox import describe_error, prune_inbox, record_dead_letter, run_handlers
from services.events.lag import LagMeter
from services.events.registry import Registry
from services.events.topics import DLQ_TOPIC, EVENT_TOPIC_PATTERN, ensure_topics, new_admin

log = logging.getLogger(__name__)
_TRACER = tracer(__name__)


async def set_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID | str) -> None:
    """Scope the handler's transaction to ``tenant_id`` for row-level security."""
    await set_scope(conn, tenant_id=uuid.UUID(str(tenant_id)))


class EventConsumer:
    """One service's consumer group, ``alliance.<service>``, running its handlers.

    For each message, in partition order: decode the envelope; in one database transaction
    record its id in the inbox (a duplicate stops there) and run the service's handlers;
    commit; only then commit the Kafka offset. A crash between the two commits redelivers the
    message and the inbox turns the second delivery into a no-op. A handler that keeps failing
    is tried ``max_attempts`` times, then the event goes to the dead letters (table, and topic
    ``alliance.dlq.v1``) and the partition moves on. An unreachable database is not the
    handler's fault: it is waited out without counting attempts.
    """

    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        settings: Settings,
        registry: Registry,
        service: str,
        dlq_broker: Broker | None = None,
        max_attempts: int = 5,
        retry_backoff: float = 0.2,
        max_backoff: float = 30.0,
        session_timeout_ms: int = 10_000,
        poll_timeout_ms: int = 1_000,
        max_records: int = 100,
        metadata_max_age_ms: int = 30_000,
        fetch_max_wait_ms: int = 500,
        lag_interval: float = 5.0,
    ) -> None:
        registry.subscriptions(service)  # unknown services fail here, not in the loop
        self.service = service
        self.group_id = f"alliance.{service}"
        self._pool = pool
        self._settings = settings
        self._registry = registry
        self._dlq_broker = dlq_broker
        self._max_attempts = max(1, max_attempts)
        self._retry_backoff = retry_backoff
        self._max_backoff = max_backoff
        self._session_timeout_ms = session_timeout_ms
        self._poll_timeout_ms = poll_timeout_ms
        self._max_records = max_records
        self._metadata_max_age_ms = metadata_max_age_ms
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._lag_interval = lag_interval
        self._lag = LagMeter(self.group_id)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set; a lost broker connection starts a fresh consumer."""
        backoff = Backoff(cap=self._max_backoff)
        while not stop.is_set():
            consumer = self._new_consumer()
            # A broken connection may mean a broker that restarted empty: its group, offsets
            # and topics are new, and aiokafka, reconnecting by itself, would fetch on from
            # the old positions (or wait on a coordinator that forgot the group). A fresh
            # consumer joins again and starts from the committed offsets, or the oldest.
            lost = pause_when_connection_breaks(consumer)
            sampler: asyncio.Task[None] | None = None
            try:
                async with asyncio.timeout(START_TIMEOUT):
                    await consumer.start()
                topics = self._registry.topics(self.service)
                if topics is None:
                    consumer.subscribe(pattern=EVENT_TOPIC_PATTERN)
                else:
                    consumer.subscribe(topics=topics)
                backoff.reset()
                sampler = asyncio.create_task(self._lag.run(consumer, self._lag_interval))
                await self._consume(consumer, stop, lost)
            except (KafkaError, OSError) as exc:  # TimeoutError is an OSError
                log.warning("%s: broker unavailable, retrying: %r", self.group_id, exc)
            finally:
                if sampler is not None:
                    sampler.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sampler
                self._lag.clear()
                await stop_quietly(consumer)
            await wait_or_stop(stop, backoff.next_delay())

    def _new_consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            group_id=self.group_id,
            client_id=self.group_id,
            # Offsets are committed by hand, after the database commit.
            enable_auto_commit=False,
            # A new group (or a broker that lost its offsets) starts from the oldest event
            # kept: at least once, and the inbox drops what was handled already.
            auto_offset_reset="earliest",
            session_timeout_ms=self._session_timeout_ms,
            heartbeat_interval_ms=max(100, self._session_timeout_ms // 3),
            metadata_max_age_ms=self._metadata_max_age_ms,
            fetch_max_wait_ms=self._fetch_max_wait_ms,
        )

    async def _consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event, lost: asyncio.Event) -> None:
        while not stop.is_set():
            if lost.is_set():
                raise ConnectionLost("connection to the broker broken")
            fetch = asyncio.ensure_future(
                consumer.getmany(timeout_ms=self._poll_timeout_ms, max_records=self._max_records)
            )
            # A stop does not wait for the fetch: during a group join it blocks far longer
            # than the poll timeout (half the session timeout on the embedded broker).
            stopping = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait([fetch, stopping], return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopping.cancel()
            if not fetch.done():
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, KafkaError):
                    await fetch
                return
            batches = fetch.result()
            for partition, records in batches.items():
                done: ConsumerRecord[Any, Any] | None = None
                if records:
                    self._lag.arrived(partition, records[0].offset)
                for record in records:
                    if not await self._process(record, stop):
                        break
                    done = record
                    self._lag.handled(partition, record.offset)
                if lost.is_set():
                    # Offsets of a broker that may have restarted empty mean nothing; the
                    # next consumer reads these records again and the inbox drops them.
                    raise ConnectionLost("connection to the broker broken")
                if done is not None:
                    await self._commit(consumer, partition, done.offset + 1)
                if stop.is_set():
                    return

    async def _commit(self, consumer: AIOKafkaConsumer, partition: TopicPartition, offset: int) -> None:
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await consumer.commit({partition: offset})
        except (KafkaError, TimeoutError) as exc:
            # Lost the partition in a rebalance: its next owner gets the messages again and
            # the inbox drops the ones handled here.
            log.warning("%s: offset commit failed: %s", self.group_id, exc)

    async def _process(self, record: ConsumerRecord[Any, Any], stop: asyncio.Event) -> bool:
        """Handle one message; ``False`` only if ``stop`` interrupted it (not committed)."""
        try:
            envelope = Envelope.from_json(record.value)
        except EnvelopeError as exc:
            return await self._dead_letter(record, None, f"not an envelope: {exc}", 1, stop)
        if not self._registry.handlers_for(self.service, envelope):
            return True
        CONSUMER_EVENTS.labels(self.group_id).inc()
        if not tracing_enabled():
            return await self._attempt(record, envelope, stop)
        with _TRACER.start_as_current_span(
            f"{record.topic} process",
            context=context_from(envelope.traceparent),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.consumer.group.name": self.group_id,
                "messaging.destination.name": record.topic,
                "messaging.message.id": str(envelope.id),
                "cloudevents.event_type": envelope.type,
            },
        ):
            return await self._attempt(record, envelope, stop)

    async def _attempt(
        self, record: ConsumerRecord[Any, Any], envelope: Envelope, stop: asyncio.Event
    ) -> bool:
        """Run the handlers until they succeed, or the attempts run out (a dead letter)."""
        attempts = 0
        unavailable = Backoff(initial=self._retry_backoff, cap=self._max_backoff)
        while True:
            try:
                await self._handle(envelope)
                return True
            except DATABASE_UNAVAILABLE as exc:
                log.warning("%s: database unavailable, waiting: %s", self.group_id, exc)
                await wait_or_stop(stop, unavailable.next_delay())
            except Exception as exc:
                attempts += 1
                log.warning(
                    "%s: handler failed on %s %s (attempt %d of %d)",
                    self.group_id,
                    envelope.type,
                    envelope.id,
                    attempts,
                    self._max_attempts,
                    exc_info=True,
                )
                if attempts >= self._max_attempts:
                    return await self._dead_letter(record, envelope, describe_error(exc), attempts, stop)
                await wait_or_stop(stop, self._retry_backoff * 2 ** (attempts - 1))
            if stop.is_set():
                return False

    async def _handle(self, envelope: Envelope) -> None:
        async with self._pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
            handled = await run_handlers(
                conn, registry=self._registry, consumer=self.service, envelope=envelope
            )
        if not handled:
            log.debug("%s: event %s handled before, skipped", self.group_id, envelope.id)

    async def _dead_letter(
        self,
        record: ConsumerRecord[Any, Any],
        envelope: Envelope | None,
        error: str,
        attempts: int,
        stop: asyncio.Event,
    ) -> bool:
        unavailable = Backoff(initial=self._retry_backoff, cap=self._max_backoff)
        while True:
            try:
                letter_id = await record_dead_letter(
                    self._pool,
                    consumer=self.service,
                    envelope=envelope,
                    topic=record.topic,
                    partition=record.partition,
                    offset=record.offset,
                    error=error,
                    attempts=attempts,
                )
                break
            except DATABASE_UNAVAILABLE as exc:
                log.warning("%s: database unavailable, waiting: %s", self.group_id, exc)
                await wait_or_stop(stop, unavailable.next_delay())
                if stop.is_set():
                    return False
        log.error(
            "%s: dead letter %s for %s/%d@%d after %d attempts: %s",
            self.group_id,
            letter_id,
            record.topic,
            record.partition,
            record.offset,
            attempts,
            error,
        )
        if letter_id is not None:
            DEAD_LETTERS.labels(self.group_id).inc()
            await self._publish_dead_letter(record, error)
        return True

    async def _publish_dead_letter(self, record: ConsumerRecord[Any, Any], error: str) -> None:
        # The table is the record of truth (and what replay reads); the topic lets operators'
        # tools follow failures. Losing the topic copy while the broker is away is acceptable.
        producer = self._dlq_broker.producer if self._dlq_broker is not None else None
        if producer is None:
            log.warning("%s: no producer, dead letter kept in the table only", self.group_id)
            return
        headers = [
            ("consumer", self.service.encode()),
            ("error", error.encode()[:1000]),
            ("topic", record.topic.encode()),
            ("partition", str(record.partition).encode()),
            ("offset", str(record.offset).encode()),
        ]
        try:
            async with asyncio.timeout(10):
                await producer.send_and_wait(DLQ_TOPIC, value=record.value, key=record.key, headers=headers)
        except (KafkaError, OSError, TimeoutError) as exc:
            log.warning("%s: dead letter not published to %s: %s", self.group_id, DLQ_TOPIC, exc)


async def run_workers(
    settings: Settings,
    registry: Registry,
    services: Sequence[str],
    stop_event: asyncio.Event,
    *,
    inbox_retention: timedelta = timedelta(days=30),
    **options: Any,
) -> None:
    """Run the named services' consumer groups until ``stop_event`` is set.

    ``options`` are passed to each ``EventConsumer`` (``max_attempts``, …). Unknown service
    names raise ``UnknownServiceError`` before anything starts.
    """
    if not services:
        raise ValueError("name at least one service to run")
    for service in services:
        registry.subscriptions(service)
    pool = await create_pool(settings)
    broker = Broker(settings)
    await broker.start()
    try:
        await _create_topics(settings, registry, services)
        async with asyncio.TaskGroup() as tasks:
            for service in services:
                consumer = EventConsumer(
                    pool=pool,
                    settings=settings,
                    registry=registry,
                    service=service,
                    dlq_broker=broker,
                    **options,
                )
                tasks.create_task(consumer.run(stop_event), name=f"consumer-{service}")
            tasks.create_task(_prune_inbox_daily(pool, stop_event, inbox_retention), name="inbox-prune")
    finally:
        await broker.stop()
        await pool.close()


async def _create_topics(settings: Settings, registry: Registry, services: Sequence[str]) -> None:
    # Subscribing to a missing topic would let an auto-creating broker create it with its own
    # partition count; create ours first. Best effort: the relay creates them too.
    topics = {DLQ_TOPIC}
    for service in services:
        # A service reading every topic (a pattern) gets the platform's topics made now.
        topics.update(registry.topics(service) or registry.known_topics())
    admin = new_admin(settings)
    try:
        async with asyncio.timeout(START_TIMEOUT):
            await admin.start()
            await ensure_topics(
                admin,
                topics,
                partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_topic_replication,
            )
    except (KafkaError, OSError) as exc:  # TimeoutError is an OSError
        log.warning("topics not created now (the relay will): %r", exc)
    finally:
        await stop_quietly(admin)


async def _prune_inbox_daily(pool: asyncpg.Pool, stop: asyncio.Event, retention: timedelta) -> None:
    while not stop.is_set():
        try:
            if deleted := await prune_inbox(pool, older_than=retention):
                log.info("pruned %d inbox rows", deleted)
        except DATABASE_UNAVAILABLE as exc:
            log.warning("inbox not pruned: %s", exc)
        await wait_or_stop(stop, 24 * 3600)
