"""A transfer from ``demo`` to ``other`` end to end through HTTP, handed over by events; the
receiving district sees the transfer and nothing else of the sender; an unknown district and
an unknown credit code get the same answer."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.orglife.conftest import ACCEPT, APPROVE, MEMBER, REGISTER, REQUEST, TRANSFERS, data
from tests.support.polling import eventually


async def _register(gql: GraphQLClient, branch: uuid.UUID, name: str) -> dict[str, object]:
    return data(
        await gql(
            REGISTER,
            {
                "input": {
                    "organizationId": str(branch),
                    "name": name,
                    "joinedOn": "2015-07-01",
                    "status": "FULL",
                    "fullMemberOn": "2016-07-01",
                    "phone": "13900001111",
                }
            },
            login="street-admin",
        ),
        "registerMember",
        "member",
    )


async def _credit_code(admin_conn: asyncpg.Connection, organization_id: uuid.UUID) -> str:
    code: str = await admin_conn.fetchval(
        "SELECT credit_code FROM organizations WHERE id = $1", organization_id
    )
    return code


async def _transfers(gql: GraphQLClient, tenant: str, direction: str) -> list[dict[str, object]]:
    found = data(
        await gql(TRANSFERS, {"filter": {"direction": direction}}, login="alliance-admin", tenant=tenant),
        "transfers",
    )
    return [edge["node"] for edge in found["edges"]]  # type: ignore[attr-defined]


async def test_transfer_to_another_district_end_to_end(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, orgs: dict[str, uuid.UUID], handover: None
) -> None:
    member = await _register(gql, orgs["garden"], "钱跨区")
    code = await _credit_code(admin_conn, orgs["other_street"])
    requested = data(
        await gql(
            REQUEST,
            {
                "input": {
                    "memberId": member["id"],
                    "toTenant": "other",
                    "toOrganizationCreditCode": code,
                    "letterNumber": "东组转〔2026〕18号",
                    "reason": "工作调动",
                }
            },
            login="street-admin",
        ),
        "requestTransfer",
        "transfer",
    )
    assert requested["status"] == "REQUESTED" and requested["direction"] == "OUT"
    approved = data(
        await gql(APPROVE, {"input": {"id": requested["id"]}}, login="street-admin"),
        "approveTransferOut",
        "transfer",
    )
    assert approved["status"] == "APPROVED_OUT"

    incoming = await eventually(
        lambda: _transfers(gql, "other", "IN"),
        lambda found: any(t["memberName"] == "钱跨区" for t in found),
    )
    received = next(t for t in incoming if t["memberName"] == "钱跨区")
    assert received["status"] == "APPROVED_OUT"
    assert received["originTenant"] == "demo" and received["letterNumber"] == "东组转〔2026〕18号"
    assert received["id"] != requested["id"]

    accepted = data(
        await gql(ACCEPT, {"input": {"id": received["id"]}}, login="alliance-admin", tenant="other"),
        "acceptTransfer",
        "transfer",
    )
    assert accepted["status"] == "ACCEPTED" and accepted["memberId"]
    newcomer = data(
        await gql(MEMBER, {"id": accepted["memberId"]}, login="alliance-admin", tenant="other"), "member"
    )
    assert newcomer["organizationId"] == str(orgs["other_street"])
    assert newcomer["phone"] is None  # the phone stays with the sending district
    assert newcomer["history"] == [
        {"organizationId": str(orgs["other_street"]), "fromOn": accepted["acceptedOn"], "toOn": None}
    ]

    outgoing = await eventually(
        lambda: _transfers(gql, "demo", "OUT"),
        lambda found: any(t["id"] == requested["id"] and t["status"] == "ACCEPTED" for t in found),
    )
    assert next(t for t in outgoing if t["id"] == requested["id"])["acceptedOn"] == accepted["acceptedOn"]
    gone = data(await gql(MEMBER, {"id": member["id"]}, login="street-admin"), "member")
    assert gone["leftOn"] == accepted["acceptedOn"]
    assert gone["history"] == [
        {"organizationId": str(orgs["garden"]), "fromOn": "2015-07-01", "toOn": accepted["acceptedOn"]}
    ]


async def test_the_receiving_district_reads_nothing_else_of_the_sender(
    gql: GraphQLClient, orgs: dict[str, uuid.UUID]
) -> None:
    member = await _register(gql, orgs["garden"], "孙隔离")
    answer = await gql(MEMBER, {"id": member["id"]}, login="alliance-admin", tenant="other")
    assert error_code(answer) == "NOT_FOUND"
    listed = data(
        await gql(
            "{ members(first: 100) { edges { node { id name } } } }", login="alliance-admin", tenant="other"
        ),
        "members",
    )
    assert all(edge["node"]["name"] != "孙隔离" for edge in listed["edges"])  # type: ignore[attr-defined]
    sessions = data(
        await gql(
            "query($f: OrganisationalLifeFilter) { organisationalLife(filter: $f) { totalCount } }",
            {"f": {"organizationId": str(orgs["garden"])}},
            login="alliance-admin",
            tenant="other",
        ),
        "organisationalLife",
    )
    assert sessions["totalCount"] == 0


async def test_unknown_district_and_unknown_credit_code_answer_alike(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, orgs: dict[str, uuid.UUID], handover: None
) -> None:
    code = await _credit_code(admin_conn, orgs["other_street"])
    unknown_code = "91330108MA00000000"
    answers = []
    for tenant, credit in (("nowhere", code), ("other", unknown_code)):
        member = await _register(gql, orgs["garden"], f"周{tenant}")
        requested = data(
            await gql(
                REQUEST,
                {"input": {"memberId": member["id"], "toTenant": tenant, "toOrganizationCreditCode": credit}},
                login="street-admin",
            ),
            "requestTransfer",
            "transfer",
        )
        await gql(APPROVE, {"input": {"id": requested["id"]}}, login="street-admin")
        rid = requested["id"]

        def refused(found: list[dict[str, object]], rid: object = rid) -> bool:
            return any(t["id"] == rid and t["status"] == "REJECTED" for t in found)

        found = await eventually(lambda: _transfers(gql, "demo", "OUT"), refused)
        answers.append(next(t for t in found if t["id"] == requested["id"])["rejectionReason"])
    assert answers[0] == answers[1] and answers[0]
