"""Bookings through HTTP: request, approve, reject, cancel, complete; who may; audit rows and events."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import (
    APPROVE,
    CANCEL,
    COMMUNITY,
    COMPLETE,
    REJECT,
    MakeResource,
    audit_actions,
    data,
    field_of,
    org_id,
    outbox_types,
    request,
    requested,
    window,
)
from tests.support.writes import WritesNothing

BOOKING = """
query($id: ID!) {
  booking(id: $id) {
    id status reason requestedBy batch
    resource { id title } requester { name } menuItem { name }
  }
}
"""


async def _to_the_past(admin_conn: asyncpg.Connection, booking_id: object) -> None:
    """Move an approved booking's window to yesterday (as if time had passed)."""
    await admin_conn.execute(
        "UPDATE bookings SET during = tstzrange(now() - interval '1 day', now() - interval '22 hours')"
        " WHERE id = $1",
        booking_id,
    )


async def test_request_approve_complete_with_audit_and_events(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    make_resource: MakeResource,
    demo: dict[str, uuid.UUID],
) -> None:
    venue = await make_resource()
    booking = await requested(gql, venue["id"], window(10, 14), attendees=30, purpose="党员冬训")
    assert booking["status"] == "PENDING"
    assert booking["requesterOrgId"] == str(await org_id(admin_conn, demo["demo"], COMMUNITY))
    approved = data(
        await gql(APPROVE, {"id": booking["id"]}, login="street-admin"), "approveBooking", "booking"
    )
    assert approved["status"] == "APPROVED" and approved["decidedAt"]
    early = await gql(COMPLETE, {"id": booking["id"]}, login="street-admin")
    assert error_code(early) == "CONFLICT"  # the window has not begun
    await _to_the_past(admin_conn, booking["id"])
    done = data(
        await gql(COMPLETE, {"id": booking["id"]}, login="street-admin"), "completeBooking", "booking"
    )
    assert done["status"] == "COMPLETED"

    shown = data(await gql(BOOKING, {"id": booking["id"]}, login="member"), "booking")
    assert shown["requester"] == {"name": COMMUNITY}
    assert shown["resource"] == {"id": venue["id"], "title": venue["title"]}
    assert shown["requestedBy"] is None  # a member may not read other people's logins
    seen_by_owner = data(await gql(BOOKING, {"id": booking["id"]}, login="street-admin"), "booking")
    assert seen_by_owner["requestedBy"] == "member"
    assert await audit_actions(admin_conn, booking["id"]) == [
        "booking.requested",
        "booking.approved",
        "booking.completed",
    ]
    assert await outbox_types(admin_conn, booking["id"]) == [
        "booking.requested.v1",
        "booking.approved.v1",
        "booking.completed.v1",
    ]


async def test_reject_needs_a_reason_and_cancel_and_no_show_are_events(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, make_resource: MakeResource
) -> None:
    venue = await make_resource()
    first = await requested(gql, venue["id"], window(11, 9))
    blank = await gql(REJECT, {"id": first["id"], "reason": "  "}, login="street-admin")
    assert (error_code(blank), field_of(blank)) == ("BAD_USER_INPUT", "reason")
    rejected = data(
        await gql(REJECT, {"id": first["id"], "reason": "当天场地检修"}, login="street-admin"),
        "rejectBooking",
        "booking",
    )
    assert (rejected["status"], rejected["reason"]) == ("REJECTED", "当天场地检修")

    second = await requested(gql, venue["id"], window(11, 14))
    cancelled = data(await gql(CANCEL, {"id": second["id"]}, login="member"), "cancelBooking", "booking")
    assert cancelled["status"] == "CANCELLED"

    third = await requested(gql, venue["id"], window(12, 14))
    await gql(APPROVE, {"id": third["id"]}, login="street-admin")
    await _to_the_past(admin_conn, third["id"])
    no_show = await gql(COMPLETE, {"id": third["id"], "noShow": True}, login="street-admin")
    assert data(no_show, "completeBooking", "booking")["status"] == "NO_SHOW"

    assert (await outbox_types(admin_conn, first["id"]))[-1] == "booking.rejected.v1"
    assert (await outbox_types(admin_conn, second["id"]))[-1] == "booking.cancelled.v1"
    assert (await outbox_types(admin_conn, third["id"]))[-1] == "booking.no_show.v1"


async def test_wrong_transitions_conflict_and_change_nothing(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    venue = await make_resource()
    booking = await requested(gql, venue["id"], window(13, 10))
    await gql(REJECT, {"id": booking["id"], "reason": "已满"}, login="street-admin")
    async with writes_nothing():
        for document, variables, login in (
            (APPROVE, {"id": booking["id"]}, "street-admin"),
            (REJECT, {"id": booking["id"], "reason": "再驳回"}, "street-admin"),
            (CANCEL, {"id": booking["id"]}, "member"),
            (COMPLETE, {"id": booking["id"]}, "street-admin"),
        ):
            assert error_code(await gql(document, variables, login=login)) == "CONFLICT"


@pytest.mark.parametrize(
    ("login", "code"), [("member", "FORBIDDEN"), ("soe-admin", "FORBIDDEN"), ("auditor", "FORBIDDEN")]
)
async def test_only_the_owners_admin_decides(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    writes_nothing: WritesNothing,
    make_resource: MakeResource,
    login: str,
    code: str,
) -> None:
    venue = await make_resource()
    booking = await requested(gql, venue["id"], window(14, 10))
    async with writes_nothing():
        assert error_code(await gql(APPROVE, {"id": booking["id"]}, login=login)) == code
        assert error_code(await gql(REJECT, {"id": booking["id"], "reason": "不行"}, login=login)) == code
    approved = data(
        await gql(APPROVE, {"id": booking["id"]}, login="alliance-admin"), "approveBooking", "booking"
    )
    assert approved["status"] == "APPROVED"
    assert await admin_conn.fetchval("SELECT status FROM bookings WHERE id = $1", booking["id"]) == "APPROVED"


async def test_nobody_approves_their_own_request(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    venue = await make_resource()
    own = await requested(gql, venue["id"], window(15, 10), login="street-admin")
    theirs = await requested(gql, venue["id"], window(15, 14))
    async with writes_nothing():
        assert error_code(await gql(APPROVE, {"id": own["id"]}, login="street-admin")) == "FORBIDDEN"
        # The member who asked cannot approve either (its role may not approve at all).
        assert error_code(await gql(APPROVE, {"id": theirs["id"]}, login="member")) == "FORBIDDEN"
    approved = data(
        await gql(APPROVE, {"id": own["id"]}, login="alliance-admin"), "approveBooking", "booking"
    )
    assert (approved["id"], approved["status"]) == (own["id"], "APPROVED")


async def test_only_the_requesters_side_or_the_owner_cancels(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    venue = await make_resource()
    booking = await requested(gql, venue["id"], window(16, 10))
    async with writes_nothing():
        assert error_code(await gql(CANCEL, {"id": booking["id"]}, login="soe-admin")) == "FORBIDDEN"
        assert error_code(await gql(CANCEL, {"id": booking["id"]}, login="auditor")) == "FORBIDDEN"
    cancelled = data(
        await gql(CANCEL, {"id": booking["id"]}, login="street-admin"), "cancelBooking", "booking"
    )
    assert (cancelled["id"], cancelled["status"]) == (booking["id"], "CANCELLED")


async def test_a_taken_slot_is_a_conflict_at_request_time(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    venue = await make_resource()
    first = await requested(gql, venue["id"], window(17, 10))
    await gql(APPROVE, {"id": first["id"]}, login="street-admin")
    async with writes_nothing():
        overlapping = await request(gql, venue["id"], window(17, 11))
    assert error_code(overlapping) == "CONFLICT"
    # Back to back is fine: windows are half-open.
    assert data(await request(gql, venue["id"], window(17, 12)), "requestBooking")


async def test_base_booking_with_menu_item_and_batch(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, make_resource: MakeResource
) -> None:
    base = await make_resource(kind="BASE", capacity=60)
    item = data(
        await gql(
            "mutation($input: AddMenuItemInput!) { addMenuItem(input: $input) { menuItem { id } } }",
            {"input": {"resourceId": base["id"], "name": "参观展馆", "durationMinutes": 90, "capacity": 30}},
            login="street-admin",
        ),
        "addMenuItem",
        "menuItem",
    )
    too_short = await request(gql, base["id"], window(18, 10, hours=1), menuItemId=item["id"])
    assert (error_code(too_short), field_of(too_short)) == ("BAD_USER_INPUT", "end")
    too_many = await request(gql, base["id"], window(18, 10), menuItemId=item["id"], attendees=40)
    assert (error_code(too_many), field_of(too_many)) == ("BAD_USER_INPUT", "attendees")
    foreign_item = await request(gql, base["id"], window(18, 10), menuItemId=str(uuid.uuid4()))
    assert (error_code(foreign_item), field_of(foreign_item)) == ("BAD_USER_INPUT", "menuItemId")
    booking = await requested(
        gql, base["id"], window(18, 10), menuItemId=item["id"], attendees=25, batch="第一批：党员25人"
    )
    shown = data(await gql(BOOKING, {"id": booking["id"]}, login="street-admin"), "booking")
    assert (shown["batch"], shown["menuItem"]) == ("第一批：党员25人", {"name": "参观展馆"})


async def test_requester_organisation_rules(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    make_resource: MakeResource,
    demo: dict[str, uuid.UUID],
) -> None:
    venue = await make_resource()
    soe = await org_id(admin_conn, demo["demo"], "城市建设投资集团有限公司党委")
    foreign = await request(gql, venue["id"], window(19, 10), requesterOrgId=str(soe))
    assert error_code(foreign) == "FORBIDDEN"  # a member asks for its own organisation only
    on_behalf = await requested(
        gql, venue["id"], window(19, 10), login="alliance-admin", requesterOrgId=str(soe)
    )
    assert on_behalf["requesterOrgId"] == str(soe)
    # An alliance admin without an organisation acts for the district committee by default.
    default = await requested(gql, venue["id"], window(19, 14), login="alliance-admin")
    district = await org_id(admin_conn, demo["demo"], "区委组织部")
    assert default["requesterOrgId"] == str(district)
