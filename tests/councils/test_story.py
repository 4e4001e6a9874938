"""The whole story through HTTP, as the users: an item raised by a member unit, accepted onto a
meeting, commented on, decided with tasks that land in the ledger, minutes published, and
followed up (督办) at the next meeting until it counts as solved through consultation."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import (
    ACCEPT,
    ADOPT,
    ATTENDANCE,
    COMMENT,
    MEETING,
    MINUTES,
    PROPOSE,
    DemoOrgs,
    MakeCouncil,
    MakeMeeting,
    data,
    days_ahead,
)
from tests.support.ledger import sign_off_task

ITEM = "query($c: ID!) { agendaItems(filter: {councilId: $c}) { totalCount edges { node { id status solved } } } }"


async def test_from_raising_an_item_to_the_follow_up_at_the_next_meeting(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
    stationed_admin: str,
) -> None:
    council = await make_council(public=True)
    first = await make_meeting(council)

    # A member unit's admin raises a problem; a unit's plain member may not.
    raise_item = {
        "councilId": council,
        "title": "老旧小区停车难",
        "description": "停车位缺口约120个",
        "category": "民生",
    }
    assert error_code(await gql(PROPOSE, {"input": raise_item}, login="member")) == "FORBIDDEN"
    item = data(
        await gql(PROPOSE, {"input": raise_item}, login="soe-admin"), "proposeAgendaItem", "agendaItem"
    )
    assert item["status"] == "PROPOSED"

    # The convener (the host street's admin) puts it on the agenda; units comment (协商).
    accepted = await gql(ACCEPT, {"input": {"id": item["id"], "meetingId": first}}, login="street-admin")
    assert data(accepted, "acceptAgendaItem", "agendaItem")["status"] == "ACCEPTED"
    comment = await gql(
        COMMENT, {"input": {"id": item["id"], "body": "城投集团可夜间开放停车场"}}, login="soe-admin"
    )
    assert data(comment, "commentOnAgendaItem", "comment")["organization"] == {"id": str(orgs["soe"])}

    # At the meeting: attendance, then a resolution with two tasks.
    entries = [
        {"organizationId": str(orgs["soe"]), "status": "PRESENT", "delegate": "王书记"},
        {"organizationId": str(orgs["stationed"]), "status": "EXCUSED"},
        {"organizationId": str(orgs["community-a"]), "status": "PRESENT", "delegate": "李书记"},
    ]
    held = await gql(ATTENDANCE, {"input": {"meetingId": first, "entries": entries}}, login="street-admin")
    assert data(held, "recordAttendance", "meeting")["status"] == "HELD"
    tasks = [
        {
            "title": "夜间开放停车场",
            "leadOrganizationId": str(orgs["soe"]),
            "dueDate": days_ahead(20),
            "supportingOrganizationIds": [str(orgs["street"])],
        },
        {
            "title": "错时开放医院停车场",
            "leadOrganizationId": str(orgs["stationed"]),
            "dueDate": days_ahead(30),
        },
    ]
    adopted = await gql(
        ADOPT,
        {
            "input": {
                "meetingId": first,
                "agendaItemId": item["id"],
                "text": "驻区单位错时开放停车场",
                "tasks": tasks,
            }
        },
        login="street-admin",
    )
    resolution = data(adopted, "adoptResolution", "resolution")
    assert [(t["status"], t["dueDate"], t["leadOrganization"]["id"]) for t in resolution["tasks"]] == [
        ("OPEN", days_ahead(20), str(orgs["soe"])),
        ("OPEN", days_ahead(30), str(orgs["stationed"])),
    ]
    # The tasks are ledger items whose source is this resolution, exactly once.
    ledger = await admin_conn.fetch(
        "SELECT list, source, source_key FROM ledger_items WHERE source_id = $1 ORDER BY source_key",
        uuid.UUID(str(resolution["id"])),
    )
    assert [tuple(row) for row in ledger] == [
        ("TASK", "COUNCIL_RESOLUTION", "1"),
        ("TASK", "COUNCIL_RESOLUTION", "2"),
    ]

    # Minutes; after that the meeting is read-only.
    published = await gql(
        MINUTES,
        {"input": {"meetingId": first, "text": "会议协商停车难问题，形成决议一项。"}},
        login="street-admin",
    )
    assert data(published, "publishMinutes", "meeting")["status"] == "MINUTES_PUBLISHED"
    again = await gql(
        ATTENDANCE, {"input": {"meetingId": first, "entries": entries[:1]}}, login="street-admin"
    )
    assert error_code(again) == "CONFLICT"

    # The next meeting, convened by the SOE in rotation (轮值), follows up the open tasks (督办).
    second = await make_meeting(council, start=24 * 7, conveningOrganizationId=str(orgs["soe"]))
    follow = data(await gql(MEETING, {"id": second}, login="soe-admin"), "meeting", "followUp")
    assert [(f["resolution"]["id"], f["task"]["status"], f["task"]["overdue"]) for f in follow] == [
        (resolution["id"], "OPEN", False),
        (resolution["id"], "OPEN", False),
    ]
    listed = data(await gql(ITEM, {"c": council}, login="member"), "agendaItems")
    assert listed["edges"][0]["node"] == {"id": item["id"], "status": "RESOLVED", "solved": False}

    # The ledger closes the tasks its own way (销号): the lead unit's admin submits, the assigner
    # (the convening street) signs off. One task signed off leaves the other under follow-up…
    soe_task, hospital_task = (str(t["id"]) for t in resolution["tasks"])
    await sign_off_task(gql, soe_task, submitter="soe-admin", signer="street-admin")
    follow = data(await gql(MEETING, {"id": second}, login="soe-admin"), "meeting", "followUp")
    assert [(f["task"]["id"], f["task"]["status"]) for f in follow] == [(hospital_task, "OPEN")]
    listed = data(await gql(ITEM, {"c": council}, login="member"), "agendaItems")
    assert listed["edges"][0]["node"]["solved"] is False

    # …and once both are, the item counts as solved through consultation (协商解决) and leaves it.
    await sign_off_task(gql, hospital_task, submitter=stationed_admin, signer="street-admin")
    assert data(await gql(MEETING, {"id": second}, login="soe-admin"), "meeting", "followUp") == []
    listed = data(await gql(ITEM, {"c": council}, login="member"), "agendaItems")
    assert listed["edges"][0]["node"]["solved"] is True
    tasks_now = data(await gql(MEETING, {"id": first}, login="auditor"), "meeting", "resolutions")[0]["tasks"]
    assert [t["status"] for t in tasks_now] == ["SIGNED_OFF", "SIGNED_OFF"]
