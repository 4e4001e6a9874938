"""Benchmark: events through the transactional outbox and relay vs. straight to the broker.

``make bench-events`` (or ``python -m bench.events``). Starts its own embedded PostgreSQL and
broker in a temporary folder (whatever the environment says), so figures are comparable
between runs and nothing is left behind. Producer, relay and consumer share one process and
one event loop, in every scenario alike.

Scenarios, each with the same load (EVENTS events over AGGREGATES aggregates, PER_TRANSACTION
per transaction):

- live: the relay runs while the events are recorded; latency is from the commit of an
  event's transaction to the consumer reading it.
- backlog: the events are recorded first, then the relay starts; throughput is how fast it
  drains them to the consumer.
- direct: the same messages produced straight to the broker in groups of PER_TRANSACTION
  (each group awaited, as a service publishing after its commit would); latency is from the
  send to the consumer reading it. No outbox: nothing survives a crash between commit and send.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.core.db import create_pool
from services.core.embedded import embedded_services
from services.core.migrations import migrate
from services.core.settings import Settings
from services.events.envelope import Envelope
from services.events.outbox import record_event
from services.events.relay import OutboxRelay
from services.events.topics import ensure_topics, new_admin, topic_for

EVENTS = 20_000
AGGREGATES = 200
PER_TRANSACTION = 50
# The embedded broker does not answer a waiting fetch as soon as data arrives, so with the
# default 500 ms wait every figure would mostly measure that wait.
FETCH_MAX_WAIT_MS = 50
TENANT = uuid.uuid4()
AGGREGATE_IDS = [str(uuid.uuid4()) for _ in range(AGGREGATES)]


@dataclass
class Receipts:
    """What a consumer saw: when each event id arrived."""

    expected: int
    arrived: dict[str, float] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)


async def _consume(settings: Settings, topic: str, receipts: Receipts) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=None,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.kafka_topic_partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        while len(receipts.arrived) < receipts.expected:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                now = time.time()
                for record in records:
                    receipts.arrived.setdefault(orjson.loads(record.value)["id"], now)
        receipts.done.set()
    finally:
        await consumer.stop()


async def _start_consumer(
    settings: Settings, topic: str, expected: int
) -> tuple[Receipts, asyncio.Task[None]]:
    receipts = Receipts(expected)
    return receipts, asyncio.create_task(_consume(settings, topic, receipts))


async def _record_all(pool: asyncpg.Pool, aggregate_type: str) -> tuple[dict[str, float], float]:
    """Record the load; return each event's commit time and the seconds it took."""
    committed: dict[str, float] = {}
    started = time.perf_counter()
    for first in range(0, EVENTS, PER_TRANSACTION):
        ids = []
        async with pool.acquire() as conn, conn.transaction():
            for n in range(first, first + PER_TRANSACTION):
                envelope = await record_event(
                    conn,  # type: ignore[arg-type]
                    tenant_id=TENANT,
                    aggregate_type=aggregate_type,
                    aggregate_id=AGGREGATE_IDS[n % AGGREGATES],
                    event_type="bench.happened.v1",
                    data={"n": n},
                    source="bench/events",
                )
                ids.append(str(envelope.id))
        now = time.time()
        committed.update(dict.fromkeys(ids, now))
    return committed, time.perf_counter() - started


def _latencies_ms(receipts: Receipts, since: dict[str, float]) -> list[float]:
    return [(receipts.arrived[i] - since[i]) * 1000 for i in since if i in receipts.arrived]


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


async def _relay_live(settings: Settings, pool: asyncpg.Pool) -> dict[str, float]:
    topic = topic_for("bench_live")
    receipts, consumer = await _start_consumer(settings, topic, EVENTS)
    stop = asyncio.Event()
    relay = asyncio.create_task(OutboxRelay(pool=pool, settings=settings).run(stop))
    started = time.perf_counter()
    committed, recording = await _record_all(pool, "bench_live")
    await asyncio.wait_for(receipts.done.wait(), 120)
    elapsed = time.perf_counter() - started
    stop.set()
    await relay
    await consumer
    latencies = _latencies_ms(receipts, committed)
    return {
        "received": len(receipts.arrived),
        "record_rate": EVENTS / recording,
        "rate": EVENTS / elapsed,
        "p50": _percentile(latencies, 50),
        "p99": _percentile(latencies, 99),
    }


async def _relay_backlog(settings: Settings, pool: asyncpg.Pool) -> dict[str, float]:
    topic = topic_for("bench_backlog")
    await _record_all(pool, "bench_backlog")
    receipts, consumer = await _start_consumer(settings, topic, EVENTS)
    stop = asyncio.Event()
    started = time.perf_counter()
    relay = asyncio.create_task(OutboxRelay(pool=pool, settings=settings).run(stop))
    await asyncio.wait_for(receipts.done.wait(), 120)
    elapsed = time.perf_counter() - started
    stop.set()
    await relay
    await consumer
    return {"received": len(receipts.arrived), "rate": EVENTS / elapsed}


async def _direct(settings: Settings) -> dict[str, float]:
    topic = topic_for("bench_direct")
    receipts, consumer = await _start_consumer(settings, topic, EVENTS)
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_idempotence=settings.kafka_enable_idempotence,
        acks="all",
        linger_ms=2,
        max_batch_size=128 * 1024,
    )
    await producer.start()
    sent: dict[str, float] = {}
    started = time.perf_counter()
    try:
        for first in range(0, EVENTS, PER_TRANSACTION):
            pending = []
            for n in range(first, first + PER_TRANSACTION):
                envelope = Envelope.new(
                    source="bench/events",
                    type="bench.happened.v1",
                    tenant=TENANT,
                    aggregate_type="bench_direct",
                    subject=AGGREGATE_IDS[n % AGGREGATES],
                    data={"n": n},
                )
                sent[str(envelope.id)] = time.time()
                pending.append(await producer.send(topic, envelope.to_json(), key=envelope.subject.encode()))
            await asyncio.gather(*pending)
        await asyncio.wait_for(receipts.done.wait(), 120)
    finally:
        await producer.stop()
    elapsed = time.perf_counter() - started
    await consumer
    latencies = _latencies_ms(receipts, sent)
    return {
        "received": len(receipts.arrived),
        "rate": EVENTS / elapsed,
        "p50": _percentile(latencies, 50),
        "p99": _percentile(latencies, 99),
    }


async def _bench(settings: Settings, say: Callable[[str], None]) -> None:
    admin = new_admin(settings)
    await admin.start()
    try:
        topics = [topic_for(name) for name in ("bench_live", "bench_backlog", "bench_direct")]
        await ensure_topics(admin, topics, partitions=settings.kafka_topic_partitions)
    finally:
        await admin.close()
    pool = await create_pool(settings)
    try:
        live = await _relay_live(settings, pool)
        backlog = await _relay_backlog(settings, pool)
    finally:
        await pool.close()
    direct = await _direct(settings)

    load = f"{EVENTS} events, {AGGREGATES} aggregates, {PER_TRANSACTION} per transaction"
    say(f"events benchmark ({load}; {settings.kafka_topic_partitions} partitions)")
    say(f"  record_event      {live['record_rate']:8.0f} events/s committed (one connection)")
    say(
        f"  outbox, live      {live['rate']:8.0f} events/s end to end   "
        f"commit→consumer p50 {live['p50']:6.1f} ms  p99 {live['p99']:6.1f} ms"
    )
    say(f"  outbox, backlog   {backlog['rate']:8.0f} events/s relay drain")
    say(
        f"  direct produce    {direct['rate']:8.0f} events/s end to end   "
        f"send→consumer   p50 {direct['p50']:6.1f} ms  p99 {direct['p99']:6.1f} ms"
    )
    say(
        f"  ratio outbox/direct: throughput {backlog['rate'] / direct['rate']:.2f} (backlog), "
        f"{live['rate'] / direct['rate']:.2f} (live); latency p50 {live['p50'] / direct['p50']:.1f}x, "
        f"p99 {live['p99'] / direct['p99']:.1f}x"
    )
    for name, figures in (("live", live), ("backlog", backlog), ("direct", direct)):
        if figures["received"] != EVENTS:
            say(f"  WARNING: {name} consumer saw {figures['received']:.0f} of {EVENTS} events")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="alliance-bench-") as folder:
        settings = replace(Settings.from_env({}), data_dir=Path(folder), log_json=False)
        with embedded_services(settings) as running:
            migrate(running)
            asyncio.run(_bench(running, lambda line: print(line, flush=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
