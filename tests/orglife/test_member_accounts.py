"""Linking a member record to a login, through HTTP: the linked member reads their own record
(and only it) until an admin unlinks it; bad logins answer the same whatever the reason; each
link and unlink is audited and announced."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import GraphQLClient, error_code
from tests.orglife.conftest import REGISTER, data
from tests.support.writes import WritesNothing

LINKED_LOGIN = "garden-linked-member"
OTHER_ONLY_LOGIN = "binjiang-only-member"
LINK = """
mutation($input: LinkMemberAccountInput!) { linkMemberAccount(input: $input) { member { id accountLinked } } }
"""
UNLINK = """
mutation($input: UnlinkMemberAccountInput!) { unlinkMemberAccount(input: $input) { member { id accountLinked } } }
"""
OWN = "query($id: ID!) { member(id: $id) { id name joinedOn status fullMemberOn phone accountLinked } }"
LISTED = "{ members(first: 100) { totalCount edges { node { id name } } } }"


async def _account(
    admin_conn: asyncpg.Connection, *, tenant_id: uuid.UUID, login: str, branch: uuid.UUID
) -> None:
    """A person holding the member role at ``branch`` (set up directly: not what is tested)."""
    account_id = await admin_conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2::text, $2::text)"
        " ON CONFLICT (home_tenant_id, login) DO UPDATE SET login = EXCLUDED.login RETURNING id",
        tenant_id,
        login,
    )
    await admin_conn.execute(
        "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id) VALUES ($1, $2, 'member', $3)"
        " ON CONFLICT (tenant_id, account_id, role) DO NOTHING",
        tenant_id,
        account_id,
        branch,
    )


async def _register(gql: GraphQLClient, branch: uuid.UUID, name: str) -> str:
    given = {
        "organizationId": str(branch),
        "name": name,
        "joinedOn": "2015-07-01",
        "status": "FULL",
        "fullMemberOn": "2016-07-01",
        "phone": "13900001111",
    }
    member = data(await gql(REGISTER, {"input": given}, login="street-admin"), "registerMember", "member")
    return str(member["id"])


async def _trail(admin_conn: asyncpg.Connection, member_id: str) -> tuple[list[str], list[str]]:
    audited = await admin_conn.fetch(
        "SELECT action FROM audit_log WHERE entity_id = $1 AND action LIKE '%account%' ORDER BY id", member_id
    )
    announced = await admin_conn.fetch(
        "SELECT event_type FROM outbox WHERE aggregate_id = $1 AND event_type LIKE '%account%' ORDER BY seq",
        member_id,
    )
    return [row["action"] for row in audited], [row["event_type"] for row in announced]


async def test_a_linked_member_reads_their_own_record_until_unlinked(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    await _account(admin_conn, tenant_id=demo["demo"], login=LINKED_LOGIN, branch=orgs["garden"])
    own = await _register(gql, orgs["garden"], "关联本人")
    neighbour = await _register(gql, orgs["garden"], "关联邻居")
    assert error_code(await gql(OWN, {"id": own}, login=LINKED_LOGIN)) == "NOT_FOUND"

    linked = data(
        await gql(LINK, {"input": {"memberId": own, "login": LINKED_LOGIN}}, login="street-admin"),
        "linkMemberAccount",
        "member",
    )
    assert linked == {"id": own, "accountLinked": True}

    record = data(await gql(OWN, {"id": own}, login=LINKED_LOGIN), "member")
    assert record["name"] == "关联本人"
    assert (record["joinedOn"], record["status"], record["fullMemberOn"]) == (
        "2015-07-01",
        "FULL",
        "2016-07-01",
    )
    assert record["phone"] is None  # phones are for admins only, the member's own included
    listed = data(await gql(LISTED, login=LINKED_LOGIN), "members")
    assert listed["totalCount"] == 1
    assert [edge["node"]["id"] for edge in listed["edges"]] == [own]  # type: ignore[attr-defined]
    assert error_code(await gql(OWN, {"id": neighbour}, login=LINKED_LOGIN)) == "NOT_FOUND"

    unlinked = data(
        await gql(UNLINK, {"input": {"memberId": own}}, login="street-admin"), "unlinkMemberAccount", "member"
    )
    assert unlinked == {"id": own, "accountLinked": False}
    assert error_code(await gql(OWN, {"id": own}, login=LINKED_LOGIN)) == "NOT_FOUND"
    assert data(await gql(LISTED, login=LINKED_LOGIN), "members")["totalCount"] == 0

    audited, announced = await _trail(admin_conn, own)
    assert audited == ["member.account_linked", "member.account_unlinked"]
    assert announced == ["member.account_linked.v1", "member.account_unlinked.v1"]


async def test_bad_logins_answer_alike_and_one_login_reads_one_record(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: dict[str, uuid.UUID],
    writes_nothing: WritesNothing,
) -> None:
    await _account(admin_conn, tenant_id=demo["other"], login=OTHER_ONLY_LOGIN, branch=orgs["other_street"])
    first = await _register(gql, orgs["garden"], "关联甲")
    second = await _register(gql, orgs["garden"], "关联乙")
    answers = []
    async with writes_nothing():
        for login in (OTHER_ONLY_LOGIN, "nobody-by-this-name", " "):
            answer = await gql(LINK, {"input": {"memberId": first, "login": login}}, login="street-admin")
            assert error_code(answer) == "BAD_USER_INPUT", answer
            assert answer["errors"][0]["extensions"]["field"] == "login"  # type: ignore[index]
            answers.append(answer["errors"][0]["message"])  # type: ignore[index]
        # Another tenant's record answers NOT_FOUND; a member may not link records at all.
        answer = await gql(
            LINK, {"input": {"memberId": first, "login": "member"}}, login="alliance-admin", tenant="other"
        )
        assert error_code(answer) == "NOT_FOUND"
        answer = await gql(LINK, {"input": {"memberId": first, "login": "member"}}, login="member")
        assert error_code(answer) == "FORBIDDEN"
    assert answers[0] == answers[1]  # another district's login and an unknown one: the same words

    await _account(admin_conn, tenant_id=demo["demo"], login=LINKED_LOGIN + "-2", branch=orgs["garden"])
    data(
        await gql(LINK, {"input": {"memberId": first, "login": LINKED_LOGIN + "-2"}}, login="street-admin"),
        "linkMemberAccount",
    )
    async with writes_nothing():
        answer = await gql(
            LINK, {"input": {"memberId": second, "login": LINKED_LOGIN + "-2"}}, login="street-admin"
        )
        assert error_code(answer) == "CONFLICT"


@pytest.mark.parametrize("document", [LINK, UNLINK])
async def test_an_unknown_member_id_answers_not_found(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], document: str
) -> None:
    given: dict[str, str] = {"memberId": str(uuid.uuid4())}
    if document is LINK:
        given["login"] = "member"
    assert error_code(await gql(document, {"input": given}, login="street-admin")) == "NOT_FOUND"
