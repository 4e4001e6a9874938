"""The live stream: events as they reach Kafka, fanned out to this process's subscribers.

One consumer per process reads every event topic, without a consumer group (each process
needs every event; nothing is committed), and hands each envelope to the subscribers of its
tenant. A subscriber sees the events that arrive while it is subscribed: this is a live view
for GraphQL subscriptions, not a delivery guarantee (systems that must not miss an event
consume Kafka as a group).

Starting "from now" uses the partitions' end offsets. The embedded broker (Tansu 0.6) reports
an end as the start of the last record batch plus one, so with it a hub that starts may pass
on the tail of the last batch written before; real Kafka reports the exact end.

A broker that restarts empty (the embedded one always does) or a topic deleted and made
again starts its partitions from offset 0, while the hub remembers where it was: reading on
from there would skip what the new partition holds before that offset. So the hub keeps, per
partition, the offset and event id of the last record it passed on, and after every
reconnection reads that record again first: if it is still there, the partition is the same
and the hub goes on after it; if it is not (another event, another offset, or the offset is
gone), the partition was reset and the hub reads it from its new beginning. A partition that
vanishes from the cluster's metadata and comes back is read from its beginning too. Events
the hub passed on recently are not passed on twice.

Slow subscribers: each has a bounded queue; one that falls further behind than the queue
holds is disconnected with ``SubscriberTooSlow`` rather than silently losing events, so the
client knows to re-read the current state and subscribe again. Other subscribers and the hub
never wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import logging
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from services.core.backoff import Backoff, wait_or_stop
from services.core.broker import START_TIMEOUT, ConnectionLost, pause_when_connection_breaks, stop_quietly
from services.core.metrics import LIVE_SUBSCRIBERS
from services.core.settings import Settings
from services.events.envelope import Envelope, EnvelopeError
from services.events.topics import is_event_topic, new_admin

log = logging.getLogger(__name__)

_RECENT = 4096  # event ids remembered so that a partition read again passes nothing on twice
_REQUEST_TIMEOUT = 5.0


class SubscriberTooSlow(RuntimeError):
    """The subscriber fell behind by more than its queue holds; its stream was ended."""


class LiveStream:
    """One subscriber's events, read with ``async for``."""

    def __init__(self, *, tenant: str, types: Iterable[str] | None, maxsize: int) -> None:
        self.tenant = tenant
        self._types = None if types is None else tuple(types)
        self._maxsize = maxsize
        self._items: deque[Envelope] = deque()
        self._arrived = asyncio.Event()
        self._closed = False
        self._error: BaseException | None = None

    def wants(self, envelope: Envelope) -> bool:
        """Whether the subscriber asked for this event type (exact names or globs)."""
        return self._types is None or any(fnmatch.fnmatchcase(envelope.type, t) for t in self._types)

    def offer(self, envelope: Envelope) -> bool:
        """Queue an event; ``False`` (and the stream ends) if the subscriber is too far behind."""
        if self._closed:
            return False
        if len(self._items) >= self._maxsize:
            self._items.clear()
            self.close(SubscriberTooSlow(f"more than {self._maxsize} events behind"))
            return False
        self._items.append(envelope)
        self._arrived.set()
        return True

    def close(self, error: BaseException | None = None) -> None:
        """End the stream: queued events are still read, then ``error`` (if any) is raised."""
        if not self._closed:
            self._closed = True
            self._error = error
            self._arrived.set()

    def __aiter__(self) -> LiveStream:
        return self

    async def __anext__(self) -> Envelope:
        while not self._items:
            if self._closed:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._arrived.clear()
            await self._arrived.wait()
        return self._items.popleft()


class LiveEventHub:
    """Reads every event topic from the latest offsets and fans envelopes out by tenant.

    Topics matching ``alliance.<aggregate>.v1`` (not the dead-letter topic) are assigned by
    hand, re-read from the cluster's metadata every ``refresh_interval``. aiokafka's pattern
    subscription would do the matching, but without a group it rebuilds the assignment when a
    topic appears and every partition loses its position; with a group, each process would
    need a group of its own and rebalances would pause the stream.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        queue_size: int = 256,
        refresh_interval: float = 1.0,
        max_backoff: float = 5.0,
        fetch_max_wait_ms: int = 100,
    ) -> None:
        self._settings = settings
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._queue_size = queue_size
        self._refresh_interval = refresh_interval
        self._max_backoff = max_backoff
        self._by_tenant: dict[str, set[LiveStream]] = {}
        self._assigned: set[TopicPartition] = set()
        self._positions: dict[TopicPartition, int] = {}  # next offset to read
        # Offset and event id of the last record passed on, checked after a reconnection.
        self._checkpoints: dict[TopicPartition, tuple[int, str]] = {}
        self._verifying: dict[TopicPartition, tuple[int, str]] = {}
        self._recent: deque[str] = deque(maxlen=_RECENT)
        self._recent_ids: set[str] = set()
        self._synced_once = False
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin reading in the background; returns at once (see ``wait_ready``)."""
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self._run(), name="live-event-hub")

    async def wait_ready(self, within: float) -> bool:
        """Wait up to ``within`` seconds until the hub reads from the end of every event topic."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), within)
        return self._ready.is_set()

    async def stop(self) -> None:
        """Stop reading and end every subscriber's stream."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        for streams in self._by_tenant.values():
            for stream in streams:
                stream.close()
        self._by_tenant.clear()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, *, tenant: uuid.UUID | str, types: Iterable[str] | None = None
    ) -> AsyncIterator[LiveStream]:
        """Events of ``tenant`` (of ``types`` only, if given) from now until the block exits."""
        if self._task is None:
            raise RuntimeError("the live event hub is not running")
        stream = LiveStream(tenant=str(uuid.UUID(str(tenant))), types=types, maxsize=self._queue_size)
        self._by_tenant.setdefault(stream.tenant, set()).add(stream)
        LIVE_SUBSCRIBERS.inc()
        try:
            yield stream
        finally:
            LIVE_SUBSCRIBERS.dec()
            self._remove(stream)
            stream.close()

    @property
    def subscriber_count(self) -> int:
        return sum(len(streams) for streams in self._by_tenant.values())

    async def _run(self) -> None:
        backoff = Backoff(cap=self._max_backoff)
        while not self._stop.is_set():
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._settings.kafka_bootstrap_servers,
                group_id=None,
                client_id="alliance-live",
                enable_auto_commit=False,
                # Applies to partitions without a position (a topic that appears after the hub
                # started, or one a restarted broker lost and made again) and to positions a
                # reset partition no longer has.
                auto_offset_reset="earliest",
                # Short: the embedded broker answers a waiting fetch only when the wait ends,
                # and this wait is what a subscriber would see as delay.
                fetch_max_wait_ms=self._fetch_max_wait_ms,
                request_timeout_ms=int(_REQUEST_TIMEOUT * 1000),
            )
            admin = new_admin(self._settings)
            lost = pause_when_connection_breaks(consumer)
            try:
                async with asyncio.timeout(START_TIMEOUT):
                    await consumer.start()
                    await admin.start()
                # Whatever happened while disconnected, check each partition's last record.
                self._assigned = set()
                self._verifying = dict(self._checkpoints)
                await self._sync(consumer, admin)
                self._ready.set()
                backoff.reset()
                await self._pump(consumer, admin, lost)
            except (KafkaError, OSError) as exc:  # TimeoutError is an OSError
                log.warning("live hub: broker unavailable, retrying: %r", exc)
            except Exception:
                # The hub lives inside the web server: log and go on rather than go silent.
                log.exception("live hub failed, restarting it")
            finally:
                await stop_quietly(consumer)
                await stop_quietly(admin)
                self._assigned = set()
            await wait_or_stop(self._stop, backoff.next_delay())

    async def _pump(
        self, consumer: AIOKafkaConsumer, admin: AIOKafkaAdminClient, lost: asyncio.Event
    ) -> None:
        next_sync = time.monotonic() + self._refresh_interval
        while not self._stop.is_set():
            if lost.is_set():
                raise ConnectionLost("connection to the broker broken")
            if self._assigned:
                batches = await consumer.getmany(timeout_ms=500)
                for partition, records in batches.items():
                    if partition in self._verifying and not await self._verify(consumer, partition, records):
                        continue
                    for record in records:
                        self._positions[partition] = record.offset + 1
                        self._dispatch(partition, record)
            else:
                await wait_or_stop(self._stop, min(self._refresh_interval, 0.5))
            if time.monotonic() >= next_sync:
                # Also how a lost broker shows: the request fails and the hub reconnects.
                async with asyncio.timeout(_REQUEST_TIMEOUT):
                    await self._sync(consumer, admin)
                next_sync = time.monotonic() + self._refresh_interval

    async def _verify(
        self, consumer: AIOKafkaConsumer, partition: TopicPartition, records: list[ConsumerRecord[Any, Any]]
    ) -> bool:
        """Whether ``records`` go on from the checkpoint (which is then dropped from them);
        if not, the partition was reset and is read again from its beginning."""
        offset, event_id = self._verifying.pop(partition)
        first = records[0]
        if first.offset == offset and _event_id(first) == event_id:
            del records[0]
            return True
        log.warning(
            "live hub: %s/%d was reset (broker restarted empty or topic made again); "
            "reading it from its beginning",
            partition.topic,
            partition.partition,
        )
        self._checkpoints.pop(partition, None)
        async with asyncio.timeout(_REQUEST_TIMEOUT):
            await consumer.seek_to_beginning(partition)
        return False

    async def _sync(self, consumer: AIOKafkaConsumer, admin: AIOKafkaAdminClient) -> None:
        """Follow topics as they appear or vanish; keep the read position of the others."""
        described = [t for t in await admin.describe_topics() if is_event_topic(t["topic"])]
        if any(topic["error_code"] != 0 for topic in described):
            # A topic in a transient state: dropping it now would later read it from the start.
            return
        partitions = {
            TopicPartition(topic["topic"], p["partition"]) for topic in described for p in topic["partitions"]
        }
        if partitions != self._assigned:
            # assign() forgets every position; put them back before yielding to the event
            # loop, so that the fetcher never reads a partition from a default position.
            consumer.assign(sorted(partitions))
            fresh = []
            for partition in partitions:
                if partition in self._verifying:
                    consumer.seek(partition, self._verifying[partition][0])
                elif partition in self._positions:
                    consumer.seek(partition, self._positions[partition])
                else:
                    fresh.append(partition)
            # A partition that vanished is forgotten: when it comes back it is a new one.
            self._positions = {tp: pos for tp, pos in self._positions.items() if tp in partitions}
            self._checkpoints = {tp: c for tp, c in self._checkpoints.items() if tp in partitions}
            self._verifying = {tp: c for tp, c in self._verifying.items() if tp in partitions}
            self._assigned = partitions
            if fresh and not self._synced_once:
                # Live from now: what the topics held before the hub started is history.
                await consumer.seek_to_end(*fresh)
                for partition in fresh:
                    self._positions[partition] = await consumer.position(partition)
        self._synced_once = True

    def _dispatch(self, partition: TopicPartition, record: ConsumerRecord[Any, Any]) -> None:
        try:
            envelope = Envelope.from_json(record.value)
        except EnvelopeError as exc:
            log.warning("live hub: skipped %s/%d@%d: %s", record.topic, record.partition, record.offset, exc)
            return
        self._checkpoints[partition] = (record.offset, str(envelope.id))
        if not self._first_time(str(envelope.id)):
            return
        for stream in list(self._by_tenant.get(envelope.tenant, ())):
            if stream.wants(envelope) and not stream.offer(envelope):
                log.warning("live hub: disconnected a subscriber that fell behind")
                self._remove(stream)

    def _first_time(self, event_id: str) -> bool:
        if event_id in self._recent_ids:
            return False
        if len(self._recent) == self._recent.maxlen:
            self._recent_ids.discard(self._recent[0])
        self._recent.append(event_id)
        self._recent_ids.add(event_id)
        return True

    def _remove(self, stream: LiveStream) -> None:
        streams = self._by_tenant.get(stream.tenant)
        if streams is not None:
            streams.discard(stream)
            if not streams:
                del self._by_tenant[stream.tenant]


def _event_id(record: ConsumerRecord[Any, Any]) -> str | None:
    try:
        return str(Envelope.from_json(record.value).id)
    except EnvelopeError:
        return None
