"""agendaItem(id) answers one agenda item exactly as agendaItems shows it; never to partners."""

from __future__ import annotations

import uuid

import asyncpg

from services.councils.demo import seed_councils
from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code

FIELDS = "id councilId title description category status reason meetingId raisedByOrganizationId createdAt"
ITEM = f"query($id: ID!) {{ agendaItem(id: $id) {{ {FIELDS} }} }}"
ITEMS = f"{{ agendaItems(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def _an_item(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> str:
    await seed_councils(admin_conn)
    found = await admin_conn.fetchval(
        "SELECT id FROM council_agenda_items WHERE tenant_id = $1 LIMIT 1", tenant_id
    )
    assert found is not None
    return str(found)


async def test_an_item_by_id_is_the_listed_one(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await _an_item(admin_conn, demo["demo"])
    for login in ("alliance-admin", "member", "auditor"):
        listed = await gql(ITEMS, login=login)
        items = [edge["node"] for edge in listed["data"]["agendaItems"]["edges"]]  # type: ignore[index]
        assert items, login
        for item in items:
            assert await gql(ITEM, {"id": item["id"]}, login=login) == {"data": {"agendaItem": item}}


async def test_another_alliances_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    item = await _an_item(admin_conn, demo["demo"])
    for given, tenant, code in (
        (item, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(ITEM, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"


async def test_a_partner_key_reads_no_agenda_item(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    item = await _an_item(admin_conn, demo["demo"])
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"议题-{uuid.uuid4().hex[:6]}")
    headers = {"x-api-key": created.plaintext}
    assert error_code(await gql(ITEMS, headers=headers)) == "FORBIDDEN"
    assert error_code(await gql(ITEM, {"id": item}, headers=headers)) == "FORBIDDEN"
