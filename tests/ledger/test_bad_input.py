"""Bad input answers BAD_USER_INPUT naming the field, or CONFLICT, and writes nothing; a
second concurrent sign-off loses; the database refuses what the application must never do."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest

from services.core.tenancy import set_scope
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.ledger.conftest import CREATE, PROGRESS, SIGN_OFF, SUBMIT, data, field_of, local_today

TABLES = (
    "ledger_items",
    "ledger_item_steps",
    "ledger_item_answers",
    "ledger_deadline_notices",
    "responsibility_letters",
    "responsibility_letter_items",
    "outbox",
    "audit_log",
)


async def _snapshot(admin_conn: asyncpg.Connection) -> dict[str, int]:
    return {table: await admin_conn.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


def _item(org: uuid.UUID, **more: object) -> dict[str, object]:
    return {
        "input": {
            "list": "TASK",
            "organizationId": str(org),
            "year": local_today().year,
            "title": "错误输入测试",
            "dueDate": local_today().isoformat(),
            **more,
        }
    }


async def _create(gql: GraphQLClient, org: uuid.UUID, login: str = "street-admin", **more: object) -> str:
    body = await gql(CREATE, _item(org, **more), login=login)
    return str(data(body, "createLedgerItem", "ledgerItem")["id"])


async def test_bad_input_names_its_field_and_writes_nothing(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, orgs: dict[str, uuid.UUID]
) -> None:
    garden, soe = orgs["garden"], orgs["soe"]
    open_item = await _create(gql, garden)
    foreign_problem = await _create(gql, soe, login="alliance-admin", list="PROBLEM")
    year = local_today().year
    creations: list[tuple[dict[str, object], str]] = [
        ({"dueDate": f"{year + 2}-01-01"}, "dueDate"),
        ({"dueDate": f"{year - 2}-12-31"}, "dueDate"),
        ({"year": 1800}, "year"),
        ({"title": "  "}, "title"),
        ({"source": "COUNCIL_RESOLUTION"}, "source"),
        ({"holderRole": "书记"}, "holderRole"),
        ({"answersProblemIds": [foreign_problem]}, "answersProblemIds"),
        ({"answersProblemIds": [str(uuid.uuid4()) for _ in range(1000)]}, "answersProblemIds"),
        ({"answersProblemIds": ["not-an-id"]}, "answersProblemIds"),
        ({"organizationId": "not-an-id"}, "organizationId"),
    ]
    before = await _snapshot(admin_conn)
    for given, field in creations:
        body = await gql(CREATE, _item(garden, **given), login="street-admin")
        assert (error_code(body), field_of(body)) == ("BAD_USER_INPUT", field), given
    for percent in (101, -1):
        body = await gql(
            PROGRESS, {"input": {"id": open_item, "note": "x", "percent": percent}}, login="street-admin"
        )
        assert (error_code(body), field_of(body)) == ("BAD_USER_INPUT", "percent")
    body = await gql(PROGRESS, {"input": {"id": "nope", "note": "x"}}, login="street-admin")
    assert (error_code(body), field_of(body)) == ("BAD_USER_INPUT", "id")
    # Signing off an item that is not submitted.
    assert error_code(await gql(SIGN_OFF, {"input": {"id": open_item}}, login="alliance-admin")) == "CONFLICT"
    assert await _snapshot(admin_conn) == before


async def test_a_second_concurrent_sign_off_loses(
    gql: GraphQLClient,
    tokens: Tokens,
    admin_conn: asyncpg.Connection,
    orgs: dict[str, uuid.UUID],
    garden_admin: str,
) -> None:
    item = await _create(gql, orgs["garden"])
    await gql(SUBMIT, {"input": {"id": item, "evidence": "完成"}}, login=garden_admin)
    headers = [
        {"authorization": f"Bearer {await tokens(login)}"} for login in ("street-admin", "alliance-admin")
    ] * 5
    bodies = await asyncio.gather(*(gql(SIGN_OFF, {"input": {"id": item}}, headers=h) for h in headers))
    codes = [error_code(body) for body in bodies]
    assert codes.count(None) == 1 and codes.count("CONFLICT") == 9, codes
    events = await admin_conn.fetchval(
        "SELECT count(*) FROM outbox WHERE event_type = 'ledger_item.signed_off.v1' AND aggregate_id = $1",
        item,
    )
    assert events == 1


async def test_the_database_refuses_a_sign_off_by_the_submitter(
    conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
    orgs: dict[str, uuid.UUID],
) -> None:
    """Without the application's help: the same account may not submit and sign off, and a due
    date outside the year ±1 or a percentage over 100 is refused."""
    await set_scope(conn, tenant_id=demo["demo"])
    account = await admin_conn.fetchval("SELECT id FROM accounts WHERE login = 'street-admin'")
    item_id = await conn.fetchval(
        "INSERT INTO ledger_items (tenant_id, list, organization_id, assigning_organization_id, year, title,"
        " responsible_organization_id, due_date, status, submitted_by, submitted_at)"
        " VALUES ($1, 'TASK', $2, $2, 2026, 't', $2, '2026-06-01', 'SUBMITTED', $3, now()) RETURNING id",
        demo["demo"],
        orgs["street"],
        account,
    )
    with pytest.raises(asyncpg.CheckViolationError, match="ledger_items_own_sign_off"):
        async with conn.transaction():
            await conn.execute(
                "UPDATE ledger_items SET status = 'SIGNED_OFF', signed_off_by = $2, signed_off_at = now()"
                " WHERE id = $1",
                item_id,
                account,
            )
    with pytest.raises(asyncpg.CheckViolationError, match="ledger_items_due_date"):
        async with conn.transaction():
            await conn.execute("UPDATE ledger_items SET due_date = '2028-01-01' WHERE id = $1", item_id)
    with pytest.raises(asyncpg.CheckViolationError, match="ledger_items_percent"):
        async with conn.transaction():
            await conn.execute("UPDATE ledger_items SET percent = 101 WHERE id = $1", item_id)
