"""alliance_booking_conflicts counts bookings refused with CONFLICT, by what collided."""

from __future__ import annotations

import httpx

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import APPROVE, MakeResource, request, requested, window
from tests.support.metrics import scrape


async def test_a_taken_slot_counts_as_an_overlap_conflict(
    gql: GraphQLClient, http: httpx.AsyncClient, make_resource: MakeResource
) -> None:
    before = await scrape(http, "alliance_booking_conflicts_total", constraint="bookings_no_overlap")
    venue = await make_resource()
    first = await requested(gql, venue["id"], window(19, 10))
    await gql(APPROVE, {"id": first["id"]}, login="street-admin")
    assert error_code(await request(gql, venue["id"], window(19, 11))) == "CONFLICT"
    assert (
        await scrape(http, "alliance_booking_conflicts_total", constraint="bookings_no_overlap") == before + 1
    )
