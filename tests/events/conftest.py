"""Event tests run in a database of their own, so no other relay (a server started by another
test module, say) can take their outbox rows, and theirs take no one else's."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import string
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord

from services.core.db import create_pool
from services.core.embedded import EmbeddedBroker
from services.core.settings import Settings
from services.events.consumer import EventConsumer
from services.events.envelope import Envelope
from services.events.outbox import record_event
from services.events.registry import Handler, Registry
from services.events.relay import OutboxRelay
from tests.support.databases import scratch_database
from tests.support.outbox import unsent
from tests.support.polling import wait_until

__all__ = ["unsent", "wait_until"]  # kept importable from here for the event tests


@pytest.fixture(scope="package")
async def events_admin_url(admin_url: str) -> AsyncIterator[str]:
    """A superuser URL for a fresh, migrated database used only by the event tests."""
    async with scratch_database(admin_url, "alliance_events") as url:
        owner = await asyncpg.connect(url)
        try:
            # Handlers' visible effect: a count per event, which must never pass one.
            await owner.execute(
                "CREATE TABLE test_effect (consumer text, event_id uuid, n int NOT NULL DEFAULT 1,"
                " PRIMARY KEY (consumer, event_id))"
            )
        finally:
            await owner.close()
        yield url


@pytest.fixture(scope="package")
def events_bootstrap_servers(bootstrap_servers: str) -> Iterator[str]:
    """A broker of the event tests' own: their test topics must not reach the consumers of
    the servers other test modules run (those would retry, then dead-letter, them)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield bootstrap_servers
        return
    broker = EmbeddedBroker()
    broker.start()
    yield broker.bootstrap_servers
    broker.stop()


@pytest.fixture(scope="package")
def events_settings(settings: Settings, events_admin_url: str, events_bootstrap_servers: str) -> Settings:
    return replace(settings, database_url=events_admin_url, kafka_bootstrap_servers=events_bootstrap_servers)


@pytest.fixture(scope="package")
async def events_pool(events_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(events_settings)
    yield pool
    await pool.close()


@pytest.fixture
def tenant() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def aggregate_type() -> str:
    """A fresh aggregate type, hence a topic no other test writes to."""
    return "t_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


async def record(
    pool: asyncpg.Pool,
    *,
    tenant: uuid.UUID,
    aggregate_type: str,
    aggregate_id: str,
    event_type: str = "thing.changed.v1",
    data: dict[str, Any] | None = None,
) -> Envelope:
    """Record one event in a transaction of its own."""
    async with pool.acquire() as conn, conn.transaction():
        return await record_event(
            conn,  # type: ignore[arg-type]
            tenant_id=tenant,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            event_type=event_type,
            data=data or {},
            source="tests/events",
        )


async def read_topic(
    bootstrap_servers: str, topic: str, *, count: int, within: float = 10.0, settle: float = 0.3
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read ``topic`` from the start until ``count`` messages arrived and ``settle`` seconds
    passed without another (so extra messages show), or until ``within`` seconds passed.

    (Counting by end offsets is not an option: the embedded broker reports a partition's end
    as the start of its last record batch plus one.)
    """
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap_servers, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            wait = settle if len(records) >= count else 0.2
            batches = await consumer.getmany(timeout_ms=int(wait * 1000))
            if not batches and len(records) >= count:
                break
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


def by_aggregate(records: list[ConsumerRecord[bytes, bytes]]) -> dict[str, list[Envelope]]:
    """Envelopes per aggregate, in the order they arrived (first delivery of each event)."""
    seen: set[uuid.UUID] = set()
    result: dict[str, list[Envelope]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        envelope = Envelope.from_json(record.value)
        if envelope.id not in seen:
            seen.add(envelope.id)
            result.setdefault(envelope.subject, []).append(envelope)
    return result


@contextlib.asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[asyncio.Task[None]]:
    """Run ``relay`` in the background for the block."""
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)


def fast_relay(pool: asyncpg.Pool, settings: Settings, **options: Any) -> OutboxRelay:
    """A relay with test-sized timings."""
    defaults: dict[str, Any] = {
        "batch_size": 50,
        "poll_interval": 0.5,
        "send_timeout": 3.0,
        "max_backoff": 0.5,
    }
    return OutboxRelay(pool=pool, settings=settings, **{**defaults, **options})


def counting_handler(service: str) -> Handler:
    """A handler whose effect is a row per event, counting how often it took effect."""

    async def count(conn: asyncpg.Connection, envelope: Envelope) -> None:
        await conn.execute(
            "INSERT INTO test_effect (consumer, event_id) VALUES ($1, $2)"
            " ON CONFLICT (consumer, event_id) DO UPDATE SET n = test_effect.n + 1",
            service,
            envelope.id,
        )

    return count


async def effects(pool: asyncpg.Pool, service: str) -> dict[uuid.UUID, int]:
    """How often each event took effect for ``service``."""
    rows = await pool.fetch("SELECT event_id, n FROM test_effect WHERE consumer = $1", service)
    return {row["event_id"]: row["n"] for row in rows}


def service_name() -> str:
    return "svc_" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))


def make_consumer(
    pool: asyncpg.Pool, settings: Settings, registry: Registry, service: str, **options: Any
) -> EventConsumer:
    """A consumer group with test-sized timings (joining takes half the session timeout)."""
    defaults: dict[str, Any] = {
        "session_timeout_ms": 2000,
        "poll_timeout_ms": 200,
        "retry_backoff": 0.01,
        "max_backoff": 0.5,
        "metadata_max_age_ms": 1000,
        "fetch_max_wait_ms": 100,
    }
    return EventConsumer(
        pool=pool, settings=settings, registry=registry, service=service, **{**defaults, **options}
    )


@contextlib.asynccontextmanager
async def consuming(consumer: EventConsumer) -> AsyncIterator[None]:
    """Run ``consumer`` in the background for the block."""
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
