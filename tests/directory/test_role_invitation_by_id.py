"""roleInvitation(id): its recipient reads it from whichever alliance it is signed in to (as
viewer's invitations and its answer show it); in the inviting alliance, those who may invite.
Nobody else: NOT_FOUND."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.directory.helpers import person_of_other
from tests.partners.helpers import new_key

FIELDS = "id tenant login homeTenant role organizationId status createdAt expiresAt answeredAt"
INVITATION = f"query($id: ID!) {{ roleInvitation(id: $id) {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on RoleInvitation {{ {FIELDS} }} }} }}"
VIEWER = f"{{ viewer {{ invitations {{ {FIELDS} }} }} }}"
INVITE = f"mutation($i: InviteToRoleInput!) {{ inviteToRole(input: $i) {{ invitation {{ {FIELDS} }} }} }}"
ACCEPT = f"""
mutation($id: ID!) {{ acceptRoleInvitation(input: {{id: $id}}) {{ invitation {{ {FIELDS} }} }} }}
"""


async def _reads(gql: GraphQLClient, invitation: dict[str, object], **asked: object) -> bool:
    """Whether ``invitation`` is answered as shown by roleInvitation and by node (found by
    node's table lookup in the caller's session); NOT_FOUND from both otherwise."""
    variables = {"id": invitation["id"]}
    by_root = await gql(INVITATION, variables, **asked)  # type: ignore[arg-type]
    by_node = await gql(NODE, variables, **asked)  # type: ignore[arg-type]
    if by_root == {"data": {"roleInvitation": invitation}}:
        assert by_node == {"data": {"node": {"__typename": "RoleInvitation", **invitation}}}, asked
        return True
    assert by_root["data"] is None and error_code(by_root) == "NOT_FOUND", (asked, by_root)
    assert by_node["data"] == {"node": None} and error_code(by_node) == "NOT_FOUND", (asked, by_node)
    return False


async def _invite(gql: GraphQLClient, guest: str) -> dict[str, object]:
    body = await gql(
        INVITE, {"i": {"login": guest, "homeTenant": "other", "role": "AUDITOR"}}, login="alliance-admin"
    )
    invitation: dict[str, object] = body["data"]["inviteToRole"]["invitation"]  # type: ignore[index]
    return invitation


async def test_the_recipient_and_the_inviters_read_it(gql: GraphQLClient) -> None:
    guest = await person_of_other(gql, "by-id")
    invited = await _invite(gql, guest)
    # The recipient, signed in to its own alliance, where it holds no role of the inviting one.
    [shown] = (await gql(VIEWER, login=guest, tenant="other"))["data"]["viewer"]["invitations"]  # type: ignore[index]
    assert shown == invited
    assert await _reads(gql, invited, login=guest, tenant="other")
    assert await _reads(gql, invited, login="alliance-admin")

    accepted = await gql(ACCEPT, {"id": invited["id"]}, login=guest, tenant="other")
    answered = accepted["data"]["acceptRoleInvitation"]["invitation"]  # type: ignore[index]
    assert answered["status"] == "ACCEPTED"
    # Answered, it leaves viewer's open invitations; both parties still read it by id.
    assert (await gql(VIEWER, login=guest, tenant="other"))["data"]["viewer"]["invitations"] == []  # type: ignore[index]
    assert await _reads(gql, answered, login=guest, tenant="other")
    assert await _reads(gql, answered, login=guest, tenant="demo")
    assert await _reads(gql, answered, login="alliance-admin")


async def test_nobody_else_reads_it(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    guest = await person_of_other(gql, "hidden")
    bystander = await person_of_other(gql, "bystander")
    invited = await _invite(gql, guest)
    _, plaintext = await new_key(admin_conn, "邀请-合作方")
    asking: list[dict[str, object]] = [
        # demo's people who may not invite, whatever else they may read (auditors read roles)
        *({"login": login} for login in ("street-admin", "soe-admin", "member", "auditor")),
        {"headers": {"x-api-key": plaintext}},
        # the recipient's own alliance: its admin, another of its people
        {"login": "alliance-admin", "tenant": "other"},
        {"login": bystander, "tenant": "other"},
    ]
    for asked in asking:
        assert not await _reads(gql, invited, **asked), asked


async def test_the_demo_invitation_through_node(gql: GraphQLClient) -> None:
    """The demo's open offer to other's inspector, as its viewer shows it."""
    [shown] = (await gql(VIEWER, login="inspector", tenant="other"))["data"]["viewer"]["invitations"]  # type: ignore[index]
    assert shown["tenant"] == "demo" and shown["status"] == "PENDING"
    assert await _reads(gql, shown, login="inspector", tenant="other")
    assert await _reads(gql, shown, login="alliance-admin")


async def test_an_unknown_a_malformed_id_and_no_caller(gql: GraphQLClient) -> None:
    invited = await _invite(gql, await person_of_other(gql, "unknown"))
    assert error_code(await gql(INVITATION, {"id": str(uuid.uuid4())}, login="alliance-admin")) == "NOT_FOUND"
    body = await gql(INVITATION, {"id": "x1"}, login="alliance-admin")
    assert body["data"] is None and error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
    assert error_code(await gql(INVITATION, {"id": invited["id"]})) == "UNAUTHENTICATED"
