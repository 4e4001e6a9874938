"""Directory changes record their events in the outbox, in the same transaction."""

from __future__ import annotations

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.support.writes import WritesNothing

CREATE = "mutation($name: String!) { createOrganization(input: {name: $name, kind: AGENCY}) { organization { id } } }"


async def test_created_organization_has_one_event(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    body = await gql(CREATE, {"name": "事件检查单位"}, login="alliance-admin")
    org_id = body["data"]["createOrganization"]["organization"]["id"]  # type: ignore[index]
    rows = await admin_conn.fetch(
        "SELECT event_type, topic, payload FROM outbox WHERE aggregate_id = $1", str(org_id)
    )
    assert [(r["event_type"], r["topic"]) for r in rows] == [
        ("organization.created.v1", "alliance.organization.v1")
    ]
    payload = rows[0]["payload"]
    assert payload["data"]["name"] == "事件检查单位"
    assert "contactPhone" not in payload["data"]


async def test_failed_change_records_no_event(gql: GraphQLClient, writes_nothing: WritesNothing) -> None:
    async with writes_nothing():
        body = await gql(CREATE, {"name": "x" * 300}, login="alliance-admin")
        assert error_code(body) == "BAD_USER_INPUT"
        forbidden = await gql(CREATE, {"name": "无权新增"}, login="member")
        assert error_code(forbidden) == "FORBIDDEN"


async def test_role_grant_and_revoke_are_events(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    await gql(
        'mutation { grantRole(input: {login: "event-watcher", role: AUDITOR}) { grant { id } } }',
        login="alliance-admin",
    )
    await gql(
        'mutation { revokeRole(input: {login: "event-watcher", role: AUDITOR}) { grant { id } } }',
        login="alliance-admin",
    )
    rows = await admin_conn.fetch(
        "SELECT event_type FROM outbox WHERE aggregate_type = 'role' AND payload->'data'->>'login' = 'event-watcher' ORDER BY seq"
    )
    assert [r["event_type"] for r in rows] == ["role.granted.v1", "role.revoked.v1"]
