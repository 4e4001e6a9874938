"""The Kafka producer, kept alive across broker outages, and how every producer starts."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.conn import CloseReason
from aiokafka.errors import KafkaError, UnknownError, UnsupportedVersionError

from services.core.settings import Settings

log = logging.getLogger(__name__)

# Every wait on the broker is bounded: aiokafka's start(), stop() and metadata calls can wait
# for ever on a broker that died or restarted.
START_TIMEOUT = 10.0
STOP_TIMEOUT = 1.0

# What a broker answers InitProducerId with when it cannot do idempotent producing: the
# embedded Tansu says UnknownError, older or stripped-down brokers UnsupportedVersion.
_NO_IDEMPOTENCE: tuple[type[KafkaError], ...] = (UnknownError, UnsupportedVersionError)


class ConnectionLost(KafkaError):  # type: ignore[misc]  # aiokafka's errors are untyped
    """A client's connection broke: the broker may have restarted, possibly empty."""


@functools.cache
def _warn_without_idempotence(bootstrap_servers: str) -> None:
    # Once per process and broker: the relay, the workers and the gateway all start producers.
    log.warning(
        "the broker at %s cannot run an idempotent producer (InitProducerId refused); sending "
        "without idempotence. Set KAFKA_ENABLE_IDEMPOTENCE=false to say so and silence this. "
        "Order and once-only handling still hold: one request in flight per partition, and "
        "consumers drop duplicates by event id.",
        bootstrap_servers,
    )


async def start_producer(settings: Settings, **options: Any) -> AIOKafkaProducer:
    """A started producer for the configured broker, within ``START_TIMEOUT`` seconds.

    With ``KAFKA_ENABLE_IDEMPOTENCE`` on and a broker that refuses idempotence, falls back
    to a plain producer (one warning per process) instead of retrying for ever.
    Raises ``KafkaError``/``OSError``/``TimeoutError`` when the broker cannot be reached.
    """
    idempotent = settings.kafka_enable_idempotence
    try:
        return await _start(settings, idempotent=idempotent, **options)
    except _NO_IDEMPOTENCE as exc:
        if not idempotent:
            raise
        _warn_without_idempotence(settings.kafka_bootstrap_servers or "")
        log.debug("InitProducerId refused: %r", exc)
    return await _start(settings, idempotent=False, **options)


async def _start(settings: Settings, *, idempotent: bool, **options: Any) -> AIOKafkaProducer:
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_idempotence=idempotent,
        acks="all",
        **options,
    )
    try:
        async with asyncio.timeout(START_TIMEOUT):
            await producer.start()
    except BaseException:
        await stop_quietly(producer)
        raise
    return producer


async def stop_quietly(client: Any, within: float = STOP_TIMEOUT) -> None:
    """Stop an aiokafka producer, consumer or admin client, giving up after ``within`` s."""
    stop = getattr(client, "stop", None) or client.close
    try:
        async with asyncio.timeout(within):
            await stop()
    except asyncio.CancelledError:
        # aiokafka's consumer.stop() lets the CancelledError of its own fetch tasks escape
        # when a connection broke before (fetcher.close() awaits the tasks it cancelled).
        # That one is not ours to pass on; a cancellation of this task is.
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.debug("aiokafka leaked a CancelledError while stopping %r", client)
    except Exception as exc:
        log.debug("stopping %r failed: %r", client, exc)


class Broker:
    """Owns one producer; starts it in the background and retries while the broker is down."""

    def __init__(self, settings: Settings) -> None:
        if not settings.kafka_bootstrap_servers:
            raise RuntimeError("no broker: start the embedded one or set KAFKA_BOOTSTRAP_SERVERS")
        self._settings = settings
        self.producer: AIOKafkaProducer | None = None
        self._started = asyncio.Event()
        self._starter: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Begin connecting; returns at once, the producer comes up when the broker does."""
        self._starter = asyncio.create_task(self._keep_starting(), name="broker-start")

    async def _keep_starting(self) -> None:
        delay = 0.2
        while True:
            try:
                producer = await start_producer(self._settings, linger_ms=5, request_timeout_ms=10_000)
            except Exception as exc:  # any failure to connect: retry with backoff
                log.warning("broker not reachable, retrying in %.1fs: %r", delay, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            self.producer = producer
            self._started.set()
            log.info("broker producer started")
            return

    async def wait_started(self, within: float) -> bool:
        """Wait up to ``within`` seconds for the producer; say whether it is up."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._started.wait(), within)
        return self._started.is_set()

    async def is_reachable(self, within: float = 2.0) -> bool:
        """Whether the broker answers a metadata request now."""
        if self.producer is None:
            return False
        try:
            async with asyncio.timeout(within):
                await self.producer.client.fetch_all_metadata()
        except Exception:
            return False
        return True

    async def stop(self) -> None:
        """Stop connecting and close the producer (flushing what it holds, briefly)."""
        if self._starter is not None:
            self._starter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starter
        if self.producer is not None:
            await stop_quietly(self.producer)
            self.producer = None


def on_connection_broken(consumer: AIOKafkaConsumer, callback: Callable[[], None]) -> None:
    """Call ``callback`` when one of ``consumer``'s connections breaks.

    aiokafka has no public hook for this; its client calls ``_on_connection_closed`` for every
    connection it closes (read when each connection is made, so set before ``start()``).
    """
    client = consumer._client
    original = client._on_connection_closed

    def closed(conn: object, reason: CloseReason) -> None:
        original(conn, reason)
        if reason in (CloseReason.CONNECTION_BROKEN, CloseReason.CONNECTION_TIMEOUT):
            callback()

    client._on_connection_closed = closed


def pause_when_connection_breaks(consumer: AIOKafkaConsumer) -> asyncio.Event:
    """An event set (and every partition of ``consumer`` paused) when a connection breaks.

    A broken connection may mean a broker that restarted empty; aiokafka reconnects by itself
    and would fetch on from the old positions, on partitions that now hold other records.
    Pausing at once means nothing is read until the owner has replaced the consumer.
    """
    lost = asyncio.Event()

    def broken() -> None:
        lost.set()
        with contextlib.suppress(Exception):
            consumer.pause(*consumer.assignment())

    on_connection_broken(consumer, broken)
    return lost
