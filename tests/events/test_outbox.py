"""record_event: the event exists, and is announced, exactly when the change commits."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from services.core.settings import Settings
from services.events.envelope import Envelope
from services.events.outbox import NOTIFY_CHANNEL, OutboxError, record_event
from services.events.topics import topic_for
from tests.events.conftest import fast_relay, read_topic, record, running
from tests.support.outbox import all_sent
from tests.support.polling import wait_until


async def test_outside_a_transaction_is_refused(events_pool: asyncpg.Pool, tenant: uuid.UUID) -> None:
    async with events_pool.acquire() as conn:
        with pytest.raises(OutboxError):
            await record_event(
                conn,  # type: ignore[arg-type]
                tenant_id=tenant,
                aggregate_type="thing",
                aggregate_id="1",
                event_type="thing.created.v1",
                data={},
                source="tests",
            )


async def test_row_holds_the_envelope_and_its_topic(
    events_pool: asyncpg.Pool, tenant: uuid.UUID, aggregate_type: str
) -> None:
    envelope = await record(
        events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id="42", data={"k": "v"}
    )
    row = await events_pool.fetchrow("SELECT * FROM outbox WHERE id = $1", envelope.id)
    assert row is not None
    assert row["topic"] == f"alliance.{aggregate_type}.v1" == topic_for(aggregate_type)
    assert (row["tenant_id"], row["aggregate_id"], row["event_type"]) == (tenant, "42", "thing.changed.v1")
    assert row["sent_at"] is None and row["attempts"] == 0
    assert Envelope.from_dict(row["payload"]) == envelope


async def test_notification_fires_on_commit_only(
    events_pool: asyncpg.Pool, events_admin_url: str, tenant: uuid.UUID, aggregate_type: str
) -> None:
    notified: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(events_admin_url)
    await listener.add_listener(NOTIFY_CHANNEL, lambda *args: notified.put_nowait(args[2]))
    try:
        async with events_pool.acquire() as conn:
            transaction = conn.transaction()
            await transaction.start()
            await record_event(
                conn,  # type: ignore[arg-type]
                tenant_id=tenant,
                aggregate_type=aggregate_type,
                aggregate_id="1",
                event_type="thing.created.v1",
                data={},
                source="tests",
            )
            await transaction.rollback()
        assert notified.empty()
        # The committed event's notification shows the listener hears; one sent by the rolled
        # back transaction would have been delivered before it (notifications keep their order).
        await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id="1")
        assert await asyncio.wait_for(notified.get(), 10) == NOTIFY_CHANNEL
        assert notified.empty()
    finally:
        await listener.close()


async def test_rolled_back_transaction_publishes_nothing(
    events_pool: asyncpg.Pool, events_settings: Settings, tenant: uuid.UUID, aggregate_type: str
) -> None:
    async with events_pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await record_event(
            conn,  # type: ignore[arg-type]
            tenant_id=tenant,
            aggregate_type=aggregate_type,
            aggregate_id="1",
            event_type="thing.created.v1",
            data={"lost": True},
            source="tests",
        )
        await transaction.rollback()  # the change failed
    marker = await record(events_pool, tenant=tenant, aggregate_type=aggregate_type, aggregate_id="2")

    async with running(fast_relay(events_pool, events_settings)):
        await wait_until(lambda: all_sent(events_pool, aggregate_type))
    bootstrap = events_settings.kafka_bootstrap_servers or ""
    records = await read_topic(bootstrap, topic_for(aggregate_type), count=1)
    assert [Envelope.from_json(r.value).id for r in records] == [marker.id]
    assert (
        await events_pool.fetchval("SELECT count(*) FROM outbox WHERE aggregate_type = $1", aggregate_type)
        == 1
    )
