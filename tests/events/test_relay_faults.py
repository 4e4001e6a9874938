"""Nothing is lost when the relay dies or the broker goes away; duplicates have no effect."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from services.core.embedded import EmbeddedBroker
from services.core.settings import Settings
from services.events.envelope import Envelope
from services.events.outbox import record_event
from services.events.registry import Registry
from services.events.relay import OutboxRelay
from services.events.topics import topic_for
from tests.events.conftest import (
    by_aggregate,
    consuming,
    counting_handler,
    effects,
    fast_relay,
    make_consumer,
    read_topic,
    running,
    service_name,
)
from tests.support.outbox import all_sent, unsent
from tests.support.polling import wait_until


async def _record_rounds(
    pool: asyncpg.Pool, *, tenant: uuid.UUID, aggregate_type: str, aggregates: list[str], rounds: range
) -> list[Envelope]:
    """One transaction per round, one event per aggregate in each; ``data.n`` is the round."""
    recorded = []
    for n in rounds:
        async with pool.acquire() as conn, conn.transaction():
            for aggregate in aggregates:
                recorded.append(
                    await record_event(
                        conn,  # type: ignore[arg-type]
                        tenant_id=tenant,
                        aggregate_type=aggregate_type,
                        aggregate_id=aggregate,
                        event_type="thing.changed.v1",
                        data={"n": n},
                        source="tests/events",
                    )
                )
    return recorded


async def _sent(pool: asyncpg.Pool, aggregate_type: str) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM outbox WHERE aggregate_type = $1 AND sent_at IS NOT NULL", aggregate_type
    )
    return count


async def _effect_once_each(
    pool: asyncpg.Pool, settings: Settings, aggregate_type: str, expected: list[Envelope]
) -> None:
    """Consume the topic as a service and check every event took effect exactly once."""
    service = service_name()
    registry = Registry()
    registry.add(service=service, aggregate_type=aggregate_type, handler=counting_handler(service))

    async def all_handled() -> bool:
        return len(await effects(pool, service)) == len(expected)

    async with consuming(make_consumer(pool, settings, registry, service)):
        await wait_until(all_handled, within=20)
        await asyncio.sleep(0.3)  # room for a late duplicate to (wrongly) take effect
    counts = await effects(pool, service)
    assert counts.keys() == {e.id for e in expected}
    assert set(counts.values()) == {1}


async def test_relay_killed_mid_run_then_restarted_delivers_everything(
    events_pool: asyncpg.Pool,
    events_settings: Settings,
    tenant: uuid.UUID,
    aggregate_type: str,
    tmp_path: Path,
) -> None:
    aggregates = [str(uuid.uuid4()) for _ in range(10)]
    recorded = await _record_rounds(
        events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregates=aggregates, rounds=range(60)
    )
    env = {**os.environ, **events_settings.to_env(), "LOG_JSON": "false", "LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        "-m",
        "services.events",
        "relay",
        "--batch-size",
        "10",
        "--poll-interval",
        "0.2",
    ]
    log = (tmp_path / "relay.log").open("wb")

    async def some_sent() -> bool:
        return await _sent(events_pool, aggregate_type) > 0

    first = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: ASYNC220, S603
    try:
        await wait_until(some_sent, within=20, interval=0.005)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(5)
    sent_at_kill = await _sent(events_pool, aggregate_type)
    assert 0 < sent_at_kill < len(recorded), "the relay should die with work left"

    second = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: ASYNC220, S603
    try:
        await wait_until(lambda: all_sent(events_pool, aggregate_type), within=20)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(10) == 0, (tmp_path / "relay.log").read_text()

    records = await read_topic(
        events_settings.kafka_bootstrap_servers or "", topic_for(aggregate_type), count=len(recorded)
    )
    assert {Envelope.from_json(r.value).id for r in records} == {e.id for e in recorded}
    for events in by_aggregate(records).values():
        assert [e.data["n"] for e in events] == list(range(60))
    await _effect_once_each(events_pool, events_settings, aggregate_type, recorded)


class _Crash(BaseException):
    """The process dies: nothing after this point runs."""


class _CrashAfterKafkaTookTheBatch(OutboxRelay):
    async def _publish(self, producer: AIOKafkaProducer, rows: Any) -> None:
        await super()._publish(producer, rows)
        raise _Crash


async def test_batch_sent_but_not_marked_is_sent_again_and_takes_effect_once(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    aggregates = [str(uuid.uuid4()) for _ in range(3)]
    recorded = await _record_rounds(
        events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregates=aggregates, rounds=range(4)
    )
    crashing = _CrashAfterKafkaTookTheBatch(pool=events_pool, settings=events_settings, batch_size=100)
    try:
        with contextlib.suppress(_Crash):
            await crashing.send_pending()
    finally:
        await crashing.close()
    assert await unsent(events_pool, aggregate_type) == len(recorded)

    async with running(fast_relay(events_pool, events_settings)):
        await wait_until(lambda: all_sent(events_pool, aggregate_type))

    records = await read_topic(
        events_settings.kafka_bootstrap_servers or "", topic_for(aggregate_type), count=2 * len(recorded)
    )
    assert len(records) == 2 * len(recorded)  # every event twice
    for events in by_aggregate(records).values():
        assert [e.data["n"] for e in events] == list(range(4))
    await _effect_once_each(events_pool, events_settings, aggregate_type, recorded)


async def test_broker_outage_recording_goes_on_and_the_relay_catches_up(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    broker = EmbeddedBroker()
    await asyncio.to_thread(broker.start)
    settings = replace(events_settings, kafka_bootstrap_servers=broker.bootstrap_servers)
    aggregates = [str(uuid.uuid4()) for _ in range(3)]
    try:
        async with running(fast_relay(events_pool, settings, send_timeout=1.0, max_backoff=0.3)):
            await _record_rounds(
                events_pool,
                tenant=tenant,
                aggregate_type=aggregate_type,
                aggregates=aggregates,
                rounds=range(1),
            )
            await wait_until(lambda: all_sent(events_pool, aggregate_type))

            # The broker dies (stop() would first wait 5 s for connected clients to leave).
            assert broker.process is not None
            os.killpg(broker.process.pid, signal.SIGKILL)
            await asyncio.to_thread(broker.process.wait)
            during = await _record_rounds(
                events_pool,
                tenant=tenant,
                aggregate_type=aggregate_type,
                aggregates=aggregates,
                rounds=range(1, 6),
            )

            async def tried() -> bool:
                return bool(
                    await events_pool.fetchval(
                        "SELECT bool_or(attempts > 0) FROM outbox WHERE id = ANY ($1::uuid[])",
                        [e.id for e in during],
                    )
                )

            # The relay claimed a batch, failed to send it, counted the attempt and backs off.
            await wait_until(tried, within=20)
            assert await unsent(events_pool, aggregate_type) == len(during)

            # A new, empty broker on the same address: no topics, no messages.
            broker = EmbeddedBroker(port=broker.port)
            await asyncio.to_thread(broker.start)
            await wait_until(lambda: all_sent(events_pool, aggregate_type), within=20)

        records = await read_topic(broker.bootstrap_servers, topic_for(aggregate_type), count=len(during))
        assert {Envelope.from_json(r.value).id for r in records} == {e.id for e in during}
        for events in by_aggregate(records).values():
            assert [e.data["n"] for e in events] == list(range(1, 6))
        # Created by the relay with our partition count (auto-creation would use the broker's).
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        await admin.start()
        try:
            [topic] = await admin.describe_topics([topic_for(aggregate_type)])
        finally:
            await admin.close()
        assert len(topic["partitions"]) == settings.kafka_topic_partitions
        attempts = await events_pool.fetchval(
            "SELECT max(attempts) FROM outbox WHERE id = ANY($1)", [e.id for e in during]
        )
        assert attempts > 1  # the failed send was counted
    finally:
        await asyncio.to_thread(broker.stop)
