"""transfer(id) answers one transfer to exactly those to whom transfers shows it."""

from __future__ import annotations

import uuid

import asyncpg

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code

FIELDS = """id status memberId memberName fromOrganizationId toOrganizationId toTenant
toOrganizationCreditCode originTenant letterNumber reason reportBy acceptedOn createdAt"""
TRANSFER = f"query($id: ID!) {{ transfer(id: $id) {{ {FIELDS} }} }}"
TRANSFERS = f"{{ transfers(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def _transfers(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> list[str]:
    rows = await admin_conn.fetch("SELECT id FROM member_transfers WHERE tenant_id = $1", tenant_id)
    assert rows, "the orglife demo holds a transfer"
    return [str(row["id"]) for row in rows]


async def test_a_transfer_by_id_to_those_the_list_shows_it_to(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: dict[str, uuid.UUID],
) -> None:
    every = await _transfers(admin_conn, demo["demo"])
    hidden = 0
    for login in ("alliance-admin", "street-admin", "auditor", "soe-admin"):
        listed = await gql(TRANSFERS, login=login)
        shown = {edge["node"]["id"]: edge["node"] for edge in listed["data"]["transfers"]["edges"]}  # type: ignore[index]
        for transfer in every:
            body = await gql(TRANSFER, {"id": transfer}, login=login)
            if transfer in shown:
                assert body == {"data": {"transfer": shown[transfer]}}, login
            else:
                assert error_code(body) == "NOT_FOUND", (login, body)
                assert body["errors"][0]["extensions"]["field"] == "id"
                hidden += 1
    assert hidden, "some admin looks after neither branch: the scope is exercised"


async def test_another_alliances_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    transfer = (await _transfers(admin_conn, demo["demo"]))[0]
    for given, tenant, code in (
        (transfer, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(TRANSFER, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"


async def test_members_and_partner_keys_read_no_transfer(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    transfer = (await _transfers(admin_conn, demo["demo"]))[0]
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"转接-{uuid.uuid4().hex[:6]}")
    for asked in ({"login": "member"}, {"headers": {"x-api-key": created.plaintext}}):
        assert error_code(await gql(TRANSFERS, **asked)) == "FORBIDDEN"  # type: ignore[arg-type]
        assert error_code(await gql(TRANSFER, {"id": transfer}, **asked)) == "FORBIDDEN"  # type: ignore[arg-type]
