"""Races: concurrent approvals never double-book a venue or over-allocate a material's stock,
whether they come through the API or straight at the database."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, cast

import asyncpg
import pytest

from services.core.tenancy import set_scope
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.resources.conftest import APPROVE, MakeResource, data, request, requested, window
from tests.support.polling import wait_until


async def _as(tokens: Tokens, login: str) -> dict[str, str]:
    """Headers for ``login``, made once: the token helper's connection serves one call at a time."""
    return {"authorization": f"Bearer {await tokens(login)}"}


async def _approve_all(gql: GraphQLClient, tokens: Tokens, ids: list[object]) -> list[str | None]:
    headers = await _as(tokens, "street-admin")
    bodies = await asyncio.gather(*(gql(APPROVE, {"id": booking_id}, headers=headers) for booking_id in ids))
    return [error_code(body) for body in bodies]


async def _request_all(
    gql: GraphQLClient, tokens: Tokens, resource_id: object, slots: list[tuple[str, str]], **fields: object
) -> list[dict[str, object]]:
    headers = await _as(tokens, "member")
    bodies = await asyncio.gather(
        *(request(gql, resource_id, slot, login=None, headers=headers, **fields) for slot in slots)
    )
    return [data(body, "requestBooking", "booking") for body in bodies]


async def test_fifty_overlapping_approvals_one_wins(
    gql: GraphQLClient, tokens: Tokens, admin_conn: asyncpg.Connection, make_resource: MakeResource
) -> None:
    venue = await make_resource()
    slots = [window(20, 9, hours=2, minute=minute) for minute in range(0, 50)]
    bookings = await _request_all(gql, tokens, venue["id"], slots)
    codes = await _approve_all(gql, tokens, [b["id"] for b in bookings])
    assert codes.count(None) == 1, codes
    assert codes.count("CONFLICT") == 49, codes
    held = await admin_conn.fetchval(
        "SELECT count(*) FROM bookings WHERE resource_id = $1 AND status = 'APPROVED'",
        uuid.UUID(str(venue["id"])),
    )
    assert held == 1
    approved_events = await admin_conn.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'booking.approved.v1' AND payload->'data'->>'resourceId' = $1",
        venue["id"],
    )
    assert approved_events == 1


async def test_concurrent_material_approvals_never_exceed_the_stock(
    gql: GraphQLClient, tokens: Tokens, admin_conn: asyncpg.Connection, make_resource: MakeResource
) -> None:
    material = await make_resource(kind="MATERIAL", quantity=5, capacity=None)
    # Ten requests of 2 items in windows that all share 10:00–11:00: at most two fit in a stock of 5.
    slots = [window(21, 9, hours=2, minute=6 * i) for i in range(10)]
    bookings = await _request_all(gql, tokens, material["id"], slots, quantity=2)
    codes = await _approve_all(gql, tokens, [b["id"] for b in bookings])
    assert codes.count(None) == 2 and codes.count("CONFLICT") == 8, codes
    peak = await admin_conn.fetchval(
        "SELECT max(resource_peak_held($1, during)) FROM bookings WHERE resource_id = $1",
        uuid.UUID(str(material["id"])),
    )
    assert peak == 4


async def test_stock_is_per_instant_not_per_window(
    gql: GraphQLClient, tokens: Tokens, make_resource: MakeResource
) -> None:
    material = await make_resource(kind="MATERIAL", quantity=5, capacity=None)
    morning = await requested(gql, material["id"], window(22, 8, hours=4), quantity=5)
    afternoon = await requested(gql, material["id"], window(22, 12, hours=4), quantity=5)
    spanning = await requested(gql, material["id"], window(22, 10, hours=4), quantity=1)
    assert await _approve_all(gql, tokens, [morning["id"], afternoon["id"]]) == [None, None]
    assert await _approve_all(gql, tokens, [spanning["id"]]) == ["CONFLICT"]


async def _pending_pair(
    gql: GraphQLClient, make_resource: MakeResource, **fields: object
) -> tuple[dict[str, object], list[uuid.UUID]]:
    resource = await make_resource(**fields)
    quantity: dict[str, Any] = {"quantity": 3} if fields.get("kind") == "MATERIAL" else {}
    first = await requested(gql, resource["id"], window(23, 10), **quantity)
    second = await requested(gql, resource["id"], window(23, 11), **quantity)
    return resource, [uuid.UUID(str(first["id"])), uuid.UUID(str(second["id"]))]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "VENUE"}, asyncpg.ExclusionViolationError),
        ({"kind": "MATERIAL", "quantity": 5, "capacity": None}, asyncpg.CheckViolationError),
    ],
    ids=["venue-exclusion-constraint", "material-stock-trigger"],
)
async def test_the_database_refuses_the_second_approval_on_its_own(
    gql: GraphQLClient,
    pool: asyncpg.Pool,
    admin_conn: asyncpg.Connection,
    make_resource: MakeResource,
    demo: dict[str, uuid.UUID],
    fields: dict[str, object],
    error: type[Exception],
) -> None:
    """Two transactions approve overlapping bookings with plain UPDATEs, no application checks:
    the second waits for the first to commit, then fails."""
    _, (first, second) = await _pending_pair(gql, make_resource, **fields)
    approve = "UPDATE bookings SET status = 'APPROVED' WHERE id = $1"
    async with pool.acquire() as one, pool.acquire() as two:
        one_tx, two_tx = one.transaction(), two.transaction()
        await one_tx.start()
        await two_tx.start()
        try:
            await set_scope(cast(asyncpg.Connection, one), tenant_id=demo["demo"])
            await set_scope(cast(asyncpg.Connection, two), tenant_id=demo["demo"])
            await one.execute(approve, first)
            two_pid = two.get_server_pid()
            racing = asyncio.create_task(two.execute(approve, second))

            async def two_waits_for_a_lock() -> bool:
                return bool(
                    await admin_conn.fetchval(
                        "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", two_pid
                    )
                )

            await wait_until(two_waits_for_a_lock)
            assert not racing.done(), "the second approval should wait for the first"
            await one_tx.commit()
            with pytest.raises(error):
                await racing
        finally:
            await two_tx.rollback()
            if one.is_in_transaction():
                await one_tx.rollback()


async def test_status_moves_only_forward_in_the_database(
    gql: GraphQLClient, pool: asyncpg.Pool, make_resource: MakeResource, demo: dict[str, uuid.UUID]
) -> None:
    venue = await make_resource()
    booking = await requested(gql, venue["id"], window(24, 10))
    async with pool.acquire() as conn, conn.transaction():
        await set_scope(cast(asyncpg.Connection, conn), tenant_id=demo["demo"])
        with pytest.raises(asyncpg.CheckViolationError) as refused:
            await conn.execute(
                "UPDATE bookings SET status = 'COMPLETED' WHERE id = $1", uuid.UUID(str(booking["id"]))
            )
        assert refused.value.constraint_name == "bookings_transition"
