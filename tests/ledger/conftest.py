"""Helpers for the ledger tests: organisations by name, a community admin, GraphQL documents."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import asyncpg
import pytest

STREET = "东城街道党工委"
GARDEN = "花园社区党委"
RIVERSIDE = "滨河社区党支部"
SOE = "城市建设投资集团有限公司党委"
GARDEN_ADMIN = "garden-admin"

ITEM_FIELDS = """
id list status percent overdue dueDate year title organizationId assigningOrganizationId
responsibleOrganizationId evidence source { kind id key }
"""
CREATE = f"""
mutation($input: CreateLedgerItemInput!) {{ createLedgerItem(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} }} }} }}
"""
PROGRESS = f"""
mutation($input: ReportProgressInput!) {{ reportProgress(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} }} }} }}
"""
SUBMIT = f"""
mutation($input: SubmitForSignOffInput!) {{ submitForSignOff(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} }} }} }}
"""
SIGN_OFF = f"""
mutation($input: SignOffInput!) {{ signOff(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} signedOffAt }} }} }}
"""
RETURN = f"""
mutation($input: ReturnLedgerItemInput!) {{ returnLedgerItem(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} }} }} }}
"""
CANCEL = f"""
mutation($input: CancelLedgerItemInput!) {{ cancelLedgerItem(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} }} }} }}
"""
CHANGE_DUE = f"""
mutation($input: ChangeDueDateInput!) {{ changeDueDate(input: $input) {{ ledgerItem {{ {ITEM_FIELDS} }} }} }}
"""
ITEM = f"""
query($id: ID!) {{
  ledgerItem(id: $id) {{
    {ITEM_FIELDS}
    answers {{ id title }}
    history {{ action status note percent by at }}
  }}
}}
"""
ITEMS = """
query($filter: LedgerItemFilter, $first: Int, $after: String) {
  ledgerItems(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id status overdue title } }
  }
}
"""


def local_today() -> dt.date:
    """The district's calendar day, as the ledger counts deadlines."""
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


def data(body: dict[str, object], *path: str) -> dict[str, object]:
    assert body.get("errors") is None, body
    node: object = body["data"]
    for key in path:
        node = node[key]  # type: ignore[index]
    return node  # type: ignore[return-value]


def field_of(body: dict[str, object]) -> str | None:
    errors = body.get("errors")
    assert errors, body
    return errors[0]["extensions"].get("field")  # type: ignore[index, no-any-return]


async def org_id(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    found = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    assert found is not None, name
    return uuid.UUID(str(found))


@pytest.fixture
async def orgs(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, uuid.UUID]:
    tenant_id = demo["demo"]
    return {
        "street": await org_id(admin_conn, tenant_id, STREET),
        "garden": await org_id(admin_conn, tenant_id, GARDEN),
        "riverside": await org_id(admin_conn, tenant_id, RIVERSIDE),
        "soe": await org_id(admin_conn, tenant_id, SOE),
    }


@pytest.fixture
async def garden_admin(
    admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> str:
    """An org_admin of the garden community (花园社区), a level below the street committee."""
    tenant_id = demo["demo"]
    account_id = await admin_conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2, '花园社区 书记')"
        " ON CONFLICT (home_tenant_id, login) DO UPDATE SET login = EXCLUDED.login RETURNING id",
        tenant_id,
        GARDEN_ADMIN,
    )
    await admin_conn.execute(
        "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id)"
        " SELECT $1, $2, 'org_admin', $3 WHERE NOT EXISTS"
        " (SELECT 1 FROM role_assignments WHERE account_id = $2 AND role = 'org_admin')",
        tenant_id,
        account_id,
        orgs["garden"],
    )
    return GARDEN_ADMIN
