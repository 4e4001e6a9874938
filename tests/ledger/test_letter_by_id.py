"""responsibilityLetter(id) answers one letter to exactly those to whom responsibilityLetters shows it."""

from __future__ import annotations

import uuid

import asyncpg

from services.directory.operations import create_api_key
from services.ledger.demo import seed_ledger
from tests.conftest import GraphQLClient, error_code

FIELDS = "id organizationId issuerOrganizationId year issuedAt acknowledgedAt itemIds issuedBy acknowledgedBy"
LETTER = f"query($id: ID!) {{ responsibilityLetter(id: $id) {{ {FIELDS} }} }}"
LETTERS = f"{{ responsibilityLetters(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def _letters(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> list[str]:
    await seed_ledger(admin_conn)
    rows = await admin_conn.fetch("SELECT id FROM responsibility_letters WHERE tenant_id = $1", tenant_id)
    assert rows
    return [str(row["id"]) for row in rows]


async def test_a_letter_by_id_to_those_the_list_shows_it_to(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    every = await _letters(admin_conn, demo["demo"])
    hidden = 0
    for login in ("alliance-admin", "street-admin", "soe-admin", "member", "auditor"):
        listed = await gql(LETTERS, login=login)
        shown = {
            edge["node"]["id"]: edge["node"] for edge in listed["data"]["responsibilityLetters"]["edges"]
        }  # type: ignore[index]
        for letter in every:
            body = await gql(LETTER, {"id": letter}, login=login)
            if letter in shown:
                assert body == {"data": {"responsibilityLetter": shown[letter]}}, login
            else:
                assert error_code(body) == "NOT_FOUND", (login, body)
                assert body["errors"][0]["extensions"]["field"] == "id"
                hidden += 1
    assert hidden, "some reader sees fewer letters than all: the scope is exercised"


async def test_another_alliances_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    letter = (await _letters(admin_conn, demo["demo"]))[0]
    for given, tenant, code in (
        (letter, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(LETTER, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"


async def test_a_partner_key_reads_no_letter(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    letter = (await _letters(admin_conn, demo["demo"]))[0]
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"责任书-{uuid.uuid4().hex[:6]}")
    headers = {"x-api-key": created.plaintext}
    assert error_code(await gql(LETTERS, headers=headers)) == "FORBIDDEN"
    assert error_code(await gql(LETTER, {"id": letter}, headers=headers)) == "FORBIDDEN"
