"""Webhook fixtures: a local receiver, and the ``webhooks`` consumer and sender running."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest

from services.core.authz import Authorizer
from services.core.db import create_pool
from services.core.settings import Settings
from services.domain import Platform
from services.events.consumer import run_workers
from services.partners.webhook_config import WebhookConfig
from services.partners.webhook_sender import WebhookSender
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
    """The receiver, the ``webhooks`` consumer group and one sender (with a pool of its own)."""
    receiver = Receiver()
    await receiver.start()
    platform = Platform.default()
    if pool_size is not None:
        settings = replace(settings, db_pool_min=1, db_pool_max=pool_size)
    pool = await create_pool(settings)
    sender = WebhookSender(
        pool=pool,
        catalog=platform.catalog,
        authorizer=Authorizer(role_cache_ttl_seconds=role_cache_ttl_seconds),
        config=TEST_CONFIG,
    )
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_workers(settings, platform.registry(), ["webhooks"], stop)),
        asyncio.create_task(sender.run(stop)),
    ]
    try:
        yield Webhooks(receiver, sender)
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await sender.close()
        await pool.close()
        await receiver.stop()


@pytest.fixture(scope="module")
async def webhooks(settings: Settings, server: object) -> AsyncIterator[Webhooks]:
    """Webhooks running for a test module."""
    async with running_webhooks(settings) as running:
        yield running
