"""Bad booking requests answer BAD_USER_INPUT (naming the field) or NOT_FOUND, and write nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import (
    ARCHIVE,
    CREATE,
    PUBLISH,
    MakeResource,
    data,
    field_of,
    next_weekday,
    request,
    window,
)
from tests.support.writes import WritesNothing


async def _refused(
    gql: GraphQLClient,
    writes_nothing: WritesNothing,
    resource_id: object,
    slot: tuple[str, str],
    **fields: Any,
) -> tuple[str | None, str | None]:
    async with writes_nothing():
        body = await request(gql, resource_id, slot, **fields)
    return error_code(body), field_of(body)


def _ten_years() -> tuple[str, str]:
    start, _ = window(3, 10)
    end = dt.datetime.fromisoformat(start) + dt.timedelta(days=3650)
    return start, end.isoformat()


@pytest.mark.parametrize(
    ("slot", "fields", "expected"),
    [
        (window(5, 12)[::-1], {}, ("BAD_USER_INPUT", "end")),  # end before start
        ((window(5, 12)[0], window(5, 12)[0]), {}, ("BAD_USER_INPUT", "end")),  # empty window
        (_ten_years(), {}, ("BAD_USER_INPUT", "end")),
        (window(-2, 10), {}, ("BAD_USER_INPUT", "start")),  # in the past
        (("2030-01-01T10:00:00", "2030-01-01T12:00:00"), {}, ("BAD_USER_INPUT", "start")),  # no offset
        (window(5, 10), {"attendees": 51}, ("BAD_USER_INPUT", "attendees")),  # capacity is 50
        (window(5, 10), {"attendees": 0}, ("BAD_USER_INPUT", "attendees")),
        (window(5, 10), {"quantity": 0}, ("BAD_USER_INPUT", "quantity")),
        (window(5, 10), {"quantity": -4}, ("BAD_USER_INPUT", "quantity")),
        (window(5, 10), {"quantity": 2}, ("BAD_USER_INPUT", "quantity")),  # a venue is not lent by quantity
        (window(5, 10), {"purpose": "x" * 501}, ("BAD_USER_INPUT", "purpose")),
        (window(5, 10), {"requesterOrgId": "nope"}, ("BAD_USER_INPUT", "requesterOrgId")),
    ],
)
async def test_bad_window_or_numbers(
    gql: GraphQLClient,
    writes_nothing: WritesNothing,
    make_resource: MakeResource,
    slot: tuple[str, str],
    fields: dict[str, object],
    expected: tuple[str, str],
) -> None:
    venue = await make_resource(capacity=50)
    assert await _refused(gql, writes_nothing, venue["id"], slot, **fields) == expected


async def test_material_quantity_against_stock(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    material = await make_resource(kind="MATERIAL", quantity=5, capacity=None)
    for quantity in (0, -1, 6):
        assert await _refused(gql, writes_nothing, material["id"], window(5, 9), quantity=quantity) == (
            "BAD_USER_INPUT",
            "quantity",
        )


async def test_outside_opening_hours_and_blackout_dates(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    friday = next_weekday(5, 14)
    blackout = dt.date.fromisoformat(next_weekday(5, 14, weeks=2)[0][:10])
    venue = await make_resource(
        openingHours=[{"weekday": 5, "start": "14:00", "end": "18:00"}], blackoutDates=[blackout.isoformat()]
    )
    assert await _refused(gql, writes_nothing, venue["id"], next_weekday(5, 13)) == (
        "BAD_USER_INPUT",
        "start",
    )
    assert await _refused(gql, writes_nothing, venue["id"], next_weekday(5, 17)) == (
        "BAD_USER_INPUT",
        "start",
    )
    assert await _refused(gql, writes_nothing, venue["id"], next_weekday(4, 14)) == (
        "BAD_USER_INPUT",
        "start",
    )
    assert await _refused(gql, writes_nothing, venue["id"], next_weekday(5, 14, weeks=2)) == (
        "BAD_USER_INPUT",
        "start",
    )
    assert data(await request(gql, venue["id"], friday), "requestBooking")


async def test_archived_draft_and_unknown_resources(
    gql: GraphQLClient, writes_nothing: WritesNothing, make_resource: MakeResource
) -> None:
    archived = await make_resource()
    data(await gql(ARCHIVE, {"id": archived["id"]}, login="street-admin"), "archiveResource")
    assert await _refused(gql, writes_nothing, archived["id"], window(5, 10)) == (
        "BAD_USER_INPUT",
        "resourceId",
    )
    draft = await make_resource(publish=False)
    # A member cannot see another organisation's draft at all.
    assert await _refused(gql, writes_nothing, draft["id"], window(5, 10)) == ("NOT_FOUND", "resourceId")
    assert await _refused(gql, writes_nothing, str(uuid.uuid4()), window(5, 10)) == (
        "NOT_FOUND",
        "resourceId",
    )
    assert await _refused(gql, writes_nothing, "42", window(5, 10)) == ("BAD_USER_INPUT", "resourceId")


async def test_other_tenants_resource_is_not_found(gql: GraphQLClient, writes_nothing: WritesNothing) -> None:
    created = data(
        await gql(
            CREATE, {"input": {"kind": "VENUE", "title": "滨江会场"}}, login="alliance-admin", tenant="other"
        ),
        "createResource",
        "resource",
    )
    data(await gql(PUBLISH, {"id": created["id"]}, login="alliance-admin", tenant="other"), "publishResource")
    assert await _refused(gql, writes_nothing, created["id"], window(5, 10)) == ("NOT_FOUND", "resourceId")
    seen = await gql(
        "query($id: ID!) { resource(id: $id) { id } }", {"id": created["id"]}, login="alliance-admin"
    )
    assert error_code(seen) == "NOT_FOUND"
