"""Consumer lag per group and partition: how many messages a group has yet to handle."""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from services.core.metrics import CONSUMER_LAG


class LagMeter:
    """Tracks the next offset each partition will handle and writes ``high watermark - next``.

    The next offset is the handled position, not the consumer's fetch position: records
    fetched but still waiting behind a slow handler count as lag. Sampled by a task of its own,
    so a handler that hangs shows as lag that grows rather than as a gauge that stops.
    """

    def __init__(self, group: str) -> None:
        self.group = group
        self._next: dict[TopicPartition, int] = {}
        self._reported: set[TopicPartition] = set()

    def arrived(self, partition: TopicPartition, first_offset: int) -> None:
        """A batch of ``partition`` starting at ``first_offset`` is about to be handled."""
        self._next.setdefault(partition, first_offset)

    def handled(self, partition: TopicPartition, offset: int) -> None:
        """The record at ``offset`` is done (handled, skipped or dead-lettered)."""
        self._next[partition] = offset + 1

    async def sample(self, consumer: AIOKafkaConsumer) -> None:
        """Write the lag of every partition assigned to ``consumer``."""
        assigned = set(consumer.assignment())
        for partition in assigned:
            high = consumer.highwater(partition)
            if high is None:
                continue
            position = self._next.get(partition)
            if position is None:
                with contextlib.suppress(KafkaError, TimeoutError):
                    async with asyncio.timeout(1):
                        position = await consumer.position(partition)
            if position is None:
                continue
            CONSUMER_LAG.labels(self.group, partition.topic, str(partition.partition)).set(
                max(0, high - position)
            )
            self._reported.add(partition)
        for partition in self._reported - assigned:
            self._forget(partition)

    def clear(self) -> None:
        """Drop every partition's series (the consumer stopped, or restarts afresh)."""
        for partition in set(self._reported):
            self._forget(partition)
        self._next.clear()

    async def run(self, consumer: AIOKafkaConsumer, interval: float) -> None:
        """Sample every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await self.sample(consumer)

    def _forget(self, partition: TopicPartition) -> None:
        self._reported.discard(partition)
        self._next.pop(partition, None)
        with contextlib.suppress(KeyError):
            CONSUMER_LAG.remove(self.group, partition.topic, str(partition.partition))
