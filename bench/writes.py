"""The write scenario: a booking request by a member, then its approval by the owner's admin,
on free one-hour slots picked at random; and the check for lost or double approvals."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Mapping

import asyncpg
import orjson

from bench.dataset import LOCAL_OFFSET, Dataset
from bench.load import HttpConnection, Target

REQUEST = """
mutation Request($input: RequestBookingInput!) {
  requestBooking(input: $input) { booking { id status } }
}
"""

APPROVE = """
mutation Approve($id: ID!) {
  approveBooking(id: $id) { booking { id status } }
}
"""

# Write slots: one-hour windows from this many days after the data set's anchor on, far from
# the generated bookings; every run takes free ones.
WRITE_FIRST_DAY = 400
WRITE_DAYS = 3000
WRITE_HOURS = range(8, 20)


def graphql_body(query: str, variables: Mapping[str, object]) -> bytes:
    return orjson.dumps({"query": query, "variables": variables})


def graphql_target(token: str, query: str, variables: Mapping[str, object]) -> Target:
    return Target(
        "POST",
        "/graphql",
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        graphql_body(query, variables),
    )


def ok_graphql(status: int, body: bytes) -> bool:
    return status == 200 and b'"errors"' not in body


class WriteFlow:
    """Request + approve on free slots of the owner's published exclusive resources."""

    def __init__(
        self, requester_token: str, approver_token: str, slots: list[tuple[str, dt.datetime]]
    ) -> None:
        self.request = graphql_target(requester_token, REQUEST, {})
        self.approve = graphql_target(approver_token, APPROVE, {})
        self.slots = iter(slots)
        self.approved: list[str] = []
        self.refused: list[str] = []

    async def step(self, conn: HttpConnection) -> bool:
        resource_id, start = next(self.slots)
        variables = {
            "input": {
                "resourceId": resource_id,
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=1)).isoformat(),
                "attendees": 5,
                "purpose": "基准测试",
            }
        }
        status, body = await conn.request(self.request, graphql_body(REQUEST, variables))
        if not ok_graphql(status, body):
            return False
        booking_id = orjson.loads(body)["data"]["requestBooking"]["booking"]["id"]
        status, body = await conn.request(self.approve, graphql_body(APPROVE, {"id": booking_id}))
        if not ok_graphql(status, body):
            self.refused.append(booking_id)
            return False
        self.approved.append(booking_id)
        return bool(orjson.loads(body)["data"]["approveBooking"]["booking"]["status"] == "APPROVED")


async def free_slots(owner_url: str, dataset: Dataset) -> list[tuple[str, dt.datetime]]:
    """Every free one-hour write slot of the tenant's first street committee's resources, shuffled."""
    tenant = dataset.first
    conn = await asyncpg.connect(owner_url)
    try:
        resources = await conn.fetch(
            "SELECT id FROM resources WHERE tenant_id = $1 AND owner_org_id = $2 AND status = 'PUBLISHED'"
            " AND kind IN ('VENUE', 'BASE', 'LECTURER') AND opening_hours @> '[{\"weekday\": 1}]'"
            " ORDER BY id",
            tenant.id,
            tenant.street_id,
        )
        first = dt.datetime.combine(dataset.anchor, dt.time(), dt.UTC) + dt.timedelta(days=WRITE_FIRST_DAY)
        taken = {
            (row["resource_id"], row["start"])
            for row in await conn.fetch(
                "SELECT resource_id, lower(during) AS start FROM bookings WHERE tenant_id = $1"
                " AND resource_id = ANY($2::uuid[]) AND lower(during) >= $3",
                tenant.id,
                [row["id"] for row in resources],
                first,
            )
        }
    finally:
        await conn.close()
    rng = random.Random(int(time.time()))  # noqa: S311 - benchmark slots, not secrets
    slots: list[tuple[str, dt.datetime]] = []
    while len(slots) < 200_000:
        resource_id = rng.choice(resources)["id"]
        day = rng.randrange(WRITE_DAYS)
        start = first + dt.timedelta(days=day, hours=rng.choice(WRITE_HOURS)) - LOCAL_OFFSET
        if (resource_id, start) not in taken:
            taken.add((resource_id, start))
            slots.append((str(resource_id), start))
    return slots


async def check_writes(owner_url: str, approved: list[str], refused: list[str]) -> tuple[int, int]:
    """Lost approvals (answered approved, not approved in the database) and double ones
    (more than one approval recorded, in the audit trail or the outbox, for one booking)."""
    conn = await asyncpg.connect(owner_url)
    try:
        ids = [uuid.UUID(i) for i in approved]
        lost = await conn.fetchval(
            "SELECT count(*) FROM unnest($1::uuid[]) AS a (id)"
            " LEFT JOIN bookings b ON b.id = a.id AND b.status = 'APPROVED' WHERE b.id IS NULL",
            ids,
        )
        double = await conn.fetchval(
            """
            SELECT count(*) FROM (
                SELECT entity_id FROM audit_log WHERE action = 'booking.approve'
                  AND entity_id = ANY($1::text[]) GROUP BY entity_id HAVING count(*) > 1
                UNION ALL
                SELECT aggregate_id FROM outbox WHERE event_type = 'booking.approved.v1'
                  AND aggregate_id = ANY($1::text[]) GROUP BY aggregate_id HAVING count(*) > 1
            ) AS d
            """,
            approved + refused,
        )
        wrongly = await conn.fetchval(
            "SELECT count(*) FROM bookings WHERE id = ANY($1::uuid[]) AND status = 'APPROVED'",
            [uuid.UUID(i) for i in refused],
        )
        return int(lost), int(double) + int(wrongly)
    finally:
        await conn.close()
