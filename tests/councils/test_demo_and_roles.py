"""The demo data, and the role × operation matrix of the councils' permissions."""

from __future__ import annotations

import uuid

import asyncpg

from services.councils.demo import STREET_COUNCIL, seed_councils
from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import (
    COMMENT,
    CREATE_COUNCIL,
    PROPOSE,
    SCHEDULE,
    DemoOrgs,
    MakeCouncil,
    MakeMeeting,
    accepted_item,
    at,
    data,
)


async def test_demo_data_tells_the_story(
    admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], gql: GraphQLClient
) -> None:
    await seed_councils(admin_conn)
    assert await seed_councils(admin_conn) is False  # once
    council = await admin_conn.fetchrow("SELECT id FROM councils WHERE name = $1", STREET_COUNCIL)
    assert council is not None
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM council_members WHERE council_id = $1 AND left_on IS NULL", council["id"]
        )
        == 5
    )
    assert await admin_conn.fetchval("SELECT count(*) FROM councils WHERE kind = 'SOE_JOINT_MEETING'") >= 1
    query = (
        "query($id: ID!) { council(id: $id) { meetings { status minutes agenda { status comments { body } }"
    )
    query += " resolutions { tasks { status } } } } }"
    meetings = data(await gql(query, {"id": str(council["id"])}, login="member"), "council", "meetings")
    held, upcoming = meetings
    assert held["status"] == "MINUTES_PUBLISHED" and held["minutes"]
    assert [len(r["tasks"]) for r in held["resolutions"]] == [2]
    assert upcoming["status"] == "SCHEDULED"
    assert {a["status"] for a in upcoming["agenda"]} == {"ACCEPTED"}
    assert all(a["comments"] for a in upcoming["agenda"])


CALLERS = ("alliance-admin", "street-admin", "soe-admin", "member", "auditor", "partner")


async def test_role_by_operation_matrix(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    key = (
        await create_api_key(admin_conn, tenant_slug="demo", name=f"矩阵-{uuid.uuid4().hex[:4]}")
    ).plaintext
    council = await make_council(public=True)
    meeting = await make_meeting(council, start=24)
    item = await accepted_item(gql, council, meeting)
    outsider = await make_council(public=True, members=("community-a",))  # the SOE is no member here

    operations: dict[str, tuple[str, dict[str, object]]] = {
        "create council": (
            CREATE_COUNCIL,
            {
                "input": {
                    "name": "新联席会议",
                    "kind": "SOE_JOINT_MEETING",
                    "hostOrganizationId": str(orgs["district"]),
                    "memberOrganizationIds": [str(orgs["soe"])],
                }
            },
        ),
        "schedule": (
            SCHEDULE,
            {"input": {"councilId": council, "title": "会", "start": at(48), "end": at(49)}},
        ),
        "propose": (PROPOSE, {"input": {"councilId": council, "title": "议题", "description": "内容"}}),
        "propose as non-member": (
            PROPOSE,
            {"input": {"councilId": outsider, "title": "议题", "description": "内容"}},
        ),
        "comment": (COMMENT, {"input": {"id": item, "body": "意见"}}),
        "read items": ("{ agendaItems { totalCount } }", {}),
        "read figures": (
            '{ councilFigures(from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z") { meetingsHeld } }',
            {},
        ),
        "read council": ("query($id: ID!) { council(id: $id) { id } }", {"id": council}),
    }
    ok, no = None, "FORBIDDEN"
    expected = {
        #                         admin  street  soe  member auditor partner
        "create council": (ok, no, no, no, no, no),
        "schedule": (ok, ok, no, no, no, no),
        "propose": (ok, ok, ok, no, no, no),
        "propose as non-member": (ok, ok, no, no, no, no),  # the street hosts it
        "comment": (ok, ok, ok, no, no, no),
        "read items": (ok, ok, ok, ok, ok, no),
        "read figures": (ok, ok, ok, ok, ok, ok),
        "read council": (ok, ok, ok, ok, ok, ok),
    }
    wrong = []
    for name, (document, variables) in operations.items():
        for caller, want in zip(CALLERS, expected[name], strict=True):
            if caller == "partner":
                body = await gql(document, variables, headers={"x-api-key": key})
            else:
                body = await gql(document, variables, login=caller)
            if error_code(body) != want:
                wrong.append((name, caller, want, body.get("errors")))
    assert wrong == []
