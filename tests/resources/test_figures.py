"""Figures for 数据化考核 come from the data: shared resources, bookings by status, hours used, rate."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import (
    APPROVE,
    LOCAL,
    MakeResource,
    data,
    field_of,
    requested,
)

FIGURES = """
query($org: ID, $from: DateTime!, $to: DateTime!) {
  resourceFigures(orgId: $org, from: $from, to: $to) {
    orgId from to
    resourcesByKind { kind count }
    bookingsByStatus { status count }
    requestsByStatus { status count }
    venues { title bookedHours openHours rate resource { id } }
    bookedHours openHours utilizationRate
  }
}
"""
UTILIZATION = """
query($id: ID!, $from: DateTime, $to: DateTime) {
  resource(id: $id) { utilization(from: $from, to: $to) { from to bookedHours openHours rate } }
}
"""


def _day(days: int) -> tuple[dt.datetime, dt.datetime]:
    day = dt.datetime.now(LOCAL).date() + dt.timedelta(days=days)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL)
    return start, start + dt.timedelta(days=1)


def _at(start: dt.datetime, hour: int, hours: int) -> tuple[str, str]:
    begin = start + dt.timedelta(hours=hour)
    return begin.isoformat(), (begin + dt.timedelta(hours=hours)).isoformat()


def _counts(rows: object, key: str) -> dict[str, int]:
    return {row[key]: row["count"] for row in rows if row["count"]}  # type: ignore[attr-defined]


async def test_figures_of_an_organisation(
    gql: GraphQLClient, make_resource: MakeResource, fresh_org: uuid.UUID
) -> None:
    start, end = _day(40)
    hall = await make_resource(
        title="统计用大厅", openingHours=[{"weekday": start.isoweekday(), "start": "08:00", "end": "20:00"}]
    )
    await make_resource(title="统计用音响", kind="MATERIAL", quantity=4, capacity=None)
    await make_resource(title="统计用草稿", publish=False)
    approved = await requested(gql, hall["id"], _at(start, 9, 3))
    data(await gql(APPROVE, {"id": approved["id"]}, login="street-admin"), "approveBooking")
    await requested(gql, hall["id"], _at(start, 14, 2))
    # The organisation asks for something itself (street-admin acts for the community it manages).
    await requested(gql, hall["id"], _at(start, 17, 1), login="street-admin", requesterOrgId=str(fresh_org))

    variables: dict[str, object] = {"org": str(fresh_org), "from": start.isoformat(), "to": end.isoformat()}
    figures = data(await gql(FIGURES, variables, login="street-admin"), "resourceFigures")
    assert figures["orgId"] == str(fresh_org)
    assert _counts(figures["resourcesByKind"], "kind") == {"VENUE": 1, "MATERIAL": 1}
    assert _counts(figures["bookingsByStatus"], "status") == {"APPROVED": 1, "PENDING": 2}
    assert _counts(figures["requestsByStatus"], "status") == {"PENDING": 1}
    assert figures["venues"] == [
        {
            "title": "统计用大厅",
            "bookedHours": 3.0,
            "openHours": 12.0,
            "rate": 0.25,
            "resource": {"id": hall["id"]},
        }
    ]
    assert (figures["bookedHours"], figures["openHours"], figures["utilizationRate"]) == (3.0, 12.0, 0.25)

    use = data(
        await gql(
            UTILIZATION, {"id": hall["id"], "from": start.isoformat(), "to": end.isoformat()}, login="member"
        ),
        "resource",
        "utilization",
    )
    assert (use["bookedHours"], use["openHours"], use["rate"]) == (3.0, 12.0, 0.25)
    recent = data(await gql(UTILIZATION, {"id": hall["id"]}, login="member"), "resource", "utilization")
    assert recent["bookedHours"] == 0.0  # the default period is the last 30 days


@pytest.mark.parametrize(
    ("login", "whole_alliance", "code"),
    [
        ("alliance-admin", True, None),
        ("auditor", True, None),
        ("street-admin", True, "FORBIDDEN"),
        ("street-admin", False, None),
        ("soe-admin", False, "FORBIDDEN"),
        ("member", False, "FORBIDDEN"),
    ],
)
async def test_who_reads_figures(
    gql: GraphQLClient, fresh_org: uuid.UUID, login: str, whole_alliance: bool, code: str | None
) -> None:
    start, end = _day(1)
    variables: dict[str, object] = {
        "org": None if whole_alliance else str(fresh_org),
        "from": start.isoformat(),
        "to": end.isoformat(),
    }
    body = await gql(FIGURES, variables, login=login)
    assert error_code(body) == code, body


async def test_figures_period_is_checked(gql: GraphQLClient) -> None:
    start, end = _day(1)
    backwards = await gql(FIGURES, {"from": end.isoformat(), "to": start.isoformat()}, login="alliance-admin")
    assert (error_code(backwards), field_of(backwards)) == ("BAD_USER_INPUT", "to")
    too_long = await gql(
        FIGURES,
        {"from": start.isoformat(), "to": (start + dt.timedelta(days=400)).isoformat()},
        login="auditor",
    )
    assert (error_code(too_long), field_of(too_long)) == ("BAD_USER_INPUT", "to")
    unknown = await gql(
        FIGURES, {"org": str(uuid.uuid4()), "from": start.isoformat(), "to": end.isoformat()}, login="auditor"
    )
    assert (error_code(unknown), field_of(unknown)) == ("NOT_FOUND", "orgId")
