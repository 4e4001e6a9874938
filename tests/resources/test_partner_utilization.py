"""Partners may not read bookings, so they get no booked hours through utilization (#9 §5)."""

from __future__ import annotations

from tests.conftest import GraphQLClient
from tests.resources.conftest import MakeResource, data

UTILIZATION = "query($id: ID!) { resource(id: $id) { utilization { bookedHours rate } } }"


async def test_utilization_is_null_for_partners(
    gql: GraphQLClient, make_resource: MakeResource, partner_key: str
) -> None:
    venue = await make_resource(visibility="PARTNERS")
    as_partner = await gql(UTILIZATION, {"id": venue["id"]}, headers={"x-api-key": partner_key})
    assert "errors" not in as_partner, as_partner
    assert data(as_partner, "resource")["utilization"] is None
    as_member = await gql(UTILIZATION, {"id": venue["id"]}, login="member")
    assert data(as_member, "resource")["utilization"]["bookedHours"] == 0.0  # type: ignore[index]
