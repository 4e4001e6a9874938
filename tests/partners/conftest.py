"""Webhook fixtures: a local receiver, and the ``webhooks`` consumer and sender running."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from services.core.settings import Settings
from services.domain import Platform
from services.events.consumer import run_workers
from services.partners.webhook_config import WebhookConfig
from services.partners.webhook_sender import WebhookSender, webhook_sender
from tests.partners.receiver import Receiver

# Short times so that retries, dead letters and disabling happen within a test.
TEST_CONFIG = WebhookConfig(
    timeout_seconds=1.0,
    retry_for_seconds=3600.0,
    backoff_base_seconds=0.05,
    backoff_cap_seconds=0.2,
    disable_after_failures=4,
    max_response_bytes=65_536,
    concurrency=8,
    poll_seconds=0.1,
)


@dataclass
class Webhooks:
    receiver: Receiver
    sender: WebhookSender


@contextlib.asynccontextmanager
async def running_webhooks(
    settings: Settings, *, pool_size: int | None = None, role_cache_ttl_seconds: int = 1
) -> AsyncIterator[Webhooks]:
    """The receiver, the ``webhooks`` consumer group and one sender as the job makes it (a pool
    and a role cache of its own, following role changes)."""
    receiver = Receiver()
    await receiver.start()
    platform = Platform.default()
    settings = replace(settings, role_cache_ttl_seconds=role_cache_ttl_seconds)
    if pool_size is not None:
        settings = replace(settings, db_pool_min=1, db_pool_max=pool_size)
    stop = asyncio.Event()
    try:
        async with webhook_sender(settings, config=TEST_CONFIG) as sender:
            tasks = [
                asyncio.create_task(run_workers(settings, platform.registry(), ["webhooks"], stop)),
                asyncio.create_task(sender.run(stop)),
            ]
            try:
                yield Webhooks(receiver, sender)
            finally:
                stop.set()
                await asyncio.gather(*tasks)
    finally:
        await receiver.stop()


@pytest.fixture(scope="module")
async def webhooks(settings: Settings, server: object) -> AsyncIterator[Webhooks]:
    """Webhooks running for a test module."""
    async with running_webhooks(settings) as running:
        yield running
