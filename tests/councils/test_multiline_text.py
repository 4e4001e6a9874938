"""Minutes (纪要) and comments keep their paragraphs, Windows line ends becoming ``\\n``; a one-line
field such as a meeting's title refuses a line break."""

from __future__ import annotations

from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import (
    ATTENDANCE,
    COMMENT,
    MEETING,
    MINUTES,
    SCHEDULE,
    DemoOrgs,
    MakeCouncil,
    MakeMeeting,
    accepted_item,
    at,
    data,
)
from tests.resources.conftest import field_of
from tests.support.writes import WritesNothing

TYPED = "一、出席情况\r\n各成员单位均出席。\r\n\r\n二、议定事项\r\n城投集团夜间开放停车场。"
KEPT = "一、出席情况\n各成员单位均出席。\n\n二、议定事项\n城投集团夜间开放停车场。"


async def test_minutes_and_comments_come_back_with_their_paragraphs(
    gql: GraphQLClient, orgs: DemoOrgs, make_council: MakeCouncil, make_meeting: MakeMeeting
) -> None:
    council = await make_council()
    meeting = await make_meeting(council)
    item = await accepted_item(gql, council, meeting)
    commented = await gql(
        COMMENT, {"input": {"id": item, "body": "同意。\r\n建议分时段开放。"}}, login="soe-admin"
    )
    assert data(commented, "commentOnAgendaItem", "comment")["body"] == "同意。\n建议分时段开放。"

    entries = [{"organizationId": str(orgs["soe"]), "status": "PRESENT"}]
    data(await gql(ATTENDANCE, {"input": {"meetingId": meeting, "entries": entries}}, login="street-admin"))
    published = await gql(MINUTES, {"input": {"meetingId": meeting, "text": TYPED}}, login="street-admin")
    assert data(published, "publishMinutes", "meeting")["minutes"] == KEPT

    read = data(await gql(MEETING, {"id": meeting}, login="member"), "meeting")
    assert read["minutes"] == KEPT
    assert [c["body"] for i in read["agenda"] for c in i["comments"]] == ["同意。\n建议分时段开放。"]


async def test_a_meeting_title_with_a_line_break_is_refused(
    gql: GraphQLClient, make_council: MakeCouncil, writes_nothing: WritesNothing
) -> None:
    council = await make_council()
    for title in ("季度\n联席会议", "季度\r\n联席会议"):
        async with writes_nothing():
            body = await gql(
                SCHEDULE,
                {"input": {"councilId": council, "title": title, "start": at(24), "end": at(26)}},
                login="street-admin",
            )
        assert (error_code(body), field_of(body)) == ("BAD_USER_INPUT", "title"), title
