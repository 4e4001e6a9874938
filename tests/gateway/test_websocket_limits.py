"""Over a WebSocket: the HTTP size limits hold, and each operation has its own loaders."""

from __future__ import annotations

import argparse
import uuid
from dataclasses import replace

import uvicorn
from websockets.asyncio.client import connect

from services.cli import server_options
from services.core.embedded import free_port
from services.core.settings import Settings
from services.gateway.app import create_app
from tests.conftest import GraphQLClient, RunningServer, Tokens, error_code
from tests.gateway.ws_client import answer, close_code, open_socket, send_operation, ws_url

TYPENAME = "{ __typename }"  # extra variables are ignored: they only pad the message
ORGANIZATION = "query($id: ID!) { organization(id: $id) { name } }"


async def test_a_message_over_the_body_limit_closes_the_socket(
    server: RunningServer, settings: Settings
) -> None:
    limit = settings.limits.max_body_bytes
    ws = await open_socket(server, {})
    await send_operation(ws, "small", TYPENAME, {"pad": "x" * (limit - 1_000)})
    assert (await answer(ws, "small"))["type"] == "next"
    await send_operation(ws, "big", TYPENAME, {"pad": "党" * (limit // 3 + 1)})  # 3 bytes each
    assert await close_code(ws) == 1009


async def test_only_graphql_transport_ws_is_offered(server: RunningServer) -> None:
    # The legacy graphql-ws protocol would bypass the checks made per operation.
    ws = await connect(ws_url(server), subprotocols=["graphql-ws"])  # type: ignore[list-item]
    assert ws.subprotocol is None
    assert await close_code(ws) == 4406


async def test_alliance_serve_holds_socket_messages_to_the_body_limit(settings: Settings) -> None:
    options = server_options(argparse.Namespace(host="127.0.0.1", port=free_port(), workers=1), settings)
    assert options["ws_max_size"] == settings.limits.max_body_bytes
    del options["factory"], options["workers"]  # one in-process server for the test
    own = replace(settings, relay_in_server=False, workers_in_server=())
    running = RunningServer(own)
    running.port = options["port"]
    running.base_url = f"http://127.0.0.1:{running.port}"
    running.server = uvicorn.Server(uvicorn.Config(create_app(own), **options))
    await running.start()
    try:
        ws = await open_socket(running, {})
        # A binary frame never reaches the app's own check: the server refuses it by size.
        await ws.send(b"x" * (settings.limits.max_body_bytes + 1))
        assert await close_code(ws) == 1009
    finally:
        await running.stop()


async def test_each_operation_on_a_socket_reads_afresh(
    server: RunningServer, gql: GraphQLClient, tokens: Tokens
) -> None:
    created = await gql(
        'mutation { createOrganization(input: {name: "会前", kind: AGENCY}) { organization { id } } }',
        login="alliance-admin",
    )
    org_id = created["data"]["createOrganization"]["organization"]["id"]  # type: ignore[index]
    ws = await open_socket(server, {"Authorization": f"Bearer {await tokens('alliance-admin')}"})
    await send_operation(ws, "first", ORGANIZATION, {"id": org_id})
    first = await answer(ws, "first")
    assert first["payload"]["data"]["organization"]["name"] == "会前"  # type: ignore[index]
    renamed = f"会后-{uuid.uuid4().hex[:6]}"
    updated = await gql(
        "mutation($id: ID!, $name: String!) { updateOrganization(input: {id: $id, name: $name})"
        " { organization { name } } }",
        {"id": org_id, "name": renamed},
        login="alliance-admin",
    )
    assert error_code(updated) is None, updated
    await send_operation(ws, "second", ORGANIZATION, {"id": org_id})
    second = await answer(ws, "second")
    assert second["payload"]["data"]["organization"]["name"] == renamed  # type: ignore[index]
    await ws.close()
