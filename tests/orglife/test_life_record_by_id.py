"""organisationalLifeRecord(id) answers one session record to exactly those to whom
organisationalLife shows it, and audits the look-up (调阅) as the list audits it."""

from __future__ import annotations

import uuid

import asyncpg

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code

FIELDS = """id organizationId kind heldOn topic place resourceId attendeeMemberIds
absentees { memberId reason } minutes"""
RECORD = f"query($id: ID!) {{ organisationalLifeRecord(id: $id) {{ {FIELDS} }} }}"
RECORDS = f"{{ organisationalLife(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}"
AUDITED = (
    "SELECT count(*) FROM audit_log WHERE action = 'organisational_life_record.read'"
    " AND entity_id = $1 AND actor_login = $2"
)


async def _records(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> list[str]:
    rows = await admin_conn.fetch(
        "SELECT id FROM organisational_life_records WHERE tenant_id = $1 ORDER BY id LIMIT 100", tenant_id
    )
    assert rows, "the orglife demo holds sessions"
    return [str(row["id"]) for row in rows]


async def test_a_record_by_id_to_those_the_list_shows_it_to(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: dict[str, uuid.UUID],
) -> None:
    every = await _records(admin_conn, demo["demo"])
    hidden = 0
    for login in ("alliance-admin", "street-admin", "soe-admin", "member", "auditor"):
        listed = await gql(RECORDS, login=login)
        shown = {edge["node"]["id"]: edge["node"] for edge in listed["data"]["organisationalLife"]["edges"]}  # type: ignore[index]
        for record in every:
            body = await gql(RECORD, {"id": record}, login=login)
            if record in shown:
                assert body == {"data": {"organisationalLifeRecord": shown[record]}}, login
            else:
                assert body["data"] is None and error_code(body) == "NOT_FOUND", (login, body)
                assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
                hidden += 1
    assert hidden, "some reader looks after none of the branches: the scope is exercised"


async def test_a_look_up_by_id_is_audited_as_the_lists(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    record = (await _records(admin_conn, demo["demo"]))[0]
    for login in ("auditor", "alliance-admin"):
        before = await admin_conn.fetchval(AUDITED, record, login)
        body = await gql(RECORD, {"id": record}, login=login)
        assert body["data"]["organisationalLifeRecord"]["id"] == record  # type: ignore[index]
        assert await admin_conn.fetchval(AUDITED, record, login) == before + 1, login


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    record = (await _records(admin_conn, demo["demo"]))[0]
    for given, tenant, code in (
        (record, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(RECORD, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]


async def test_partner_keys_read_no_record(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    record = (await _records(admin_conn, demo["demo"]))[0]
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"调阅-{uuid.uuid4().hex[:6]}")
    partner = {"x-api-key": created.plaintext}
    assert error_code(await gql(RECORDS, headers=partner)) == "FORBIDDEN"
    body = await gql(RECORD, {"id": record}, headers=partner)
    assert body["data"] is None and error_code(body) == "FORBIDDEN"
