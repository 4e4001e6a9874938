"""A new domain is one package plus one line in the list: the toy domain under tests/kit/toy
(event, handler, root query and mutation) runs end to end with no edit to core, events,
gateway or another domain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
import uvicorn

from services.core.embedded import free_port
from services.core.settings import Settings
from services.domain import Platform
from services.domains import DOMAINS
from services.gateway.app import create_app
from tests.conftest import Tokens
from tests.kit.toy import handlers
from tests.kit.toy.manifest import DOMAIN as TOY

PLATFORM = Platform((*DOMAINS, TOY))


@pytest.fixture
async def toy_url(settings: Settings) -> AsyncIterator[str]:
    port = free_port()
    app = create_app(replace(settings, workers_in_server=("toy",)), PLATFORM)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def test_toy_domain_end_to_end(toy_url: str, tokens: Tokens) -> None:
    headers = {"authorization": f"Bearer {await tokens('member')}"}
    async with httpx.AsyncClient(base_url=toy_url, timeout=10) as http:
        sent = await http.post(
            "/graphql",
            json={"query": 'mutation { toyWave(input: {message: "你好"}) { id } }'},
            headers=headers,
        )
        assert sent.json()["data"]["toyWave"]["id"]
        heard: list[str] = []
        for _ in range(150):  # the relay, the broker and the toy's consumer group in between
            body = (await http.post("/graphql", json={"query": "{ toyWaves }"}, headers=headers)).json()
            heard = body["data"]["toyWaves"]
            if heard:
                break
            await asyncio.sleep(0.2)
    assert heard == ["你好"] == handlers.HEARD
    assert "alliance.toy.v1" in PLATFORM.registry().topics("toy")  # type: ignore[operator]
