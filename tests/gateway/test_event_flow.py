"""End to end: a mutation's event reaches live subscribers of its tenant and the activity feed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.conftest import GraphQLClient, RunningServer, Tokens
from tests.support.polling import eventually
from tests.support.ws import bearer, graphql_ws, handshake, open_socket, receive, send, subscribe

CREATE = "mutation($name: String!) { createOrganization(input: {name: $name, kind: AGENCY}) { organization { id } } }"
SUBSCRIBE = "subscription($types: [String!]) { events(types: $types) { id type subject time data } }"


async def _subscribe(server: RunningServer, token: str, types: list[str] | None) -> ClientConnection:
    ws = await open_socket(server)
    assert (await handshake(ws, bearer(token)))["type"] == "connection_ack"
    await subscribe(ws, SUBSCRIBE, {"types": types})
    return ws


async def _next_event(ws: ClientConnection, within: float) -> dict[str, object]:
    message = await receive(ws, within)
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


async def _create_in(gql: GraphQLClient, tenant: str) -> str:
    body = await gql(
        CREATE, {"name": f"实时事件-{uuid.uuid4().hex[:6]}"}, login="alliance-admin", tenant=tenant
    )
    return str(body["data"]["createOrganization"]["organization"]["id"])  # type: ignore[index]


async def test_subscriber_gets_own_tenant_events_only(
    gql: GraphQLClient, tokens: Tokens, server: RunningServer
) -> None:
    mine = await _subscribe(server, await tokens("member"), ["organization.*"])
    theirs = await _subscribe(server, await tokens("alliance-admin", "other"), None)
    try:
        # First show that `theirs` hears its own tenant: its silence about `demo` means something.
        before, _ = await _events_while(theirs, lambda: _create_in(gql, "other"))
        assert before
        heard, made = await _events_while(mine, lambda: _create_in(gql, "demo"))
        assert heard
        assert heard[-1]["subject"] in made
        assert heard[-1]["type"] == "organization.created.v1"
        assert all(str(e["type"]).startswith("organization.") for e in heard)
        # The hub handed `demo`'s event to its subscribers before this marker was even written,
        # so anything it wrongly handed `theirs` arrives ahead of the marker.
        after, markers = await _events_while(theirs, lambda: _create_in(gql, "other"))
        assert after[-1]["subject"] in markers
        assert not {str(e["subject"]) for e in after} & made
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
    ws = await open_socket(server)
    await send(ws, {"type": "connection_init", "payload": bearer("nonsense")})
    with pytest.raises(ConnectionClosed) as closed:
        await receive(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_unauthenticated_subscription_is_refused(server: RunningServer) -> None:
    async with graphql_ws(server, {}) as ws:
        await subscribe(ws, SUBSCRIBE)
        message = await receive(ws)
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_activity_feed_records_the_change(gql: GraphQLClient, server: RunningServer) -> None:
    name = f"动态-{uuid.uuid4().hex[:6]}"
    body = await gql(CREATE, {"name": name}, login="alliance-admin")
    org_id = body["data"]["createOrganization"]["organization"]["id"]  # type: ignore[index]
    query = "query($t: [String!]) { activity(first: 20, types: $t) { edges { node { type subject actor summary } } } }"

    async def mine() -> list[dict[str, object]]:
        feed = await gql(query, {"t": ["organization.created.v1"]}, login="member")
        return [e["node"] for e in feed["data"]["activity"]["edges"] if e["node"]["subject"] == org_id]  # type: ignore[index]

    entries = await eventually(mine, bool, within=20, interval=0.1)
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


async def test_an_events_id_is_its_activity_entrys_node_id(
    gql: GraphQLClient, tokens: Tokens, server: RunningServer
) -> None:
    """Event is a view of its activity entry: node(event.id) answers that entry, as activityEntry does."""
    ws = await _subscribe(server, await tokens("member"), ["organization.created.v1"])
    try:
        heard, made = await _events_while(ws, lambda: _create_in(gql, "demo"))
    finally:
        await ws.close()
    event = next(e for e in heard if e["subject"] in made)
    node = "query($id: ID!) { node(id: $id) { __typename id ... on ActivityEntry { type subject actor } } }"

    async def entry() -> dict[str, object]:
        return await gql(node, {"id": event["id"]}, login="member")

    found = await eventually(entry, lambda body: body["data"]["node"] is not None, within=20, interval=0.1)
    expected = {"id": event["id"], "type": event["type"], "subject": event["subject"], "actor": None}
    assert found["data"]["node"] == {"__typename": "ActivityEntry", **expected}
    by_root = await gql(
        "query($id: ID!) { activityEntry(id: $id) { id type subject actor } }",
        {"id": event["id"]},
        login="member",
    )
    assert by_root["data"]["activityEntry"] == expected
    # The feed lists the entry under that same id.
    feed = await gql("{ activity(first: 50) { edges { node { id subject } } } }", login="member")
    listed = [e["node"] for e in feed["data"]["activity"]["edges"]]  # type: ignore[index]
    assert {"id": event["id"], "subject": event["subject"]} in listed
    # Another alliance: no such node.
    other = await gql(node, {"id": event["id"]}, login="alliance-admin", tenant="other")
    assert other["data"]["node"] is None and other["errors"][0]["extensions"]["code"] == "NOT_FOUND"
