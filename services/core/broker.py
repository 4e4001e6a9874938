"""The Kafka producer, kept alive across broker outages."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer

from services.core.settings import Settings

log = logging.getLogger(__name__)


class Broker:
    """Owns one producer; starts it in the background and retries while the broker is down."""

    def __init__(self, settings: Settings) -> None:
        if not settings.kafka_bootstrap_servers:
            raise RuntimeError("no broker: start the embedded one or set KAFKA_BOOTSTRAP_SERVERS")
        self._settings = settings
        self.producer: AIOKafkaProducer | None = None
        self._started = asyncio.Event()
        self._starter: asyncio.Task[None] | None = None

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            enable_idempotence=self._settings.kafka_enable_idempotence,
            acks="all",
            linger_ms=5,
            request_timeout_ms=10_000,
        )

    async def start(self) -> None:
        """Begin connecting; returns at once, the producer comes up when the broker does."""
        self._starter = asyncio.create_task(self._keep_starting(), name="broker-start")

    async def _keep_starting(self) -> None:
        delay = 0.2
        while True:
            producer = self._new_producer()
            try:
                await producer.start()
            except Exception as exc:  # any failure to connect: retry with backoff
                with contextlib.suppress(Exception):
                    await producer.stop()
                log.warning("broker not reachable, retrying in %.1fs: %s", delay, exc)
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
        """Stop connecting and close the producer (flushing what it holds)."""
        if self._starter is not None:
            self._starter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starter
        if self.producer is not None:
            await self.producer.stop()
            self.producer = None
