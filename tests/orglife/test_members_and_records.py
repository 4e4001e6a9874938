"""Members, 三会一课 records and transfers within a district, through HTTP: the bad input the
issue lists (each refused and writing nothing), audited reads, phones for admins only."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.orglife.conftest import ACCEPT, APPROVE, MEMBER, REGISTER, REQUEST, data
from tests.support.writes import WritesNothing

UPDATE = """
mutation($input: UpdateMemberInput!) { updateMember(input: $input) { member { id status fullMemberOn } } }
"""
RECORD = """
mutation($input: RecordOrganisationalLifeInput!) {
  recordOrganisationalLife(input: $input) { record { id kind heldOn attendeeMemberIds absentees { memberId reason } } }
}
"""
MEMBERS = "query($f: MemberFilter) { members(filter: $f, first: 100) { totalCount edges { node { id name phone } } } }"


def field_of(body: dict[str, object]) -> str | None:
    errors = body.get("errors")
    assert errors, body
    return errors[0]["extensions"].get("field")  # type: ignore[index, no-any-return]


async def _member(gql: GraphQLClient, branch: uuid.UUID, name: str, **fields: object) -> dict[str, object]:
    given = {"organizationId": str(branch), "name": name, "joinedOn": "2018-05-04", "status": "PROBATIONARY"}
    given.update(fields)
    return data(await gql(REGISTER, {"input": given}, login="street-admin"), "registerMember", "member")


async def test_member_bad_input_is_refused_and_writes_nothing(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], writes_nothing: WritesNothing
) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    base = {"organizationId": str(orgs["garden"]), "name": "吴坏数据", "status": "FULL"}
    cases = [
        ({**base, "joinedOn": tomorrow, "fullMemberOn": tomorrow}, "joinedOn"),
        ({**base, "joinedOn": "2020-01-01", "fullMemberOn": "2019-12-31"}, "fullMemberOn"),
        ({**base, "joinedOn": "2020-01-01"}, "fullMemberOn"),
        ({**base, "joinedOn": "2020-01-01", "fullMemberOn": "2021-01-01", "phone": "not a phone"}, "phone"),
    ]
    for given, field in cases:
        async with writes_nothing():
            answer = await gql(REGISTER, {"input": given}, login="street-admin")
        assert error_code(answer) == "BAD_USER_INPUT" and field_of(answer) == field, (given, answer)
    member = await _member(gql, orgs["garden"], "吴转正")
    async with writes_nothing():
        answer = await gql(
            UPDATE,
            {
                "input": {
                    "id": member["id"],
                    "name": "吴转正",
                    "joinedOn": "2018-05-04",
                    "status": "FULL",
                    "fullMemberOn": "2018-05-03",
                }
            },
            login="street-admin",
        )
    assert error_code(answer) == "BAD_USER_INPUT" and field_of(answer) == "fullMemberOn"
    full = data(
        await gql(
            UPDATE,
            {
                "input": {
                    "id": member["id"],
                    "name": "吴转正",
                    "joinedOn": "2018-05-04",
                    "status": "FULL",
                    "fullMemberOn": "2019-05-04",
                }
            },
            login="street-admin",
        ),
        "updateMember",
        "member",
    )
    assert full["status"] == "FULL" and full["fullMemberOn"] == "2019-05-04"


async def test_an_attendee_must_be_a_member_of_the_branch_on_that_day(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID], writes_nothing: WritesNothing
) -> None:
    here = await _member(gql, orgs["garden"], "郑本支部")
    elsewhere = await _member(gql, orgs["riverside"], "冯外支部")
    late = await _member(gql, orgs["garden"], "秦新党员", joinedOn=dt.date.today().isoformat())
    base = {
        "organizationId": str(orgs["garden"]),
        "kind": "BRANCH_COMMITTEE",
        "heldOn": "2024-06-01",
        "topic": "学习",
    }
    for attendees, absentees, field in [
        ([elsewhere["id"]], [], "attendeeMemberIds"),
        ([late["id"]], [], "attendeeMemberIds"),
        ([here["id"]], [{"memberId": elsewhere["id"], "reason": "病假"}], "absentees"),
        ([here["id"]], [{"memberId": here["id"], "reason": "病假"}], "absentees"),
    ]:
        async with writes_nothing():
            answer = await gql(
                RECORD,
                {"input": {**base, "attendeeMemberIds": attendees, "absentees": absentees}},
                login="street-admin",
            )
        assert error_code(answer) == "BAD_USER_INPUT" and field_of(answer) == field, answer
    record = data(
        await gql(
            RECORD,
            {
                "input": {
                    **base,
                    "attendeeMemberIds": [here["id"]],
                    "absentees": [{"memberId": late["id"], "reason": "x"}],
                    "heldOn": dt.date.today().isoformat(),
                }
            },
            login="street-admin",
        ),
        "recordOrganisationalLife",
        "record",
    )
    assert record["attendeeMemberIds"] == [here["id"]] and record["absentees"] == [
        {"memberId": late["id"], "reason": "x"}
    ]


async def test_transfer_within_the_district_and_its_refusals(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    orgs: dict[str, uuid.UUID],
    writes_nothing: WritesNothing,
) -> None:
    member = await _member(gql, orgs["garden"], "褚本区调动")
    own = await admin_conn.fetchval("SELECT credit_code FROM organizations WHERE id = $1", orgs["street"])
    # The garden has no credit code: the member moves to the street committee's own branch.
    async with writes_nothing():
        answer = await gql(
            REQUEST,
            {
                "input": {
                    "memberId": member["id"],
                    "toTenant": "demo",
                    "toOrganizationCreditCode": "91110101MA00000000",
                }
            },
            login="street-admin",
        )
    assert error_code(answer) == "BAD_USER_INPUT" and field_of(answer) == "toOrganizationCreditCode"
    requested = data(
        await gql(
            REQUEST,
            {"input": {"memberId": member["id"], "toTenant": "demo", "toOrganizationCreditCode": own}},
            login="street-admin",
        ),
        "requestTransfer",
        "transfer",
    )
    async with writes_nothing():
        again = await gql(
            REQUEST,
            {"input": {"memberId": member["id"], "toTenant": "demo", "toOrganizationCreditCode": own}},
            login="street-admin",
        )
    assert error_code(again) == "CONFLICT"
    await gql(APPROVE, {"input": {"id": requested["id"]}}, login="street-admin")
    accepted = data(
        await gql(ACCEPT, {"input": {"id": requested["id"]}}, login="street-admin"),
        "acceptTransfer",
        "transfer",
    )
    moved = data(await gql(MEMBER, {"id": member["id"]}, login="street-admin"), "member")
    assert moved["organizationId"] == str(orgs["street"]) and moved["leftOn"] is None
    assert moved["history"] == [
        {"organizationId": str(orgs["garden"]), "fromOn": "2018-05-04", "toOn": accepted["acceptedOn"]},
        {"organizationId": str(orgs["street"]), "fromOn": accepted["acceptedOn"], "toOn": None},
    ]
    async with writes_nothing():
        back = await gql(
            REQUEST,
            {"input": {"memberId": member["id"], "toTenant": "demo", "toOrganizationCreditCode": own}},
            login="street-admin",
        )
    assert error_code(back) == "BAD_USER_INPUT" and field_of(back) == "toOrganizationCreditCode"


async def test_reads_outside_ones_own_branch_are_audited_and_phones_are_for_admins(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    listed = data(
        await gql(MEMBERS, {"f": {"organizationId": str(orgs["garden"])}}, login="alliance-admin"), "members"
    )
    ids = {edge["node"]["id"] for edge in listed["edges"]}  # type: ignore[attr-defined]
    assert ids and all(edge["node"]["phone"] for edge in listed["edges"] if edge["node"]["name"] == "张建国")  # type: ignore[attr-defined]
    audited = await admin_conn.fetch(
        "SELECT entity_id, request_id FROM audit_log a JOIN accounts c ON c.id = a.actor_id"
        " WHERE a.action = 'party_member.read' AND c.login = 'alliance-admin' AND a.tenant_id = $1"
        " AND a.entity_id = ANY($2::text[])",
        demo["demo"],
        sorted(ids),
    )
    assert {row["entity_id"] for row in audited} >= ids
    own = data(await gql(MEMBERS, login="member"), "members")
    assert own["totalCount"] == 1  # a member reads their own record only
    assert own["edges"][0]["node"]["phone"] is None  # type: ignore[index]


async def test_another_tenants_member_answers_not_found(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID]
) -> None:
    member = await _member(gql, orgs["garden"], "魏跨租户")
    answer = await gql(
        UPDATE,
        {"input": {"id": member["id"], "name": "x", "joinedOn": "2018-05-04", "status": "PROBATIONARY"}},
        login="alliance-admin",
        tenant="other",
    )
    assert error_code(answer) == "NOT_FOUND"


async def test_exports_mask_phones_unless_the_caller_may_see_them(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID]
) -> None:
    export = "query($f: MemberFilter) { membersExport(filter: $f) }"
    wanted = {"f": {"organizationId": str(orgs["garden"]), "search": "张建国"}}
    admin = str(data(await gql(export, wanted, login="street-admin"), "membersExport"))
    auditor = str(data(await gql(export, wanted, login="auditor"), "membersExport"))
    assert admin.splitlines()[0].endswith(",phone")
    assert admin.splitlines()[1].endswith(",13800000000")
    assert auditor.splitlines()[1].endswith(",***")


async def test_two_transfers_of_one_member_race_and_one_wins(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, orgs: dict[str, uuid.UUID]
) -> None:
    member = await _member(gql, orgs["garden"], "沈并发")
    code = await admin_conn.fetchval("SELECT credit_code FROM organizations WHERE id = $1", orgs["street"])
    given = {"input": {"memberId": member["id"], "toTenant": "demo", "toOrganizationCreditCode": code}}
    # One token up front: the token helper's database connection takes one caller at a time.
    signed = {"authorization": f"Bearer {await gql.tokens('street-admin')}"}
    answers = await asyncio.gather(*(gql(REQUEST, given, headers=signed) for _ in range(4)))
    codes = sorted(str(error_code(answer)) for answer in answers)
    assert codes == ["CONFLICT", "CONFLICT", "CONFLICT", "None"], answers
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM member_transfers WHERE member_id = $1", uuid.UUID(str(member["id"]))
        )
        == 1
    )
