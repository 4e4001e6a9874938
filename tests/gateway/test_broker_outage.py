"""The broker goes away while people keep working: mutations succeed, and every event arrives
(in order per aggregate) once a broker is back — an empty one, as the embedded broker is
after a restart. Runs a platform of its own: its own database and its own broker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from services.core.embedded import EmbeddedBroker
from services.core.settings import Settings
from services.directory.demo import seed_directory
from services.events.envelope import Envelope
from tests.conftest import RunningServer, Tokens
from tests.support.databases import scratch_database
from tests.support.outbox import unsent

CREATE = "mutation($name: String!) { createOrganization(input: {name: $name, kind: AGENCY}) { organization { id } } }"
RENAME = "mutation($id: ID!, $name: String!) { updateOrganization(input: {id: $id, name: $name}) { organization { id } } }"


@pytest.fixture
async def isolated(admin_url: str, settings: Settings) -> AsyncIterator[tuple[Settings, asyncpg.Connection]]:
    async with scratch_database(admin_url, "alliance_outage") as url:
        owner = await asyncpg.connect(url)
        try:
            await seed_directory(owner)
            yield replace(settings, database_url=url, workers_in_server=()), owner
        finally:
            await owner.close()


async def _read_all(bootstrap: str, topic: str, expected: int, within: float) -> list[Envelope]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[Envelope] = []
    try:
        deadline = asyncio.get_running_loop().time() + within
        while len(found) < expected and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            found += [Envelope.from_json(record.value) for records in batches.values() for record in records]
    finally:
        await consumer.stop()
    return found


async def test_mutations_survive_a_broker_outage(isolated: tuple[Settings, asyncpg.Connection]) -> None:
    base, owner = isolated
    broker = EmbeddedBroker()
    broker.start()
    server = RunningServer(replace(base, kafka_bootstrap_servers=broker.bootstrap_servers))
    await server.start()
    try:
        tenants = {row["slug"]: row["id"] for row in await owner.fetch("SELECT slug, id FROM alliances")}
        token = await Tokens(base, owner, tenants)("alliance-admin")
        async with httpx.AsyncClient(
            base_url=server.base_url, headers={"authorization": f"Bearer {token}"}
        ) as http:
            created = await http.post("/graphql", json={"query": CREATE, "variables": {"name": "停机前"}})
            org_id = created.json()["data"]["createOrganization"]["organization"]["id"]

            assert broker.process is not None
            broker.process.kill()  # the broker dies, memory and all
            broker.process.wait(5)
            for step in range(5):
                renamed = await http.post(
                    "/graphql", json={"query": RENAME, "variables": {"id": org_id, "name": f"停机中{step}"}}
                )
                assert renamed.json().get("errors") is None, renamed.text
            ready = await http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["broker"] == "unavailable"

            revived = EmbeddedBroker(port=broker.port)
            revived.start()
            try:
                events = await _read_all(
                    revived.bootstrap_servers, "alliance.organization.v1", expected=5, within=60
                )
            finally:
                await server.stop()
                revived.stop()
        mine = [e for e in events if e.subject == org_id]
        renames = [e.data["name"] for e in mine if e.type == "organization.updated.v1"]
        assert renames == [f"停机中{step}" for step in range(5)]
        assert await unsent(owner, aggregate_id=org_id) == 0
    finally:
        if server.task is not None and not server.task.done():
            await server.stop()
        broker.stop()
