"""End to end: a mutation's event reaches live subscribers of its tenant and the activity feed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import GraphQLClient, RunningServer, Tokens

CREATE = "mutation($name: String!) { createOrganization(input: {name: $name, kind: AGENCY}) { organization { id } } }"
SUBSCRIBE = "subscription($types: [String!]) { events(types: $types) { id type subject time data } }"


async def _subscribe(server: RunningServer, token: str, types: list[str] | None) -> ClientConnection:
    ws = await connect(
        server.base_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )  # type: ignore[list-item]
    await ws.send(
        orjson.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}).decode()
    )
    assert orjson.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(
        orjson.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"types": types}}}
        ).decode()
    )
    return ws


async def _next_event(ws: ClientConnection, within: float) -> dict[str, object]:
    message = orjson.loads(await asyncio.wait_for(ws.recv(), within))
    assert message["type"] == "next", message
    event: dict[str, object] = message["payload"]["data"]["events"]
    return event


async def _create(gql: GraphQLClient, name: str) -> str:
    body = await gql(CREATE, {"name": name}, login="alliance-admin")
    return str(body["data"]["createOrganization"]["organization"]["id"])  # type: ignore[index]


def _subject(event: dict[str, object]) -> str:
    return str(event["subject"])


async def _events_while(
    ws: ClientConnection,
    change: Callable[[], Awaitable[str]],
    *,
    key: Callable[[dict[str, object]], str] = _subject,
    tries: int = 5,
) -> tuple[list[dict[str, object]], set[str]]:
    """Make changes until the subscriber hears of one (the subscription registers
    asynchronously, so the first change may come before it); return what it heard and
    the subjects of all changes made."""
    made: set[str] = set()
    heard: list[dict[str, object]] = []
    for _ in range(tries):
        made.add(await change())
        try:
            while True:
                heard.append(await _next_event(ws, 4))
                if key(heard[-1]) in made:
                    return heard, made
        except TimeoutError:
            continue
    return heard, made


async def test_subscriber_gets_own_tenant_events_only(
    gql: GraphQLClient, tokens: Tokens, server: RunningServer
) -> None:
    mine = await _subscribe(server, await tokens("member"), ["organization.*"])
    theirs = await _subscribe(server, await tokens("alliance-admin", "other"), None)
    try:
        heard, made = await _events_while(mine, lambda: _create(gql, f"实时事件-{uuid.uuid4().hex[:6]}"))
        assert heard
        assert heard[-1]["subject"] in made
        assert heard[-1]["type"] == "organization.created.v1"
        assert all(str(e["type"]).startswith("organization.") for e in heard)
        with pytest.raises(TimeoutError):
            await _next_event(theirs, 1.5)
    finally:
        await mine.close()
        await theirs.close()


async def test_type_filter_excludes_other_types(
    gql: GraphQLClient, tokens: Tokens, server: RunningServer
) -> None:
    ws = await _subscribe(server, await tokens("auditor"), ["role.granted.v1"])

    async def create_and_grant() -> str:
        await _create(gql, f"不该收到-{uuid.uuid4().hex[:6]}")
        login = f"flow-{uuid.uuid4().hex[:6]}"
        body = await gql(
            "mutation($login: String!) { grantRole(input: {login: $login, role: AUDITOR}) { grant { id } } }",
            {"login": login},
            login="alliance-admin",
        )
        assert body.get("errors") is None, body
        return login

    try:
        heard, _ = await _events_while(ws, create_and_grant, key=lambda e: str(e["data"]["login"]))  # type: ignore[index]
        assert heard
        assert all(e["type"] == "role.granted.v1" for e in heard)
    finally:
        await ws.close()


async def test_bad_credentials_close_the_connection(server: RunningServer) -> None:
    ws = await connect(
        server.base_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    )  # type: ignore[list-item]
    await ws.send(
        orjson.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nonsense"}}).decode()
    )
    with pytest.raises(ConnectionClosed) as closed:
        await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_unauthenticated_subscription_is_refused(server: RunningServer) -> None:
    async with connect(
        server.base_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]
    ) as ws:  # type: ignore[list-item]
        await ws.send(orjson.dumps({"type": "connection_init", "payload": {}}).decode())
        await ws.recv()
        await ws.send(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}).decode()
        )
        message = orjson.loads(await ws.recv())
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_activity_feed_records_the_change(gql: GraphQLClient, server: RunningServer) -> None:
    name = f"动态-{uuid.uuid4().hex[:6]}"
    body = await gql(CREATE, {"name": name}, login="alliance-admin")
    org_id = body["data"]["createOrganization"]["organization"]["id"]  # type: ignore[index]
    query = "query($t: [String!]) { activity(first: 20, types: $t) { edges { node { type subject actor summary } } } }"
    for _ in range(100):
        feed = await gql(query, {"t": ["organization.created.v1"]}, login="member")
        entries = [e["node"] for e in feed["data"]["activity"]["edges"] if e["node"]["subject"] == org_id]  # type: ignore[index]
        if entries:
            break
        await asyncio.sleep(0.2)
    # A member may not read logins (role grants), so the feed does not show who acted.
    assert entries == [
        {
            "type": "organization.created.v1",
            "subject": org_id,
            "actor": None,
            "summary": {"name": name, "kind": "AGENCY"},
        }
    ]
    audited = await gql(query, {"t": ["organization.created.v1"]}, login="auditor")
    edges = audited["data"]["activity"]["edges"]  # type: ignore[index]
    assert [e["node"]["actor"] for e in edges if e["node"]["subject"] == org_id] == ["alliance-admin"]
    other = await gql(query, {"t": None}, login="alliance-admin", tenant="other")
    assert all(e["node"]["subject"] != org_id for e in other["data"]["activity"]["edges"])  # type: ignore[index]
