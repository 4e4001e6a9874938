"""Event metrics move with the real relay, consumers and broker: read from a metrics port
served as `alliance relay` / `alliance worker` serve it (METRICS_PORT)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import start_http_server

from services.core.embedded import free_port
from services.core.metrics import exposition_registry
from services.core.settings import Settings
from services.events.envelope import Envelope
from services.events.registry import Registry
from services.events.topics import topic_for
from tests.events.conftest import (
    consuming,
    counting_handler,
    fast_relay,
    make_consumer,
    record,
    running,
    service_name,
)
from tests.support.metrics import scrape
from tests.support.polling import eventually


@pytest.fixture(scope="module")
async def metrics_port() -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=exposition_registry())
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        yield client
    server.shutdown()
    thread.join(5)


async def _produce(settings: Settings, topic: str, envelopes: list[Envelope]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        for envelope in envelopes:  # one key: one partition, in this order
            await producer.send_and_wait(topic, envelope.to_json(), key=b"k")
    finally:
        await producer.stop()


def _event(tenant: uuid.UUID, aggregate_type: str) -> Envelope:
    return Envelope.new(
        source="tests/events",
        type="thing.changed.v1",
        tenant=tenant,
        aggregate_type=aggregate_type,
        subject=str(uuid.uuid4()),
        data={},
    )


async def test_relay_batches_and_the_outbox_backlog(
    metrics_port: httpx.AsyncClient,
    events_pool: asyncpg.Pool,
    events_settings: Settings,
    tenant: uuid.UUID,
    aggregate_type: str,
) -> None:
    batches = await scrape(metrics_port, "alliance_relay_batches_total")
    sent = await scrape(metrics_port, "alliance_relay_events_total")
    for n in range(3):
        await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id=f"a{n}")
    relay = fast_relay(events_pool, events_settings, backlog_interval=0.05)

    async def backlog_now() -> float:
        # Another relay of this process (a test server's) may write the gauge between the
        # count and the scrape: count again until the scrape shows this database's.
        await relay.record_backlog()
        return await scrape(metrics_port, "alliance_outbox_backlog")

    await eventually(backlog_now, lambda value: value >= 3)
    assert await scrape(metrics_port, "alliance_outbox_oldest_unsent_age_seconds") > 0
    async with running(relay):
        await eventually(
            lambda: scrape(metrics_port, "alliance_relay_events_total"), lambda value: value >= sent + 3
        )
        await eventually(backlog_now, lambda value: value == 0)
    assert await scrape(metrics_port, "alliance_relay_batches_total") >= batches + 1


async def test_relay_failures_are_counted_by_reason(
    metrics_port: httpx.AsyncClient, events_pool: asyncpg.Pool, events_settings: Settings
) -> None:
    before = await scrape(metrics_port, "alliance_relay_failures_total", reason="broker")
    nowhere = replace(events_settings, kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")
    async with running(fast_relay(events_pool, nowhere, send_timeout=0.5)):
        await eventually(
            lambda: scrape(metrics_port, "alliance_relay_failures_total", reason="broker"),
            lambda value: value >= before + 1,
            within=20,
        )


async def test_consumer_lag_grows_behind_a_slow_handler_and_drains(
    metrics_port: httpx.AsyncClient,
    events_pool: asyncpg.Pool,
    events_settings: Settings,
    tenant: uuid.UUID,
    aggregate_type: str,
) -> None:
    service = service_name()
    group = f"alliance.{service}"
    release = asyncio.Event()
    count = counting_handler(service)

    async def slow(conn: asyncpg.Connection, envelope: Envelope) -> None:
        await release.wait()
        await count(conn, envelope)

    registry = Registry()
    registry.add(service=service, aggregate_type=aggregate_type, handler=slow)
    await _produce(
        events_settings, topic_for(aggregate_type), [_event(tenant, aggregate_type) for _ in range(4)]
    )
    consumer = make_consumer(events_pool, events_settings, registry, service, lag_interval=0.05)
    async with consuming(consumer):
        # The first event waits in its handler; the other three are fetched but not handled.
        await eventually(
            lambda: scrape(
                metrics_port, "alliance_consumer_lag", group=group, topic=topic_for(aggregate_type)
            ),
            lambda value: value >= 3,
            within=20,
        )
        handled = await scrape(metrics_port, "alliance_consumer_events_total", group=group)
        release.set()
        await eventually(
            lambda: scrape(metrics_port, "alliance_consumer_lag", group=group), lambda value: value == 0
        )
        assert await scrape(metrics_port, "alliance_consumer_events_total", group=group) == handled + 3


async def test_dead_letters_are_counted_per_group(
    metrics_port: httpx.AsyncClient,
    events_pool: asyncpg.Pool,
    events_settings: Settings,
    tenant: uuid.UUID,
    aggregate_type: str,
) -> None:
    service = service_name()

    async def broken(conn: asyncpg.Connection, envelope: Envelope) -> None:
        raise RuntimeError("this handler always fails")

    registry = Registry()
    registry.add(service=service, aggregate_type=aggregate_type, handler=broken)
    await _produce(
        events_settings, topic_for(aggregate_type), [_event(tenant, aggregate_type) for _ in range(2)]
    )
    async with consuming(make_consumer(events_pool, events_settings, registry, service, max_attempts=1)):
        await eventually(
            lambda: scrape(metrics_port, "alliance_dead_letters_total", group=f"alliance.{service}"),
            lambda value: value == 2,
            within=20,
        )
