"""Issue #9 §8: KAFKA_ENABLE_IDEMPOTENCE on (the default for an external broker) against a
broker that refuses InitProducerId (the embedded Tansu answers UnknownError). The platform
falls back to a plain producer with one warning naming the setting, instead of retrying for
ever with /readyz at 503."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import pytest

from services.core.broker import Broker
from services.core.embedded import EmbeddedBroker
from services.core.settings import Settings


async def test_a_broker_without_idempotence_gets_a_plain_producer_and_one_warning(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    embedded = EmbeddedBroker()  # as an "external" broker: Tansu refuses InitProducerId
    await asyncio.to_thread(embedded.start)
    external = replace(
        Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": embedded.bootstrap_servers}),
        database_url=settings.database_url,
    )
    assert external.kafka_enable_idempotence  # the default for an external broker
    brokers = [Broker(external), Broker(external)]
    caplog.set_level(logging.WARNING, logger="services.core.broker")
    try:
        for broker in brokers:
            await broker.start()
            assert await broker.wait_started(30)
            assert broker.producer is not None
            await broker.producer.send_and_wait("alliance.dlq.v1", b"idempotence test")
            assert await broker.is_reachable()
    finally:
        for broker in brokers:
            await broker.stop()
        await asyncio.to_thread(embedded.stop)
    warnings = [r.getMessage() for r in caplog.records if "idempoten" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "KAFKA_ENABLE_IDEMPOTENCE=false" in warnings[0]
