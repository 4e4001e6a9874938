"""Helpers for the resources tests: fresh organisations, resources and booking windows."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient
from tests.support.organizations import COMMUNITY, SOE, STREET, new_org, org_id

__all__ = ["COMMUNITY", "SOE", "STREET", "org_id"]  # kept importable from here

LOCAL = ZoneInfo("Asia/Shanghai")

CREATE = """
mutation($input: CreateResourceInput!) {
  createResource(input: $input) { resource { id status kind title capacity quantity ownerOrgId } }
}
"""
PUBLISH = "mutation($id: ID!) { publishResource(id: $id) { resource { id status publishedAt } } }"
ARCHIVE = "mutation($id: ID!) { archiveResource(id: $id) { resource { id status archivedAt } } }"
REQUEST = """
mutation($input: RequestBookingInput!) {
  requestBooking(input: $input) { booking { id status start end attendees quantity requesterOrgId } }
}
"""
APPROVE = "mutation($id: ID!) { approveBooking(id: $id) { booking { id status decidedAt } } }"
REJECT = "mutation($id: ID!, $reason: String!) { rejectBooking(id: $id, reason: $reason) { booking { id status reason } } }"
CANCEL = "mutation($id: ID!) { cancelBooking(id: $id) { booking { id status } } }"
COMPLETE = "mutation($id: ID!, $noShow: Boolean) { completeBooking(id: $id, noShow: $noShow) { booking { id status } } }"


def data(body: dict[str, object], *path: str) -> dict[str, object]:
    """``body["data"][path…]``, failing with the whole body when the response has errors."""
    assert body.get("errors") is None, body
    node: object = body["data"]
    for key in path:
        node = node[key]  # type: ignore[index]
    return node  # type: ignore[return-value]


def field_of(body: dict[str, object]) -> str | None:
    errors = body.get("errors")
    assert errors, body
    return errors[0]["extensions"].get("field")  # type: ignore[index, no-any-return]


def window(days: int, hour: int, hours: float = 2, minute: int = 0) -> tuple[str, str]:
    """An ISO-8601 window (+08:00) ``days`` from today at ``hour`` local time."""
    day = dt.datetime.now(LOCAL).date() + dt.timedelta(days=days)
    start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)
    return start.isoformat(), (start + dt.timedelta(hours=hours)).isoformat()


def next_weekday(
    weekday: int, hour: int, hours: float = 2, minute: int = 0, weeks: int = 1
) -> tuple[str, str]:
    """A window on ISO ``weekday`` of a coming week (at least ``weeks`` weeks from now)."""
    today = dt.datetime.now(LOCAL).date()
    days = (weekday - today.isoweekday()) % 7 + 7 * weeks
    return window(days, hour, hours, minute)


@pytest.fixture
async def fresh_org(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> uuid.UUID:
    """A new community below the street committee (so street-admin manages it), owning nothing yet."""
    street = await org_id(admin_conn, demo["demo"], STREET)
    return await new_org(admin_conn, demo["demo"], parent=street, prefix="资源测试社区")


MakeResource = Callable[..., Awaitable[dict[str, object]]]


@pytest.fixture
def make_resource(gql: GraphQLClient, fresh_org: uuid.UUID) -> MakeResource:
    """Create (and by default publish) a resource owned by ``fresh_org``, as street-admin."""

    async def make(publish: bool = True, login: str = "street-admin", **fields: object) -> dict[str, object]:
        payload = {
            "kind": "VENUE",
            "title": f"测试场地-{uuid.uuid4().hex[:6]}",
            "ownerOrgId": str(fresh_org),
            "capacity": 50,
            **fields,
        }
        created = data(await gql(CREATE, {"input": payload}, login=login), "createResource", "resource")
        if publish:
            data(await gql(PUBLISH, {"id": created["id"]}, login=login), "publishResource", "resource")
            created["status"] = "PUBLISHED"
        return created

    return make


async def request(
    gql: GraphQLClient,
    resource_id: object,
    slot: tuple[str, str],
    *,
    login: str | None = "member",
    headers: dict[str, str] | None = None,
    **fields: object,
) -> dict[str, object]:
    """The response to requestBooking for ``slot``."""
    payload = {"resourceId": resource_id, "start": slot[0], "end": slot[1], **fields}
    return await gql(REQUEST, {"input": payload}, login=login, headers=headers)


async def requested(
    gql: GraphQLClient, resource_id: object, slot: tuple[str, str], *, login: str = "member", **fields: Any
) -> dict[str, object]:
    """A booking that was requested successfully."""
    return data(await request(gql, resource_id, slot, login=login, **fields), "requestBooking", "booking")


@pytest.fixture
async def partner_key(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> str:
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"资源大屏-{uuid.uuid4().hex[:4]}")
    return key.plaintext


async def outbox_types(admin_conn: asyncpg.Connection, aggregate_id: object) -> list[str]:
    rows = await admin_conn.fetch(
        "SELECT event_type FROM outbox WHERE aggregate_id = $1 ORDER BY seq", str(aggregate_id)
    )
    return [row["event_type"] for row in rows]


async def audit_actions(admin_conn: asyncpg.Connection, entity_id: object) -> list[str]:
    rows = await admin_conn.fetch(
        "SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id", str(entity_id)
    )
    return [row["action"] for row in rows]
