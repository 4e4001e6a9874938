"""The resources list: who sees what, filters (Chinese search included), "free in a window", paging."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import cast

import asyncpg

from services.core.tenancy import set_scope
from services.resources import catalogue
from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import (
    APPROVE,
    MakeResource,
    data,
    field_of,
    next_weekday,
    requested,
    window,
)

LIST = """
query($first: Int, $after: String, $filter: ResourceFilter) {
  resources(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id title status kind } }
  }
}
"""


async def _titles(
    gql: GraphQLClient, filter: Mapping[str, object], login: str | None = "member", **kwargs: object
) -> list[str]:
    body = await gql(LIST, {"first": 100, "filter": filter}, login=login, **kwargs)  # type: ignore[arg-type]
    edges = data(body, "resources")["edges"]
    return sorted(edge["node"]["title"] for edge in edges)  # type: ignore[attr-defined]


async def test_who_sees_what(
    gql: GraphQLClient, make_resource: MakeResource, fresh_org: uuid.UUID, partner_key: str
) -> None:
    await make_resource(title="A 已发布 联盟可见")
    await make_resource(title="B 已发布 合作可见", visibility="PARTNERS")
    await make_resource(title="C 草稿", publish=False, visibility="PARTNERS")
    mine = {"ownerOrgId": str(fresh_org)}
    assert await _titles(gql, mine) == ["A 已发布 联盟可见", "B 已发布 合作可见"]
    assert await _titles(gql, mine, login="soe-admin") == ["A 已发布 联盟可见", "B 已发布 合作可见"]
    everything = ["A 已发布 联盟可见", "B 已发布 合作可见", "C 草稿"]
    for login in ("street-admin", "alliance-admin", "auditor"):
        assert await _titles(gql, mine, login=login) == everything
    partner = await _titles(gql, mine, login=None, headers={"x-api-key": partner_key})
    assert partner == ["B 已发布 合作可见"]


async def test_partner_cannot_read_bookings_or_a_hidden_resource(
    gql: GraphQLClient, make_resource: MakeResource, partner_key: str
) -> None:
    shared = await make_resource(visibility="PARTNERS")
    hidden = await make_resource()
    await requested(gql, shared["id"], window(25, 10))
    headers = {"x-api-key": partner_key}
    query = "query($id: ID!) { resource(id: $id) { id upcomingBookings { id } } }"
    seen = data(await gql(query, {"id": shared["id"]}, headers=headers), "resource")
    assert seen["upcomingBookings"] == []
    assert error_code(await gql(query, {"id": hidden["id"]}, headers=headers)) == "NOT_FOUND"
    assert error_code(await gql("{ bookings { totalCount } }", headers=headers)) == "FORBIDDEN"


async def test_filters(gql: GraphQLClient, make_resource: MakeResource, fresh_org: uuid.UUID) -> None:
    await make_resource(
        title="党群服务中心多功能厅", capacity=80, tags=["会议", "党课"], description="配投影"
    )
    await make_resource(title="社区党员活动室", capacity=30, tags=["培训"], description="适合小型党课")
    await make_resource(title="便携式音响", kind="MATERIAL", quantity=3, capacity=None, tags=["设备"])
    mine: dict[str, object] = {"ownerOrgId": str(fresh_org)}
    assert await _titles(gql, {**mine, "kind": "MATERIAL"}) == ["便携式音响"]
    assert await _titles(gql, {**mine, "tag": "会议"}) == ["党群服务中心多功能厅"]
    assert await _titles(gql, {**mine, "search": "活动室"}) == ["社区党员活动室"]
    assert await _titles(gql, {**mine, "search": "党课"}) == ["社区党员活动室"]  # the description counts
    assert await _titles(gql, {**mine, "search": "服务中心"}) == ["党群服务中心多功能厅"]
    assert await _titles(gql, {**mine, "minCapacity": 50}) == ["党群服务中心多功能厅"]
    assert await _titles(gql, {**mine, "search": "100%_"}) == []


async def test_free_in_a_window(
    gql: GraphQLClient, make_resource: MakeResource, fresh_org: uuid.UUID
) -> None:
    """'A venue for 50 people next Friday 14:00–16:00': open then, not booked, big enough."""
    friday = next_weekday(5, 14)
    open_fridays = [{"weekday": 5, "start": "09:00", "end": "18:00"}]
    booked = await make_resource(title="已被预约的大厅", capacity=80, openingHours=open_fridays)
    await make_resource(title="空闲的大厅", capacity=60, openingHours=open_fridays)
    await make_resource(
        title="周五不开放的大厅", capacity=90, openingHours=[{"weekday": 1, "start": "09:00", "end": "18:00"}]
    )
    await make_resource(title="当天闭馆的大厅", capacity=90, blackoutDates=[friday[0][:10]])
    await make_resource(title="太小的活动室", capacity=20)
    await make_resource(title="草稿大厅", capacity=100, publish=False)
    await make_resource(title="随时可约的大厅", capacity=50)
    taken = await requested(gql, booked["id"], next_weekday(5, 15))
    data(await gql(APPROVE, {"id": taken["id"]}, login="street-admin"), "approveBooking")
    # Only a pending request on this one: still free.
    pending_only = await make_resource(title="仅有待审预约的大厅", capacity=50)
    await requested(gql, pending_only["id"], friday)

    free = {"ownerOrgId": str(fresh_org), "minCapacity": 50, "freeFrom": friday[0], "freeTo": friday[1]}
    for login in ("member", "street-admin"):
        assert await _titles(gql, free, login=login) == ["仅有待审预约的大厅", "空闲的大厅", "随时可约的大厅"]
    later = next_weekday(5, 16)  # 16–18 overlaps the approved 15–17
    assert "已被预约的大厅" not in await _titles(gql, {**free, "freeFrom": later[0], "freeTo": later[1]})
    evening = next_weekday(5, 17, hours=1)
    assert "已被预约的大厅" in await _titles(gql, {**free, "freeFrom": evening[0], "freeTo": evening[1]})


async def test_free_material_has_stock_left(
    gql: GraphQLClient, make_resource: MakeResource, fresh_org: uuid.UUID
) -> None:
    material = await make_resource(title="展板", kind="MATERIAL", quantity=3, capacity=None)
    slot = window(26, 9, hours=8)
    for quantity in (2, 1):
        booking = await requested(gql, material["id"], slot, quantity=quantity)
        free = {"ownerOrgId": str(fresh_org), "freeFrom": slot[0], "freeTo": slot[1]}
        assert await _titles(gql, free) == ["展板"]
        data(await gql(APPROVE, {"id": booking["id"]}, login="street-admin"), "approveBooking")
    assert await _titles(gql, free) == []


async def test_window_filter_input_is_checked(gql: GraphQLClient) -> None:
    slot = window(5, 10)
    alone = await gql(LIST, {"filter": {"freeFrom": slot[0]}}, login="member")
    assert (error_code(alone), field_of(alone)) == ("BAD_USER_INPUT", "freeTo")
    backwards = await gql(LIST, {"filter": {"freeFrom": slot[1], "freeTo": slot[0]}}, login="member")
    assert (error_code(backwards), field_of(backwards)) == ("BAD_USER_INPUT", "freeTo")
    capacity = await gql(LIST, {"filter": {"minCapacity": 0}}, login="member")
    assert field_of(capacity) == "minCapacity"


async def test_paging(
    gql: GraphQLClient, make_resource: MakeResource, fresh_org: uuid.UUID, admin_conn: asyncpg.Connection
) -> None:
    for index in range(5):
        await make_resource(title=f"分页资源{index}")
    seen: list[str] = []
    after = None
    while True:
        body = data(
            await gql(
                LIST, {"first": 2, "after": after, "filter": {"ownerOrgId": str(fresh_org)}}, login="member"
            ),
            "resources",
        )
        assert body["totalCount"] == 5
        seen += [edge["node"]["title"] for edge in body["edges"]]  # type: ignore[attr-defined]
        if not body["pageInfo"]["hasNextPage"]:  # type: ignore[index]
            break
        after = body["pageInfo"]["endCursor"]  # type: ignore[index]
    assert seen == [f"分页资源{index}" for index in range(5)]
    bad = await gql(LIST, {"after": "bm9wZQ=="}, login="member")
    assert field_of(bad) == "after"


async def test_free_window_search_uses_the_range_index(
    pool: asyncpg.Pool, demo: dict[str, uuid.UUID], make_resource: MakeResource
) -> None:
    """The plan of the list query probes held bookings through their GiST index (when scans
    are made expensive, as they would be on a large table)."""
    await make_resource()
    slot = window(30, 10)
    start, end = (dt.datetime.fromisoformat(value) for value in slot)
    async with pool.acquire() as conn, conn.transaction():
        await set_scope(cast(asyncpg.Connection, conn), tenant_id=demo["demo"])
        await conn.execute("SET LOCAL enable_seqscan = off")
        args = [False, True, [], "VENUE", None, None, None, 10, start, end, None, None, 21]
        plan = "\n".join(row[0] for row in await conn.fetch("EXPLAIN " + catalogue.PAGE_SQL, *args))
    assert "bookings_held_during" in plan, plan
