"""Partners, other tenants, the calendar feed, a venue clash and the figures against SQL counts."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import httpx
import icalendar

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code
from tests.councils.conftest import (
    ADOPT,
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
    days_ahead,
)
from tests.support.ledger import sign_off_task

FEED = "mutation($input: CreateCouncilFeedInput!) { createCouncilFeed(input: $input) { feed { id } url } }"
REVOKE = (
    "mutation($input: RevokeCouncilFeedInput!) { revokeCouncilFeed(input: $input) { feed { id revokedAt } } }"
)
COUNCIL = "query($id: ID!) { council(id: $id) { id meetings { id } openTasks { task { id } } } }"
FIGURES = """
query($from: DateTime!, $to: DateTime!, $c: ID) {
  councilFigures(from: $from, to: $to, councilId: $c) {
    meetingsHeld itemsRaised itemsAccepted itemsResolved itemsSolved resolutions tasksOnTime tasksOverdue
    attendance { organizationId meetings present rate }
  }
}
"""


async def _held_with_resolution(
    gql: GraphQLClient, orgs: DemoOrgs, council: str, make_meeting: MakeMeeting, publish: bool
) -> tuple[str, str]:
    meeting = await make_meeting(council)
    item = await accepted_item(gql, council, meeting)
    data(await gql(COMMENT, {"input": {"id": item, "body": "同意"}}, login="soe-admin"))
    entries = [
        {"organizationId": str(orgs["soe"]), "status": "PRESENT"},
        {"organizationId": str(orgs["stationed"]), "status": "ABSENT"},
    ]
    data(await gql(ATTENDANCE, {"input": {"meetingId": meeting, "entries": entries}}, login="street-admin"))
    task = {"title": "任务", "leadOrganizationId": str(orgs["soe"]), "dueDate": days_ahead(5)}
    data(
        await gql(
            ADOPT,
            {"input": {"meetingId": meeting, "agendaItemId": item, "text": "决议", "tasks": [task]}},
            login="street-admin",
        )
    )
    if publish:
        data(await gql(MINUTES, {"input": {"meetingId": meeting, "text": "纪要"}}, login="street-admin"))
    return meeting, item


async def test_partners_read_public_councils_only_and_never_details(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    key = (
        await create_api_key(admin_conn, tenant_slug="demo", name=f"大屏-{uuid.uuid4().hex[:4]}")
    ).plaintext
    partner = {"x-api-key": key}
    public = await make_council(public=True)
    private = await make_council(public=False)
    draft_meeting, _ = await _held_with_resolution(gql, orgs, public, make_meeting, publish=False)
    published, _ = await _held_with_resolution(gql, orgs, public, make_meeting, publish=True)

    assert error_code(await gql(COUNCIL, {"id": private}, headers=partner)) == "NOT_FOUND"
    seen = data(await gql(COUNCIL, {"id": public}, headers=partner), "council")
    assert {m["id"] for m in seen["meetings"]} == {draft_meeting, published}
    assert seen["openTasks"] == []
    for meeting_id, resolutions in [(draft_meeting, 0), (published, 1)]:
        meeting = data(await gql(MEETING, {"id": meeting_id}, headers=partner), "meeting")
        assert meeting["agenda"] == [] and meeting["attendance"] == [] and meeting["followUp"] == []
        assert len(meeting["resolutions"]) == resolutions
    # A member reads the details the partner does not.
    member = data(await gql(MEETING, {"id": draft_meeting}, login="member"), "meeting")
    assert member["agenda"][0]["comments"][0]["body"] == "同意" and len(member["attendance"]) == 2
    assert error_code(await gql("{ agendaItems { totalCount } }", headers=partner)) == "FORBIDDEN"


async def test_another_tenants_ids_answer_not_found(
    gql: GraphQLClient,
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council(public=True)
    meeting = await make_meeting(council)
    item = await accepted_item(gql, council, meeting)
    assert (
        error_code(await gql(COUNCIL, {"id": council}, login="alliance-admin", tenant="other")) == "NOT_FOUND"
    )
    assert (
        error_code(await gql(MEETING, {"id": meeting}, login="alliance-admin", tenant="other")) == "NOT_FOUND"
    )
    adopt: dict[str, object] = {
        "input": {"meetingId": meeting, "agendaItemId": item, "text": "决议", "tasks": []}
    }
    assert error_code(await gql(ADOPT, adopt, login="alliance-admin", tenant="other")) == "NOT_FOUND"


async def test_the_calendar_feed_is_icalendar_and_revocable(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council()
    meeting = await make_meeting(council, start=30, place="党群服务中心")
    made = data(await gql(FEED, {"input": {"councilId": council}}, login="member"), "createCouncilFeed")
    path = httpx.URL(made["url"]).path
    response = await http.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert [(str(e["uid"]), str(e["location"]), str(e["status"])) for e in events] == [
        (f"{meeting}@councils.alliance", "党群服务中心", "CONFIRMED")
    ]
    assert (await http.get(path.replace(".ics", "x.ics"))).status_code == 404  # a wrong secret
    assert (
        error_code(await gql(REVOKE, {"input": {"id": made["feed"]["id"]}}, login="soe-admin")) == "FORBIDDEN"
    )
    data(await gql(REVOKE, {"input": {"id": made["feed"]["id"]}}, login="member"))
    assert (await http.get(path)).status_code == 404


async def test_a_venue_clash_is_reported_at_scheduling(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    make_council: MakeCouncil,
) -> None:
    council = await make_council()
    venue = await admin_conn.fetchval(
        "INSERT INTO resources (tenant_id, owner_org_id, kind, title, status, published_at)"
        " SELECT $1, id, 'VENUE', '会议室', 'PUBLISHED', now() FROM organizations"
        " WHERE tenant_id = $1 AND name = '花园社区党委' RETURNING id",
        demo["demo"],
    )
    start, end = at(24 * 3), at(24 * 3 + 2)
    await admin_conn.execute(
        "INSERT INTO bookings (tenant_id, resource_id, requester_org_id, during, status)"
        " SELECT $1, $2, owner_org_id, tstzrange($3::timestamptz, $4::timestamptz), 'APPROVED' FROM resources"
        " WHERE id = $2",
        demo["demo"],
        venue,
        dt.datetime.fromisoformat(start),
        dt.datetime.fromisoformat(end),
    )
    plan = {"councilId": council, "title": "会议", "start": start, "end": end, "venueResourceId": str(venue)}
    assert error_code(await gql(SCHEDULE, {"input": plan}, login="street-admin")) == "CONFLICT"
    plan.update(start=at(24 * 4), end=at(24 * 4 + 2))
    booked = data(await gql(SCHEDULE, {"input": plan}, login="street-admin"), "scheduleMeeting", "meeting")
    status = await admin_conn.fetchval(
        "SELECT status FROM bookings WHERE id = $1", uuid.UUID(booked["venueBookingId"])
    )
    assert status == "PENDING"


async def test_figures_are_the_sql_counts(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    orgs: DemoOrgs,
    make_council: MakeCouncil,
    make_meeting: MakeMeeting,
) -> None:
    council = await make_council(public=True)
    first, _ = await _held_with_resolution(gql, orgs, council, make_meeting, publish=True)
    await _held_with_resolution(gql, orgs, council, make_meeting, publish=False)
    period: dict[str, object] = {"from": at(-24), "to": at(24), "c": council}
    got = data(await gql(FIGURES, period, login="auditor"), "councilFigures")
    cid = uuid.UUID(council)
    sql = {
        "meetingsHeld": "SELECT count(*) FROM council_meetings WHERE council_id = $1"
        " AND status IN ('HELD', 'MINUTES_PUBLISHED')",
        "itemsRaised": "SELECT count(*) FROM council_agenda_items WHERE council_id = $1",
        "itemsAccepted": "SELECT count(*) FROM council_agenda_items WHERE council_id = $1"
        " AND status IN ('ACCEPTED', 'RESOLVED', 'CLOSED')",
        "itemsResolved": "SELECT count(*) FROM council_agenda_items WHERE council_id = $1 AND status = 'RESOLVED'",
        "resolutions": "SELECT count(*) FROM council_resolutions r JOIN council_meetings m ON m.id = r.meeting_id"
        " WHERE m.council_id = $1",
        "itemsSolved": "SELECT count(*) FROM council_resolutions r JOIN council_meetings m ON m.id = r.meeting_id"
        " WHERE m.council_id = $1 AND NOT EXISTS (SELECT 1 FROM ledger_items l WHERE l.source_id = r.id"
        " AND l.status <> 'SIGNED_OFF')",
        "tasksOverdue": "SELECT count(*) FROM ledger_items l JOIN council_resolutions r ON r.id = l.source_id"
        " JOIN council_meetings m ON m.id = r.meeting_id WHERE m.council_id = $1"
        " AND l.due_date < ledger_today() AND l.status NOT IN ('SIGNED_OFF', 'CANCELLED')",
        "tasksOnTime": "SELECT count(*) FROM ledger_items l JOIN council_resolutions r ON r.id = l.source_id"
        " JOIN council_meetings m ON m.id = r.meeting_id WHERE m.council_id = $1"
        " AND l.status = 'SIGNED_OFF' AND (l.signed_off_at AT TIME ZONE 'Asia/Shanghai')::date"
        " <= l.due_date",
    }
    expected = {name: await admin_conn.fetchval(query, cid) for name, query in sql.items()}
    assert {name: got[name] for name in sql} == expected
    assert expected["meetingsHeld"] == 2 and expected["itemsResolved"] == 2
    soe = next(a for a in got["attendance"] if a["organizationId"] == str(orgs["soe"]))
    stationed = next(a for a in got["attendance"] if a["organizationId"] == str(orgs["stationed"]))
    assert (soe["meetings"], soe["present"], soe["rate"]) == (2, 2, 1.0)
    assert (stationed["present"], stationed["rate"]) == (0, 0.0)
    # The ledger signs one task off through its own flow: one item now counts as solved through
    # consultation, on time.
    resolutions = data(await gql(MEETING, {"id": first}, login="auditor"), "meeting", "resolutions")
    await sign_off_task(
        gql, str(resolutions[0]["tasks"][0]["id"]), submitter="soe-admin", signer="street-admin"
    )
    got = data(await gql(FIGURES, period, login="auditor"), "councilFigures")
    assert (got["itemsSolved"], got["tasksOnTime"]) == (1, 1)
    assert got["itemsSolved"] == await admin_conn.fetchval(sql["itemsSolved"], cid)
