"""Read rules on the live stream, end to end: a partner's socket never carries what its key
could not read by query (drafts, alliance-only resources, bookings, role grants, actors).

Both sockets first hear a partner-visible event, so both subscriptions are live. An auditor's
socket is then the witness: once it has every event, the hub has offered each one to
every subscriber of this process. A last partner-visible event then closes the partner's
stream, so everything the partner would ever get of the first batch has arrived before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import GraphQLClient, RunningServer, Tokens
from tests.resources.conftest import MakeResource, next_weekday, requested
from tests.support.ws import bearer, graphql_ws, receive, subscribe

EVENTS = "subscription { events { type subject data } }"
GRANT = 'mutation { grantRole(input: {login: "live-rules-watcher", role: AUDITOR}) { grant { id } } }'


def _granted_to(login: str) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda seen: any(e["type"] == "role.granted.v1" and e["data"].get("login") == login for e in seen)


async def _until(
    ws: Any,
    wanted: set[tuple[str, str]],
    also: Callable[[list[dict[str, Any]]], bool] = lambda _: True,
    within: float = 30,
) -> list[dict[str, Any]]:
    """Messages until every (type, subject) of ``wanted`` has arrived and ``also`` holds."""
    seen: list[dict[str, Any]] = []
    while not (wanted <= {(e["type"], e["subject"]) for e in seen} and also(seen)):
        message = await receive(ws, within)
        assert message["type"] == "next", message
        seen.append(message["payload"]["data"]["events"])
    return seen


async def test_a_partner_socket_carries_only_what_the_partner_may_read(
    server: RunningServer, gql: GraphQLClient, tokens: Tokens, partner_key: str, make_resource: MakeResource
) -> None:
    async with (
        graphql_ws(server, {"X-Api-Key": partner_key}) as partner,
        graphql_ws(server, bearer(await tokens("auditor"))) as auditor,
    ):
        await subscribe(partner, EVENTS)
        await subscribe(auditor, EVENTS)
        # Both subscriptions are live once each hears a first event both may read.
        warmup = await make_resource(publish=True, visibility="PARTNERS")
        published = {("resource.published.v1", str(warmup["id"]))}
        await _until(auditor, published)
        await _until(partner, published)

        shared = await make_resource(publish=True, visibility="PARTNERS")
        alliance_only = await make_resource(publish=True)
        draft = await make_resource(publish=False)
        booking = await requested(gql, shared["id"], next_weekday(3, 10))
        assert "errors" not in await gql(GRANT, login="alliance-admin")
        hidden = {
            ("resource.created.v1", str(shared["id"])),
            ("resource.created.v1", str(alliance_only["id"])),
            ("resource.published.v1", str(alliance_only["id"])),
            ("resource.created.v1", str(draft["id"])),
            ("booking.requested.v1", str(booking["id"])),
        }
        witnessed = await _until(
            auditor,
            hidden | {("resource.published.v1", str(shared["id"]))},
            _granted_to("live-rules-watcher"),
        )

        closing = await make_resource(publish=True, visibility="PARTNERS")
        got = await _until(partner, {("resource.published.v1", str(closing["id"]))})

    pairs = [(e["type"], e["subject"]) for e in got]
    assert ("resource.published.v1", str(shared["id"])) in pairs
    assert not hidden & set(pairs), pairs
    assert not [p for p in pairs if p[0].startswith(("booking.", "role."))], pairs
    assert {p[0] for p in pairs} == {"resource.published.v1"}
    assert all(e["data"].get("actor") is None for e in got)
    assert any(e["data"].get("actor") for e in witnessed), "the auditor sees who acted"
