"""Issue #9 §7, end to end as an operator saw it: `alliance serve --migrate --demo` (relay and
activity worker in the process) against a broker that is SIGKILLed while people keep working,
then replaced by an empty one on the same port. Every event must arrive, in order per
aggregate, in the activity feed and on a live subscription; /readyz must say so; Ctrl-C must
stop the server cleanly."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from services.core.embedded import EmbeddedBroker
from services.core.settings import Settings
from tests.conftest import Tokens
from tests.gateway.broker_support import (
    ServeProcess,
    fresh_database,
    heard_while,
    next_event,
    subscribe,
    wait_until,
)

CREATE = "mutation($name: String!) { createOrganization(input: {name: $name, kind: AGENCY}) { organization { id } } }"
RENAME = "mutation($id: ID!, $name: String!) { updateOrganization(input: {id: $id, name: $name}) { organization { id } } }"
FEED = "query { activity(first: 100) { edges { node { type subject summary } } } }"


@pytest.fixture
async def platform(
    admin_url: str, admin_conn: asyncpg.Connection, settings: Settings, tmp_path: Path
) -> AsyncIterator[tuple[ServeProcess, EmbeddedBroker, Tokens]]:
    name, url = await fresh_database(admin_conn, admin_url, "alliance_restart")
    broker = EmbeddedBroker()
    broker.start()
    serve = ServeProcess(
        env={
            "DATABASE_URL": url,
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "KAFKA_ENABLE_IDEMPOTENCE": "false",
            "JWT_SECRET": settings.jwt_secret,
            "OUTBOX_MAX_AGE_SECONDS": "5",
            # An external server asks the app role for its password (the embedded one does not).
            **({"APP_DB_PASSWORD": settings.app_db_password} if settings.app_db_password else {}),
        },
        data_dir=tmp_path,
    )
    serve.start()
    owner: asyncpg.Connection | None = None
    try:
        await serve.wait_ready()
        owner = await asyncpg.connect(url)
        tenants = {row["slug"]: row["id"] for row in await owner.fetch("SELECT slug, id FROM alliances")}
        yield serve, broker, Tokens(replace(settings, database_url=url), owner, tenants)
    finally:
        serve.kill()
        if owner is not None:
            await owner.close()
        broker.stop()
        await admin_conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def test_events_flow_again_after_the_broker_comes_back_empty(
    platform: tuple[ServeProcess, EmbeddedBroker, Tokens],
) -> None:
    serve, broker, tokens = platform
    admin = {"authorization": f"Bearer {await tokens('alliance-admin')}"}
    async with httpx.AsyncClient(base_url=serve.base_url, headers=admin, timeout=15) as http:

        async def create(name: str) -> str:
            body = (await http.post("/graphql", json={"query": CREATE, "variables": {"name": name}})).json()
            assert body.get("errors") is None, body
            return str(body["data"]["createOrganization"]["organization"]["id"])

        async def rename(org_id: str, name: str) -> None:
            variables = {"id": org_id, "name": name}
            body = (await http.post("/graphql", json={"query": RENAME, "variables": variables})).json()
            assert body.get("errors") is None, body

        async def feed() -> list[dict[str, Any]]:
            body = (await http.post("/graphql", json={"query": FEED})).json()
            return [edge["node"] for edge in body["data"]["activity"]["edges"]]

        ws = await subscribe(serve.base_url, await tokens("member"), ["organization.*"])
        try:
            # 2. an organisation is created and its event arrives (live, and in the feed: an
            # event the broker held but nobody had consumed would die with the broker).
            first = await heard_while(ws, lambda: create(f"停机前-{uuid.uuid4().hex[:6]}"))

            async def first_in_feed() -> bool:
                return any(node["subject"] == first for node in await feed())

            await wait_until(first_in_feed, within=60, interval=0.2, what="first event in the feed")

            # 3. the broker dies, memory and all; people keep working.
            assert broker.process is not None
            os.kill(broker.process.pid, signal.SIGKILL)
            broker.process.wait(10)
            created = [await create(f"停机中-{step}") for step in range(5)]
            renames = [f"改名-{step}" for step in range(3)]
            for new_name in renames:
                await rename(first, new_name)

            async def unready() -> bool:
                return await serve.status("/readyz") == 503

            await wait_until(unready, within=30, what="/readyz 503 while the broker is away")

            # 4. an empty broker on the same port.
            revived = EmbeddedBroker(port=broker.port)
            revived.start()
            broker.process = revived.process

            heard: list[dict[str, object]] = []
            expected = len(created) + len(renames)
            while len(heard) < expected:
                try:
                    event = await next_event(ws, 90)
                except TimeoutError:
                    pytest.fail(f"heard {len(heard)} of {expected} events:\n{serve.output[-4000:]}")
                if event["subject"] in {first, *created}:
                    heard.append(event)
            assert {e["subject"] for e in heard if e["type"] == "organization.created.v1"} == set(created)
            assert [
                e["data"]["name"]  # type: ignore[index]
                for e in heard
                if e["type"] == "organization.updated.v1"
            ] == renames
        finally:
            await ws.close()

        async def feed_complete() -> bool:
            nodes = await feed()
            feed_created = {n["subject"] for n in nodes if n["type"] == "organization.created.v1"}
            feed_renames = [
                n["summary"]["name"]
                for n in reversed(nodes)  # the feed is newest first
                if n["type"] == "organization.updated.v1" and n["subject"] == first
            ]
            return feed_created >= {first, *created} and feed_renames == renames

        await wait_until(feed_complete, within=60, interval=0.5, what="activity feed complete")

        async def ready() -> bool:
            return await serve.status("/readyz") == 200

        await wait_until(ready, within=30, what="/readyz 200 after the broker returned")

    code, _ = await serve.interrupt(within=10)
    output = serve.output
    assert code == 0, output[-4000:]
    assert "Application shutdown failed" not in output
    assert "Unclosed" not in output, output[-4000:]
