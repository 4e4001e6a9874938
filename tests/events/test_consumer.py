"""Consumers: each event takes effect once; a failing handler ends in the dead letters."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from services.core.broker import Broker
from services.core.settings import Settings
from services.events.consumer import run_workers
from services.events.envelope import Envelope
from services.events.inbox import DeadLetterError, dlq_list, dlq_replay
from services.events.registry import Registry, UnknownServiceError
from services.events.topics import DLQ_TOPIC, topic_for
from tests.events.conftest import (
    consuming,
    counting_handler,
    effects,
    make_consumer,
    read_topic,
    service_name,
)
from tests.support.polling import wait_until


def _event(tenant: uuid.UUID, aggregate_type: str, event_type: str = "thing.changed.v1") -> Envelope:
    return Envelope.new(
        source="tests/events",
        type=event_type,
        tenant=tenant,
        aggregate_type=aggregate_type,
        subject=str(uuid.uuid4()),
        data={},
    )


async def _produce(settings: Settings, topic: str, messages: list[bytes]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=False)
    await producer.start()
    try:
        for message in messages:  # one key: one partition, so this order is the delivery order
            await producer.send_and_wait(topic, message, key=b"k")
    finally:
        await producer.stop()


async def test_redelivered_event_has_no_second_effect(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    service = service_name()
    registry = Registry()
    registry.add(service=service, aggregate_type=aggregate_type, handler=counting_handler(service))
    first, second = _event(tenant, aggregate_type), _event(tenant, aggregate_type)
    await _produce(
        events_settings, topic_for(aggregate_type), [first.to_json(), first.to_json(), second.to_json()]
    )

    async def both_handled() -> bool:
        return len(await effects(events_pool, service)) == 2

    async with consuming(make_consumer(events_pool, events_settings, registry, service)):
        # One key, one partition, handled in order: once `second` took effect, the duplicate
        # of `first` before it has been handled too.
        await wait_until(both_handled, within=15)
    assert await effects(events_pool, service) == {first.id: 1, second.id: 1}
    inbox = await events_pool.fetch("SELECT event_id FROM inbox WHERE consumer = $1", service)
    assert {row["event_id"] for row in inbox} == {first.id, second.id}


async def test_only_matching_handlers_run(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    service = service_name()
    registry = Registry()
    registry.add(
        service=service,
        aggregate_type=aggregate_type,
        event_type="thing.created.*",
        handler=counting_handler(service),
    )
    ignored, wanted = _event(tenant, aggregate_type), _event(tenant, aggregate_type, "thing.created.v2")
    await _produce(events_settings, topic_for(aggregate_type), [ignored.to_json(), wanted.to_json()])

    async with consuming(make_consumer(events_pool, events_settings, registry, service)):
        await wait_until(lambda: _handled(events_pool, service, wanted.id), within=15)
    assert await effects(events_pool, service) == {wanted.id: 1}


async def test_failing_handler_ends_in_dead_letters_and_the_partition_moves_on(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    service = service_name()
    bad, good = _event(tenant, aggregate_type), _event(tenant, aggregate_type)
    calls: dict[uuid.UUID, int] = {}
    broken = {bad.id}
    count = counting_handler(service)

    async def handler(conn: asyncpg.Connection, envelope: Envelope) -> None:
        calls[envelope.id] = calls.get(envelope.id, 0) + 1
        await count(conn, envelope)  # rolled back with the failure below
        if envelope.id in broken:
            raise ValueError("cannot handle this one")

    registry = Registry()
    registry.add(service=service, aggregate_type=aggregate_type, handler=handler)
    await _produce(
        events_settings, topic_for(aggregate_type), [b"{not an envelope", bad.to_json(), good.to_json()]
    )
    broker = Broker(events_settings)
    await broker.start()
    try:
        consumer = make_consumer(
            events_pool, events_settings, registry, service, max_attempts=3, dlq_broker=broker
        )
        async with consuming(consumer):
            await wait_until(lambda: _handled(events_pool, service, good.id), within=15)
    finally:
        await broker.stop()

    assert calls == {bad.id: 3, good.id: 1}
    assert await effects(events_pool, service) == {good.id: 1}
    letters = await dlq_list(events_pool, consumer=service)
    by_event = {letter.event_id: letter for letter in letters}
    assert by_event.keys() == {bad.id, None}
    dead = by_event[bad.id]
    assert (dead.attempts, dead.topic, dead.replayed_at) == (3, topic_for(aggregate_type), None)
    assert "ValueError: cannot handle this one" in dead.error
    assert dead.envelope is not None and Envelope.from_dict(dead.envelope) == bad
    assert "not an envelope" in by_event[None].error
    assert (by_event[None].offset, dead.offset) == (0, 1)

    published = await read_topic(events_settings.kafka_bootstrap_servers or "", DLQ_TOPIC, count=1, within=5)
    ours = [r for r in published if dict(r.headers).get("consumer") == service.encode()]
    assert [r.value for r in ours] == [b"{not an envelope", bad.to_json()]

    # Replay while the handler still fails: nothing commits, the failure is counted.
    with pytest.raises(ValueError, match="cannot handle"):
        await dlq_replay(events_pool, dead_letter_id=dead.id, registry=registry)
    [still] = [letter for letter in await dlq_list(events_pool, consumer=service) if letter.id == dead.id]
    assert (still.attempts, still.replayed_at) == (4, None)

    broken.clear()
    assert await dlq_replay(events_pool, dead_letter_id=dead.id, registry=registry) is True
    assert await effects(events_pool, service) == {good.id: 1, bad.id: 1}
    assert [letter.id for letter in await dlq_list(events_pool, consumer=service)] == [by_event[None].id]
    with pytest.raises(DeadLetterError, match="replayed already"):
        await dlq_replay(events_pool, dead_letter_id=dead.id, registry=registry)
    with pytest.raises(DeadLetterError, match="no valid envelope"):
        await dlq_replay(events_pool, dead_letter_id=by_event[None].id, registry=registry)


async def test_replay_of_an_event_handled_since_only_marks_it(
    events_pool: asyncpg.Pool, tenant: uuid.UUID, aggregate_type: str
) -> None:
    service = service_name()
    registry = Registry()
    registry.add(service=service, handler=counting_handler(service))
    event = _event(tenant, aggregate_type)
    letter_id = await events_pool.fetchval(
        "INSERT INTO dead_letter (consumer, event_id, topic, kafka_partition, kafka_offset, envelope,"
        " error, attempts) VALUES ($1, $2, 't', 0, 0, $3::text::jsonb, 'e', 5) RETURNING id",
        service,
        event.id,
        event.to_json().decode(),
    )
    await events_pool.execute("INSERT INTO inbox (consumer, event_id) VALUES ($1, $2)", service, event.id)
    assert await dlq_replay(events_pool, dead_letter_id=letter_id, registry=registry) is False
    assert await effects(events_pool, service) == {}
    assert await dlq_list(events_pool, consumer=service) == []


def test_registry_names_unknown_services() -> None:
    registry = Registry()
    registry.add(service="audit", handler=counting_handler("audit"))
    with pytest.raises(UnknownServiceError, match=r"unknown service 'nope' \(known: audit\)"):
        registry.subscriptions("nope")
    assert registry.topics("audit") is None  # every event topic
    with pytest.raises(ValueError, match="service name"):
        registry.add(service="Bad Name", handler=counting_handler("x"))
    with pytest.raises(ValueError, match="aggregate type"):
        registry.add(service="audit", aggregate_type="dlq", handler=counting_handler("x"))


async def _handled(pool: asyncpg.Pool, service: str, event_id: uuid.UUID) -> bool:
    return event_id in await effects(pool, service)


async def test_run_workers_runs_the_named_services_until_stopped(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    service = service_name()
    registry = Registry()
    registry.add(service=service, aggregate_type=aggregate_type, handler=counting_handler(service))
    with pytest.raises(UnknownServiceError):
        await run_workers(events_settings, registry, [service, "nosuch"], asyncio.Event())

    event = _event(tenant, aggregate_type)
    stop = asyncio.Event()
    workers = asyncio.create_task(
        run_workers(
            events_settings, registry, [service], stop, session_timeout_ms=2000, fetch_max_wait_ms=100
        )
    )
    try:
        await _produce(events_settings, topic_for(aggregate_type), [event.to_json()])
        await wait_until(lambda: _handled(events_pool, service, event.id), within=15)
    finally:
        stop.set()
        await asyncio.wait_for(workers, 20)
