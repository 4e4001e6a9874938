"""Dates out of range in booking requests and utilisation periods answer BAD_USER_INPUT naming
the field (both answered INTERNAL_SERVER_ERROR: Python's datetime overflows past year 9999)."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient
from tests.resources.conftest import MakeResource, field_of, request, window

FAR_FUTURE = "9999-12-31T23:00:00-10:00"
FAR_PAST = "0001-01-01T00:00:00+08:00"
UTILIZATION = """
query($id: ID!, $from: DateTime, $to: DateTime) {
  resource(id: $id) { utilization(from: $from, to: $to) { bookedHours } }
}
"""


@pytest.mark.parametrize("when", [FAR_FUTURE, FAR_PAST])
@pytest.mark.parametrize("field", ["start", "end"])
async def test_booking_window_out_of_range(
    gql: GraphQLClient, make_resource: MakeResource, field: str, when: str
) -> None:
    venue = await make_resource()
    start, end = window(5, 10)
    slot = (when, end) if field == "start" else (start, when)
    body = await request(gql, venue["id"], slot)
    assert (body["errors"][0]["extensions"]["code"], field_of(body)) == ("BAD_USER_INPUT", field)  # type: ignore[index]


@pytest.mark.parametrize("when", [FAR_FUTURE, FAR_PAST])
@pytest.mark.parametrize("field", ["from", "to"])
async def test_utilization_period_out_of_range(
    gql: GraphQLClient, make_resource: MakeResource, field: str, when: str
) -> None:
    venue = await make_resource()
    body = await gql(UTILIZATION, {"id": venue["id"], field: when}, login="street-admin")
    assert (body["errors"][0]["extensions"]["code"], field_of(body)) == ("BAD_USER_INPUT", field)  # type: ignore[index]


async def test_thousands_of_tags(gql: GraphQLClient, make_resource: MakeResource) -> None:
    venue = await make_resource(publish=False)
    update = "mutation($input: UpdateResourceInput!) { updateResource(input: $input) { resource { id } } }"
    tags = [f"t{i}" for i in range(10_000)]
    body = await gql(update, {"input": {"id": venue["id"], "tags": tags}}, login="street-admin")
    assert (body["errors"][0]["extensions"]["code"], field_of(body)) == ("BAD_USER_INPUT", "tags")  # type: ignore[index]
