"""Agenda items and their comments are seen exactly where their council and meeting are.

Casbin grants ``council``/``read_details`` per role, but the councils a caller sees depend on
whether it is a partner: a login or key that holds the partner role beside a role that reads
details (an alliance admin may grant both) sees public councils only, and so only their items.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

import asyncpg

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import COMMENT, DemoOrgs, MakeCouncil, MakeMeeting, accepted_item, data
from tests.support.polling import wait_until

GRANT = """
mutation($login: String!, $role: Role!, $org: ID) {
  grantRole(input: {login: $login, role: $role, organizationId: $org}) { grant { role } }
}
"""
COUNCIL = "query($id: ID!) { council(id: $id) { id } }"
ITEMS = (
    "query($c: ID) { agendaItems(first: 100, filter: {councilId: $c}) { totalCount edges { node { id } } } }"
)
ITEM = "query($id: ID!) { agendaItem(id: $id) { id councilId } }"
COMMENT_BY_ID = "query($id: ID!) { comment(id: $id) { id body } }"


async def _commented_item(gql: GraphQLClient, council: str, make_meeting: MakeMeeting) -> tuple[str, str]:
    item = await accepted_item(gql, council, await make_meeting(council))
    body = await gql(COMMENT, {"input": {"id": item, "body": "同意"}}, login="soe-admin")
    return item, str(data(body, "commentOnAgendaItem", "comment")["id"])


async def _grant(gql: GraphQLClient, login: str, role: str, org: uuid.UUID | None = None) -> None:
    variables: dict[str, object] = {"login": login, "role": role, "org": str(org) if org else None}
    data(await gql(GRANT, variables, login="alliance-admin"))


async def test_a_partner_that_reads_details_sees_only_the_items_of_councils_it_sees(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    public = await make_council(public=True)
    private = await make_council(public=False)
    public_item, public_comment = await _commented_item(gql, public, make_meeting)
    private_item, private_comment = await _commented_item(gql, private, make_meeting)

    # A person given the member role and the partner role; a partner key whose own account
    # (partner-demo-<prefix>) is given the member role besides.
    person = f"partner-member-{uuid.uuid4().hex[:6]}"
    await _grant(gql, person, "MEMBER", orgs["community-a"])
    await _grant(gql, person, "PARTNER")
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"议题范围-{uuid.uuid4().hex[:6]}")
    await _grant(gql, f"partner-demo-{key.plaintext.split('_')[1]}", "MEMBER", orgs["community-a"])

    async def ask(document: str, variables: dict[str, object], caller: str) -> dict[str, Any]:
        if caller == "key":
            return await gql(document, variables, headers={"x-api-key": key.plaintext})
        return await gql(document, variables, login=caller)

    async def both_roles_hold(caller: str) -> bool:
        """Items are readable (the member role) and the private council hidden (the partner's)."""
        items = await ask(ITEMS, {"c": public}, caller)
        council = await ask(COUNCIL, {"id": private}, caller)
        return "errors" not in items and error_code(council) == "NOT_FOUND"

    private_items = await admin_conn.fetchval(
        "SELECT count(*) FROM council_agenda_items i JOIN councils c ON c.id = i.council_id"
        " WHERE i.tenant_id = $1 AND NOT c.public",
        demo["demo"],
    )
    everyone = data(await ask(ITEMS, {}, "member"), "agendaItems")["totalCount"]
    for caller in (person, "key"):
        # Roles reach the gateway by NOTIFY: wait until both hold.
        await wait_until(functools.partial(both_roles_hold, caller))
        shown = data(await ask(ITEMS, {"c": public}, caller), "agendaItems")
        assert [edge["node"]["id"] for edge in shown["edges"]] == [public_item], caller
        assert data(await ask(ITEMS, {"c": private}, caller), "agendaItems")["totalCount"] == 0, caller
        assert data(await ask(ITEMS, {}, caller), "agendaItems")["totalCount"] == everyone - private_items
        assert data(await ask(ITEM, {"id": public_item}, caller), "agendaItem")["id"] == public_item
        hidden = await ask(ITEM, {"id": private_item}, caller)
        assert hidden["data"] is None and error_code(hidden) == "NOT_FOUND", caller
        assert hidden["errors"][0]["extensions"]["field"] == "id"
        assert data(await ask(COMMENT_BY_ID, {"id": public_comment}, caller), "comment")["body"] == "同意"
        assert error_code(await ask(COMMENT_BY_ID, {"id": private_comment}, caller)) == "NOT_FOUND"

    # A member without the partner role reads both councils' items and comments, as before.
    assert data(await ask(ITEMS, {"c": private}, "member"), "agendaItems")["totalCount"] == 1
    assert (
        data(await ask(COMMENT_BY_ID, {"id": private_comment}, "member"), "comment")["id"] == private_comment
    )
