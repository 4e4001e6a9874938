"""The relay: committed events reach Kafka in order per aggregate, keyed by aggregate id."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg

from services.core.db import create_pool
from services.core.settings import Settings
from services.events.envelope import Envelope
from services.events.relay import RELAY_LOCK_KEY
from services.events.topics import topic_for
from tests.events.conftest import by_aggregate, fast_relay, read_topic, record, running
from tests.support.outbox import all_sent, unsent
from tests.support.polling import wait_until


async def test_events_arrive_in_order_per_aggregate_with_the_aggregate_as_key(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    aggregates = [str(uuid.uuid4()) for _ in range(3)]
    recorded: list[Envelope] = []
    for n in range(10):  # interleaved: a0 a1 a2 a0 a1 a2 …
        for aggregate in aggregates:
            recorded.append(
                await record(
                    events_pool,
                    tenant=tenant,
                    aggregate_type=aggregate_type,
                    aggregate_id=aggregate,
                    data={"n": n},
                )
            )

    # Batches of 7 split every aggregate's events over several batches.
    async with running(fast_relay(events_pool, events_settings, batch_size=7)):
        await wait_until(lambda: all_sent(events_pool, aggregate_type))

    records = await read_topic(
        events_settings.kafka_bootstrap_servers or "", topic_for(aggregate_type), count=len(recorded)
    )
    assert len(records) == len(recorded)
    for r in records:
        envelope = Envelope.from_json(r.value)
        assert r.key == envelope.subject.encode()
        assert dict(r.headers)["content-type"] == b"application/cloudevents+json"
    assert {Envelope.from_json(r.value) for r in records} == set(recorded)
    arrived = by_aggregate(records)
    assert sorted(arrived) == sorted(aggregates)
    for aggregate in aggregates:
        assert [e.data["n"] for e in arrived[aggregate]] == list(range(10))
    attempts = await events_pool.fetch(
        "SELECT DISTINCT attempts FROM outbox WHERE aggregate_type = $1", aggregate_type
    )
    assert [row["attempts"] for row in attempts] == [1]


async def test_two_relays_at_once_send_each_row_once(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    other_pool = await create_pool(events_settings)
    aggregates = [str(uuid.uuid4()) for _ in range(10)]

    async def record_for(aggregate: str) -> None:
        for n in range(20):
            await record(
                events_pool,
                tenant=tenant,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate,
                data={"n": n},
            )

    try:
        async with (
            running(fast_relay(events_pool, events_settings, batch_size=5)),
            running(fast_relay(other_pool, events_settings, batch_size=5)),
        ):
            # Recorded while both relays run, so they compete for every batch.
            await asyncio.gather(*(record_for(a) for a in aggregates))
            await wait_until(lambda: all_sent(events_pool, aggregate_type))
    finally:
        await other_pool.close()

    bootstrap = events_settings.kafka_bootstrap_servers or ""
    records = await read_topic(bootstrap, topic_for(aggregate_type), count=200)
    ids = [Envelope.from_json(r.value).id for r in records]
    assert len(ids) == len(set(ids)) == 200
    for events in by_aggregate(records).values():
        assert [e.data["n"] for e in events] == list(range(20))


async def test_a_relay_stands_by_while_another_holds_the_lock(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id="1")
    relay = fast_relay(events_pool, events_settings)
    try:
        async with events_pool.acquire() as other, other.transaction():
            await other.execute("SELECT pg_advisory_xact_lock($1)", RELAY_LOCK_KEY)
            assert await relay.send_pending() == 0
            assert await unsent(events_pool, aggregate_type) == 1
        assert await relay.send_pending() >= 1
        assert await unsent(events_pool, aggregate_type) == 0
    finally:
        await relay.close()


async def test_prune_deletes_only_rows_sent_before_the_retention(
    events_pool: asyncpg.Pool,
    events_settings: Settings,
    tenant: uuid.UUID,
    aggregate_type: str,
) -> None:
    old, recent, pending = [
        await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id=str(n))
        for n in range(3)
    ]
    await events_pool.execute("UPDATE outbox SET sent_at = now() - interval '8 days' WHERE id = $1", old.id)
    await events_pool.execute("UPDATE outbox SET sent_at = now() - interval '1 day' WHERE id = $1", recent.id)
    relay = fast_relay(events_pool, events_settings, retention=timedelta(days=7))
    assert await relay.prune() >= 1
    left = await events_pool.fetch(
        "SELECT id FROM outbox WHERE aggregate_type = $1 ORDER BY seq", aggregate_type
    )
    assert [row["id"] for row in left] == [recent.id, pending.id]


async def test_relay_wakes_on_commit_not_on_its_poll(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    """With a 60 s poll, only the commit's notification can get an event sent within seconds."""
    await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id="0")
    async with running(fast_relay(events_pool, events_settings, poll_interval=60)):
        # Sent by its first pass: the relay is up, and it listens before it claims anything.
        await wait_until(lambda: all_sent(events_pool, aggregate_type=aggregate_type), within=10)
        await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id="1")
        await wait_until(lambda: all_sent(events_pool, aggregate_type=aggregate_type), within=10)
