"""Nested fields are batched: the SQL statements of a resources page do not grow with its size."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from schema import build_schema
from services.core.authz import Authorizer
from services.core.principal import Principal
from services.core.settings import Settings
from services.directory.operations import account_id_for
from tests.support.organizations import COMMUNITY, SOE, STREET, new_org, org_id
from tests.support.statements import BOOKKEEPING, StatementLog, context_for
from tests.support.statements import counting_pool as counting_pool  # a fixture

PAGE = """
query($first: Int!, $owner: ID!) {
  resources(first: $first, filter: {ownerOrgId: $owner}) {
    totalCount
    edges { node {
      id title owner { name }
      menu { name }
      utilization { rate }
      upcomingBookings(first: 3) { id start requester { name } resource { title } menuItem { name } }
    } }
  }
}
"""


async def _owner_with_busy_resources(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> uuid.UUID:
    """A new organisation with 22 published bases, each with a menu and 3 approved bookings."""
    street = await org_id(admin_conn, tenant_id, STREET)
    requesters = [await org_id(admin_conn, tenant_id, name) for name in (COMMUNITY, SOE, STREET)]
    owner = await new_org(admin_conn, tenant_id, parent=street, prefix="计数社区")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=30)
    for index in range(22):
        resource = await admin_conn.fetchval(
            "INSERT INTO resources (tenant_id, owner_org_id, kind, title, capacity, status, published_at)"
            " VALUES ($1, $2, 'BASE', $3, 50, 'PUBLISHED', now() - interval '10 days') RETURNING id",
            tenant_id,
            owner,
            f"计数基地{index}",
        )
        item = await admin_conn.fetchval(
            "INSERT INTO resource_menu_items (tenant_id, resource_id, name, duration_minutes)"
            " VALUES ($1, $2, '参观', 60) RETURNING id",
            tenant_id,
            resource,
        )
        for slot, requester in enumerate(requesters):
            begins = start + dt.timedelta(hours=3 * slot)
            await admin_conn.execute(
                "INSERT INTO bookings (tenant_id, resource_id, requester_org_id, during, status, menu_item_id)"
                " VALUES ($1, $2, $3, tstzrange($4, $5), 'APPROVED', $6)",
                tenant_id,
                resource,
                requester,
                begins,
                begins + dt.timedelta(hours=2),
                item,
            )
    return uuid.UUID(str(owner))


async def test_statements_do_not_grow_with_page_size(
    settings: Settings,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    counting_pool: tuple[asyncpg.Pool, StatementLog],
) -> None:
    pool, log = counting_pool
    tenant_id = demo["demo"]
    owner = await _owner_with_busy_resources(admin_conn, tenant_id)
    authorizer = Authorizer()
    account_id = await account_id_for(admin_conn, tenant_id=tenant_id, login="street-admin")
    principal = Principal(
        account_id=account_id,
        login="street-admin",
        tenant_id=tenant_id,
        tenant_slug="demo",
        roles=await authorizer.roles_of(pool, account_id, tenant_id),
        organization_ids=authorizer.organizations(account_id, tenant_id),
    )
    schema = build_schema(settings)

    async def statements_for(first: int) -> tuple[int, Any]:
        context = context_for(
            settings=settings, pool=pool, authorizer=authorizer, principal_or_none=principal
        )
        log.queries.clear()
        result = await schema.execute(
            PAGE, variable_values={"first": first, "owner": str(owner)}, context_value=context
        )
        assert result.errors is None, result.errors
        return len(log.queries), result.data

    await statements_for(20)  # warm up
    small, small_data = await statements_for(2)
    large, large_data = await statements_for(20)
    nodes = [edge["node"] for edge in large_data["resources"]["edges"]]
    assert len(nodes) == 20 and all(len(node["upcomingBookings"]) == 3 for node in nodes)
    assert {b["requester"]["name"] for node in nodes for b in node["upcomingBookings"]} == {
        COMMUNITY,
        SOE,
        STREET,
    }
    assert all(node["menu"] == [{"name": "参观"}] for node in nodes)
    assert len(small_data["resources"]["edges"]) == 2
    assert small == large, "\n".join(log.queries)
    # Besides transaction bookkeeping (BEGIN, tenant scope, COMMIT, the pool's reset): the page
    # and its count, then one query per loader (owner, menu, upcoming bookings, utilisation,
    # then requester, resource, menu item of the bookings).
    work = [q for q in log.queries if not q.startswith(BOOKKEEPING)]
    assert len(work) <= 9, "\n".join(work)


DEEP = """
query($first: Int!, $owner: ID!) {
  resources(first: $first, filter: {ownerOrgId: $owner}) {
    edges { node { id title capacity owner { name } upcomingBookings(first: 3) { start requester { name } } } }
  }
}
"""


async def test_a_known_page_shape_costs_a_few_statements_in_all(
    settings: Settings,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    counting_pool: tuple[asyncpg.Pool, StatementLog],
) -> None:
    """Owners and upcoming bookings with their requesters come with the page: the tenant
    setting, the page, the bookings and the pool's reset, whatever the page size."""
    pool, log = counting_pool
    tenant_id = demo["demo"]
    owner = await _owner_with_busy_resources(admin_conn, tenant_id)
    authorizer = Authorizer()
    account_id = await account_id_for(admin_conn, tenant_id=tenant_id, login="member")
    principal = Principal(
        account_id=account_id,
        login="member",
        tenant_id=tenant_id,
        tenant_slug="demo",
        roles=await authorizer.roles_of(pool, account_id, tenant_id),
        organization_ids=authorizer.organizations(account_id, tenant_id),
    )
    schema = build_schema(settings)

    async def statements_for(first: int) -> tuple[list[str], Any]:
        context = context_for(
            settings=settings, pool=pool, authorizer=authorizer, principal_or_none=principal
        )
        log.queries.clear()
        result = await schema.execute(
            DEEP, variable_values={"first": first, "owner": str(owner)}, context_value=context
        )
        assert result.errors is None, result.errors
        return list(log.queries), result.data

    await statements_for(20)  # warm up
    small, _ = await statements_for(2)
    large, data = await statements_for(20)
    nodes = [edge["node"] for edge in data["resources"]["edges"]]
    assert len(nodes) == 20 and all(len(node["upcomingBookings"]) == 3 for node in nodes)
    assert all(node["owner"]["name"].startswith("计数社区-") for node in nodes)
    assert {b["requester"]["name"] for node in nodes for b in node["upcomingBookings"]} == {
        COMMUNITY,
        SOE,
        STREET,
    }
    assert len(small) == len(large) <= 6, "\n".join(large)
    assert not any(q.startswith(("BEGIN", "COMMIT")) for q in large), "reads need no transaction"

    # The pool's reset cleared the session's tenant before the connection went back.
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT current_setting('app.tenant_id', true)") in {None, ""}
