"""Benchmark: webhook deliveries, from the event's commit to a local receiver's 2xx.

``make bench-webhooks`` (or ``python -m bench.webhooks``). Starts its own embedded PostgreSQL
and broker in a temporary folder, migrates, and runs in one process: the relay, the
``webhooks`` consumer group, one ``webhook-sender`` and a local HTTP receiver (uvicorn). It
records EVENTS organisation events over AGGREGATES aggregates through the outbox (as a
service would) and waits until the receiver has every one. Throughput is events delivered per
second from the first commit to the last delivery; latency is from an event's time (set at
its commit's transaction) to the receiver reading it. Figures are for this machine and its
load at the time: the benchmark shares the cores with everything else running.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import asyncpg
import orjson
import uvicorn

from services.core.authz import Authorizer
from services.core.db import create_pool
from services.core.embedded import embedded_services, free_port
from services.core.migrations import migrate
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.directory.events import OrganizationUpdated
from services.domain import Platform
from services.events.changes import SystemActor, record_change
from services.events.consumer import run_workers
from services.events.relay import run_relay
from services.partners.webhook_config import WebhookConfig
from services.partners.webhook_sender import WebhookSender
from services.partners.webhook_signing import new_secret

EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "10000"))
AGGREGATES = int(os.environ.get("BENCH_WEBHOOK_AGGREGATES", "200"))
PER_TRANSACTION = 50
CONCURRENCY = int(os.environ.get("BENCH_WEBHOOK_CONCURRENCY", "32"))


class Receiver:
    def __init__(self, total: int) -> None:
        self.latencies: list[float] = []
        self.seen: set[str] = set()
        self.total = total
        self.done = asyncio.Event()
        self.last = 0.0

    async def __call__(self, scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def,type-arg]
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        now = datetime.now(UTC)
        event = orjson.loads(body)
        if event["id"] not in self.seen:
            self.seen.add(event["id"])
            self.latencies.append((now - datetime.fromisoformat(event["time"])).total_seconds())
            self.last = time.perf_counter()
            if len(self.seen) >= self.total:
                self.done.set()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _setup(settings: Settings) -> tuple[uuid.UUID, uuid.UUID]:
    """The demo tenant, a partner key and one endpoint at the receiver (loopback allowed)."""
    from services.directory.demo import seed_directory
    from services.directory.operations import create_api_key

    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        await seed_directory(conn)
        created = await create_api_key(conn, tenant_slug="demo", name="bench webhooks")
        tenant_id: uuid.UUID = await conn.fetchval("SELECT id FROM alliances WHERE slug = 'demo'")
        await conn.execute(
            "INSERT INTO webhook_settings (tenant_id, allow_private_addresses, require_https)"
            " VALUES ($1, true, false)",
            tenant_id,
        )
        return tenant_id, created.id
    finally:
        await conn.close()


async def _record(pool: asyncpg.Pool, tenant_id: uuid.UUID) -> float:
    """EVENTS organisation updates over AGGREGATES aggregates; returns the time of the first commit."""
    aggregates = [str(uuid.uuid4()) for _ in range(AGGREGATES)]
    actor = SystemActor(tenant_id=tenant_id, login="bench")
    first = 0.0
    for start in range(0, EVENTS, PER_TRANSACTION):
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)
            await set_scope(conn, tenant_id=tenant_id)
            for n in range(start, min(start + PER_TRANSACTION, EVENTS)):
                await record_change(
                    conn,
                    actor,
                    OrganizationUpdated(
                        id=aggregates[n % AGGREGATES],
                        name=f"bench {n}",
                        kind="SOE",
                        parent_id=None,
                        credit_code=None,
                        star_rating=None,
                        archived_at=None,
                    ),
                )
        first = first or time.perf_counter()
    return first


async def _bench(settings: Settings) -> None:
    tenant_id, key_id = await _setup(settings)
    receiver = Receiver(EVENTS)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            receiver, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off"
        )
    )
    serving = asyncio.create_task(server.serve())
    pool = await create_pool(settings)
    async with pool.acquire() as proxy, proxy.transaction():
        conn = cast(asyncpg.Connection, proxy)
        await set_scope(conn, tenant_id=tenant_id)
        await conn.execute(
            "INSERT INTO webhook_endpoints (tenant_id, api_key_id, url, event_types, mode, secret)"
            " VALUES ($1, $2, $3, $4, 'STRUCTURED', $5)",
            tenant_id,
            key_id,
            f"http://127.0.0.1:{port}/hook",
            ["organization.*"],
            new_secret(),
        )
    platform = Platform.default()
    config = replace(WebhookConfig.from_env(), concurrency=CONCURRENCY)
    sender = WebhookSender(pool=pool, catalog=platform.catalog, authorizer=Authorizer(), config=config)
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_relay(settings, stop, topics=platform.topics())),
        asyncio.create_task(run_workers(settings, platform.registry(), ["webhooks"], stop)),
        asyncio.create_task(sender.run(stop)),
    ]
    print(f"webhooks: {EVENTS} events over {AGGREGATES} aggregates, {CONCURRENCY} sends at once", flush=True)
    first = await _record(pool, tenant_id)
    try:
        await asyncio.wait_for(receiver.done.wait(), timeout=900)
    except TimeoutError:
        print(f"  WARNING: only {len(receiver.seen)} of {EVENTS} delivered within 900 s", flush=True)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await sender.close()
    await pool.close()
    server.should_exit = True
    await serving
    delivered = len(receiver.latencies)
    if not delivered:
        return
    seconds = receiver.last - first
    cuts = statistics.quantiles(receiver.latencies, n=100)
    print(f"  delivered {delivered} in {seconds:.1f} s: {delivered / seconds:.0f} events/s", flush=True)
    print(
        f"  latency from commit to receiver: p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms",
        flush=True,
    )
    print("  (2 shared cores; other work on the machine moves these figures)", flush=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="alliance-bench-") as folder:
        settings = replace(Settings.from_env({}), data_dir=Path(folder), log_json=False)
        with embedded_services(settings) as running:
            migrate(running)
            asyncio.run(_bench(running))
    return 0


if __name__ == "__main__":
    sys.exit(main())
