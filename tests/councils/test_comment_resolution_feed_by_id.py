"""comment(id), resolution(id) and councilFeed(id) answer one row exactly where it is read
today: a comment with its agenda item, a resolution with its meeting, a feed to its maker and
the alliance admin (never its secret address, shown once)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.councils.demo import seed_councils
from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import ADOPT, MINUTES, MakeCouncil, MakeMeeting, accepted_item, data

COMMENT_FIELDS = "id body organizationId authorLogin createdAt"
RESOLUTION_FIELDS = "id text meetingId agendaItemId adoptedAt"
COMMENT = f"query($id: ID!) {{ comment(id: $id) {{ {COMMENT_FIELDS} }} }}"
COMMENTS = f"{{ agendaItems(first: 100) {{ edges {{ node {{ comments {{ {COMMENT_FIELDS} }} }} }} }} }}"
RESOLUTION = f"query($id: ID!) {{ resolution(id: $id) {{ {RESOLUTION_FIELDS} }} }}"
MEETING_RESOLUTIONS = f"query($id: ID!) {{ meeting(id: $id) {{ resolutions {{ {RESOLUTION_FIELDS} }} }} }}"
FEED = "query($id: ID!) { councilFeed(id: $id) { id councilId createdAt revokedAt } }"
CREATE_FEED = """
mutation($input: CreateCouncilFeedInput!) {
  createCouncilFeed(input: $input) { feed { id councilId createdAt revokedAt } url }
}
"""
REVOKE_FEED = "mutation($input: RevokeCouncilFeedInput!) { revokeCouncilFeed(input: $input) { feed { id } } }"


def _refused(body: dict[str, Any], code: str) -> bool:
    return body["data"] is None and error_code(body) == code


async def _key(admin_conn: asyncpg.Connection) -> dict[str, str]:
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"决议-{uuid.uuid4().hex[:6]}")
    return {"x-api-key": created.plaintext}


async def test_a_comment_by_id_is_the_one_its_item_shows(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await seed_councils(admin_conn)
    for login in ("alliance-admin", "member", "auditor"):
        listed = await gql(COMMENTS, login=login)
        comments = [c for edge in data(listed, "agendaItems", "edges") for c in edge["node"]["comments"]]
        assert comments, login
        for comment in comments:
            assert await gql(COMMENT, {"id": comment["id"]}, login=login) == {"data": {"comment": comment}}
    comment = str(
        await admin_conn.fetchval("SELECT id FROM council_agenda_comments WHERE tenant_id = $1", demo["demo"])
    )
    for given, tenant, code in ((comment, "other", "NOT_FOUND"), (str(uuid.uuid4()), "demo", "NOT_FOUND")):
        body: dict[str, Any] = await gql(COMMENT, {"id": given}, login="alliance-admin", tenant=tenant)
        assert _refused(body, code) and body["errors"][0]["extensions"]["field"] == "id"
    assert _refused(await gql(COMMENT, {"id": "x1"}, login="member"), "BAD_USER_INPUT")
    # As agendaItems: comments are details, which partner keys do not read.
    assert _refused(await gql(COMMENT, {"id": comment}, headers=await _key(admin_conn)), "FORBIDDEN")


async def test_a_resolution_by_id_is_seen_as_its_meeting_shows_it(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    partner = await _key(admin_conn)
    adopted: dict[str, tuple[str, str]] = {}
    for name, public in (("public", True), ("private", False)):
        council = await make_council(public=public)
        meeting = await make_meeting(council)
        item = await accepted_item(gql, council, meeting)
        adopt: dict[str, object] = {
            "input": {"meetingId": meeting, "agendaItemId": item, "text": "决议", "tasks": []}
        }
        resolution = data(await gql(ADOPT, adopt, login="street-admin"), "adoptResolution", "resolution")
        adopted[name] = meeting, resolution["id"]

    async def agrees(who: dict[str, Any], meeting: str, resolution: str) -> bool:
        """resolution(id) answers as the meeting's resolutions; whether it showed it."""
        shown: dict[str, Any] = await gql(MEETING_RESOLUTIONS, {"id": meeting}, **who)
        body: dict[str, Any] = await gql(RESOLUTION, {"id": resolution}, **who)
        listed = [
            r
            for r in (shown["data"] or {}).get("meeting", {}).get("resolutions", [])
            if r["id"] == resolution
        ]
        if listed:
            assert body == {"data": {"resolution": listed[0]}}, who
            return True
        assert _refused(body, "NOT_FOUND") and body["errors"][0]["extensions"]["field"] == "id", who
        return False

    readers = [{"login": login} for login in ("alliance-admin", "member", "auditor")]
    for who in readers:
        for meeting, resolution in adopted.values():
            assert await agrees(who, meeting, resolution), who
    # Partners: not before the minutes are published, never of a council that is not public.
    key_holder: dict[str, Any] = {"headers": partner}
    assert not await agrees(key_holder, *adopted["public"])
    for meeting, _ in adopted.values():
        data(await gql(MINUTES, {"input": {"meetingId": meeting, "text": "纪要"}}, login="street-admin"))
    assert await agrees(key_holder, *adopted["public"])
    assert not await agrees(key_holder, *adopted["private"])
    for given, tenant in ((adopted["public"][1], "other"), (str(uuid.uuid4()), "demo")):
        assert _refused(
            await gql(RESOLUTION, {"id": given}, login="alliance-admin", tenant=tenant), "NOT_FOUND"
        )
    assert _refused(await gql(RESOLUTION, {"id": "x1"}, login="member"), "BAD_USER_INPUT")
    assert _refused(await gql(RESOLUTION, {"id": adopted["public"][1]}), "UNAUTHENTICATED")


async def test_a_feed_by_id_to_its_maker_and_the_alliance_admin_without_its_secret(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, make_council: MakeCouncil
) -> None:
    council = await make_council()
    made = data(
        await gql(CREATE_FEED, {"input": {"councilId": council}}, login="member"), "createCouncilFeed"
    )
    feed = made["feed"]
    for login in ("member", "alliance-admin"):
        assert await gql(FEED, {"id": feed["id"]}, login=login) == {"data": {"councilFeed": feed}}
    # Another maker's feed is not there for an org admin (who manages feeds of its own).
    body: dict[str, Any] = await gql(FEED, {"id": feed["id"]}, login="soe-admin")
    assert _refused(body, "NOT_FOUND") and body["errors"][0]["extensions"]["field"] == "id"
    # Roles that manage no feeds, as createCouncilFeed refuses them.
    assert _refused(await gql(FEED, {"id": feed["id"]}, login="auditor"), "FORBIDDEN")
    assert _refused(await gql(FEED, {"id": feed["id"]}, headers=await _key(admin_conn)), "FORBIDDEN")
    for given, tenant in ((feed["id"], "other"), (str(uuid.uuid4()), "demo")):
        assert _refused(await gql(FEED, {"id": given}, login="alliance-admin", tenant=tenant), "NOT_FOUND")
    # The secret address is no field of the feed: read back, nothing carries it.
    secret = made["url"].rsplit("/", 1)[1].removesuffix(".ics")
    fields = await gql('{ __type(name: "CouncilFeed") { fields { name } } }', login="member")
    assert {f["name"] for f in data(fields, "__type", "fields")} == {
        "id",
        "councilId",
        "createdAt",
        "revokedAt",
    }
    read = await gql(FEED, {"id": feed["id"]}, login="member")
    assert secret not in str(read)
    data(await gql(REVOKE_FEED, {"input": {"id": feed["id"]}}, login="member"))
    revoked = data(await gql(FEED, {"id": feed["id"]}, login="member"), "councilFeed")
    assert revoked["revokedAt"] is not None
