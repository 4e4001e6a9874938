"""Memberships may start before today (入会日期), so that a meeting entered after it was held (补录)
can record the attendance and resolutions of a council set up since."""

from __future__ import annotations

import datetime as dt

from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import (
    ADOPT,
    ATTENDANCE,
    CREATE_COUNCIL,
    LOCAL,
    DemoOrgs,
    MakeMeeting,
    accepted_item,
    data,
    days_ahead,
)
from tests.resources.conftest import field_of
from tests.support.writes import WritesNothing

ADD = """
mutation($input: AddCouncilMemberInput!) { addCouncilMember(input: $input) { council { id } } }
"""
REMOVE = """
mutation($input: RemoveCouncilMemberInput!) { removeCouncilMember(input: $input) { council { id } } }
"""
MEMBERS = "query($id: ID!) { council(id: $id) { members { organizationId joinedOn leftOn } } }"


def _day(days: int) -> str:
    return (dt.datetime.now(LOCAL).date() + dt.timedelta(days=days)).isoformat()


def _council(orgs: DemoOrgs, **more: object) -> dict[str, object]:
    return {
        "input": {
            "name": "补录联席会议",
            "kind": "STREET_JOINT_MEETING",
            "hostOrganizationId": str(orgs["street"]),
            "memberOrganizationIds": [str(orgs["soe"]), str(orgs["community-a"])],
            **more,
        }
    }


async def test_a_meeting_held_before_the_council_was_entered_records_attendance_and_resolutions(
    gql: GraphQLClient, orgs: DemoOrgs, make_meeting: MakeMeeting
) -> None:
    created = await gql(CREATE_COUNCIL, _council(orgs, memberSince=_day(-10)), login="alliance-admin")
    council = str(data(created, "createCouncil", "council")["id"])
    members = data(await gql(MEMBERS, {"id": council}, login="alliance-admin"), "council", "members")
    assert {m["joinedOn"] for m in members} == {_day(-10)}

    # A unit added later, also backdated, attends the same past meeting.
    added = await gql(
        ADD,
        {"input": {"councilId": council, "organizationId": str(orgs["stationed"]), "memberSince": _day(-7)}},
        login="alliance-admin",
    )
    data(added, "addCouncilMember")

    meeting = await make_meeting(council, start=-24 * 5)
    item = await accepted_item(gql, council, meeting)
    entries = [
        {"organizationId": str(orgs["soe"]), "status": "PRESENT", "delegate": "王书记"},
        {"organizationId": str(orgs["community-a"]), "status": "EXCUSED"},
        {"organizationId": str(orgs["stationed"]), "status": "PRESENT"},
    ]
    recorded = await gql(
        ATTENDANCE, {"input": {"meetingId": meeting, "entries": entries}}, login="street-admin"
    )
    assert data(recorded, "recordAttendance", "meeting")["status"] == "HELD"
    adopted = await gql(
        ADOPT,
        {
            "input": {
                "meetingId": meeting,
                "agendaItemId": item,
                "text": "城投集团夜间开放停车场",
                "tasks": [
                    {"title": "开放停车场", "leadOrganizationId": str(orgs["soe"]), "dueDate": days_ahead(20)}
                ],
            }
        },
        login="street-admin",
    )
    resolution = data(adopted, "adoptResolution", "resolution")
    assert [t["leadOrganization"]["id"] for t in resolution["tasks"]] == [str(orgs["soe"])]


async def test_a_membership_date_in_the_future_too_far_back_or_overlapping_is_refused(
    gql: GraphQLClient, orgs: DemoOrgs, writes_nothing: WritesNothing
) -> None:
    for since in (_day(1), _day(-367)):
        async with writes_nothing():
            body = await gql(CREATE_COUNCIL, _council(orgs, memberSince=since), login="alliance-admin")
        assert (error_code(body), field_of(body)) == ("BAD_USER_INPUT", "memberSince"), since

    created = await gql(CREATE_COUNCIL, _council(orgs, memberSince=_day(-300)), login="alliance-admin")
    council = str(data(created, "createCouncil", "council")["id"])
    soe = {"councilId": council, "organizationId": str(orgs["soe"])}
    async with writes_nothing():
        body = await gql(ADD, {"input": {**soe, "memberSince": _day(-1)}}, login="alliance-admin")
    assert error_code(body) == "CONFLICT"

    # Once the unit has left (today), it may rejoin from today, not from a day it was a member.
    data(await gql(REMOVE, {"input": soe}, login="alliance-admin"))
    async with writes_nothing():
        body = await gql(ADD, {"input": {**soe, "memberSince": _day(-3)}}, login="alliance-admin")
    assert (error_code(body), field_of(body)) == ("BAD_USER_INPUT", "memberSince")
    data(await gql(ADD, {"input": {**soe, "memberSince": _day(0)}}, login="alliance-admin"))
