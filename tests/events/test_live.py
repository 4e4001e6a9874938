"""The live stream: a subscriber gets its tenant's new events, of the types it asked for."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest

from services.core.embedded import EmbeddedBroker
from services.core.settings import Settings
from services.events.envelope import Envelope
from services.events.live import LiveEventHub, LiveStream, SubscriberTooSlow
from tests.events.conftest import fast_relay, record, running
from tests.support.outbox import all_sent
from tests.support.polling import wait_until


@contextlib.asynccontextmanager
async def _hub(settings: Settings, **options: float) -> AsyncIterator[LiveEventHub]:
    hub = LiveEventHub(settings, refresh_interval=0.3, **options)  # type: ignore[arg-type]
    await hub.start()
    try:
        assert await hub.wait_ready(10)
        yield hub
    finally:
        await hub.stop()


async def _take(stream: LiveStream, count: int, within: float = 10) -> list[Envelope]:
    async with asyncio.timeout(within):
        return [await anext(stream) for _ in range(count)]


async def _nothing_more(stream: LiveStream, within: float = 0.5) -> bool:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within):
            await anext(stream)
            return False
    return True


async def test_subscriber_gets_its_tenants_new_events_of_its_types(
    events_pool: asyncpg.Pool, events_settings: Settings, aggregate_type: str
) -> None:
    tenant_a, tenant_b = uuid.uuid4(), uuid.uuid4()
    async with running(fast_relay(events_pool, events_settings)):
        history = await record(events_pool, tenant=tenant_a, aggregate_type=aggregate_type, aggregate_id="1")
        await wait_until(lambda: all_sent(events_pool, aggregate_type))

        async with (
            _hub(events_settings) as hub,
            hub.subscribe(tenant=tenant_a) as everything_of_a,
            hub.subscribe(tenant=str(tenant_a).upper(), types=["thing.archived.*"]) as archived_of_a,
            hub.subscribe(tenant=tenant_b) as everything_of_b,
        ):
            created_a = await record(
                events_pool,
                tenant=tenant_a,
                aggregate_type=aggregate_type,
                aggregate_id="1",
                event_type="thing.created.v1",
            )
            created_b = await record(
                events_pool,
                tenant=tenant_b,
                aggregate_type=aggregate_type,
                aggregate_id="2",
                event_type="thing.created.v1",
            )
            archived_a = await record(
                events_pool,
                tenant=tenant_a,
                aggregate_type=aggregate_type,
                aggregate_id="1",
                event_type="thing.archived.v1",
            )
            # A topic that appears after the hub started is followed from its first event.
            other_type = aggregate_type + "_other"
            elsewhere_a = await record(
                events_pool, tenant=tenant_a, aggregate_type=other_type, aggregate_id="9"
            )

            got_a = await _take(everything_of_a, 3)
            assert got_a[:2] == [created_a, archived_a]  # one aggregate: in order
            assert got_a[2] == elsewhere_a
            assert await _take(archived_of_a, 1) == [archived_a]
            assert await _take(everything_of_b, 1) == [created_b]
            assert await _nothing_more(everything_of_a)
            assert await _nothing_more(archived_of_a, 0.1)
            assert await _nothing_more(everything_of_b, 0.1)
            assert history not in got_a
            assert hub.subscriber_count == 3
        assert hub.subscriber_count == 0


async def test_streams_end_when_the_hub_stops(events_settings: Settings) -> None:
    async with _hub(events_settings) as hub, hub.subscribe(tenant=uuid.uuid4()) as stream:
        await hub.stop()
        assert [envelope async for envelope in stream] == []


def _envelope(tenant: uuid.UUID) -> Envelope:
    return Envelope.new(
        source="tests", type="thing.created.v1", tenant=tenant, aggregate_type="thing", subject="1", data={}
    )


async def test_a_subscriber_that_falls_behind_is_disconnected() -> None:
    tenant = uuid.uuid4()
    stream = LiveStream(tenant=str(tenant), types=None, maxsize=2)
    assert stream.offer(_envelope(tenant)) and stream.offer(_envelope(tenant))
    assert not stream.offer(_envelope(tenant))
    with pytest.raises(SubscriberTooSlow):
        await anext(stream)
    assert not stream.offer(_envelope(tenant))


async def test_subscribing_needs_a_running_hub(events_settings: Settings) -> None:
    hub = LiveEventHub(events_settings)
    with pytest.raises(RuntimeError, match="not running"):
        async with hub.subscribe(tenant=uuid.uuid4()):
            pass


async def test_a_subscriber_hears_events_after_the_broker_comes_back_empty(
    events_pool: asyncpg.Pool, events_settings: Settings, aggregate_type: str
) -> None:
    """Issue #17: the hub must not seek a new, empty broker's partitions to the old offsets."""
    tenant = uuid.uuid4()
    broker = EmbeddedBroker()
    await asyncio.to_thread(broker.start)
    settings = replace(events_settings, kafka_bootstrap_servers=broker.bootstrap_servers)
    # One aggregate per partition at least, so every partition has a position past 0.
    aggregates = [str(n) for n in range(12)]
    try:
        async with (
            running(fast_relay(events_pool, settings, send_timeout=1.0)),
            _hub(settings) as hub,
            hub.subscribe(tenant=tenant) as stream,
        ):
            before = [
                await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id=a)
                for a in aggregates
            ]
            assert {e.id for e in await _take(stream, len(before))} == {e.id for e in before}

            assert broker.process is not None
            os.killpg(broker.process.pid, signal.SIGKILL)
            await asyncio.to_thread(broker.process.wait)
            broker = EmbeddedBroker(port=broker.port)
            await asyncio.to_thread(broker.start)

            after = [
                await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id=a)
                for a in aggregates
            ]
            assert {e.id for e in await _take(stream, len(after), within=30)} == {e.id for e in after}
    finally:
        await asyncio.to_thread(broker.stop)
