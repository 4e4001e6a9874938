"""Role × operation: who may read, create, sign off and see the figures of a community's item;
an organisation outside one's subtree answers FORBIDDEN, another tenant's NOT_FOUND."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.ledger.conftest import CREATE, ITEM, ITEMS, SIGN_OFF, SUBMIT, data, local_today

FIGURES = """
query($year: Int!, $org: ID) {
  ledgerFigures(year: $year, organizationId: $org) { year organizations { organizationId total overdueCount } }
}
"""
OK = None


@pytest.fixture
async def callers(tokens: Tokens, admin_conn: asyncpg.Connection) -> dict[str, dict[str, str]]:
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"台账大屏-{uuid.uuid4().hex[:4]}")
    headers = {
        login: {"authorization": f"Bearer {await tokens(login)}"}
        for login in ("alliance-admin", "street-admin", "soe-admin", "member", "auditor")
    }
    headers["partner"] = {"x-api-key": key.plaintext}
    headers["other-tenant"] = {"authorization": f"Bearer {await tokens('alliance-admin', 'other')}"}
    return headers


def _create(org: uuid.UUID) -> dict[str, object]:
    today = local_today()
    return {
        "input": {
            "list": "TASK",
            "organizationId": str(org),
            "year": today.year,
            "title": "权限矩阵",
            "dueDate": today.isoformat(),
        }
    }


async def test_role_by_operation_matrix(
    gql: GraphQLClient, callers: dict[str, dict[str, str]], orgs: dict[str, uuid.UUID], garden_admin: str
) -> None:
    garden = orgs["garden"]
    expected = {
        #                create         read           figures        sign off
        "alliance-admin": (OK, OK, OK, OK),
        "street-admin": (OK, OK, OK, OK),
        "soe-admin": ("FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"),
        "member": ("FORBIDDEN", OK, OK, "FORBIDDEN"),
        "auditor": ("FORBIDDEN", OK, OK, "FORBIDDEN"),
        "partner": ("FORBIDDEN", "FORBIDDEN", OK, "FORBIDDEN"),
        "other-tenant": ("NOT_FOUND", "NOT_FOUND", "NOT_FOUND", "NOT_FOUND"),
    }
    wrong = []
    for caller, (create, read, figures, sign_off) in expected.items():
        headers = callers[caller]
        item = data(
            await gql(CREATE, _create(garden), login="street-admin"), "createLedgerItem", "ledgerItem"
        )
        await gql(SUBMIT, {"input": {"id": item["id"], "evidence": "完成"}}, login=garden_admin)
        found = {
            "create": error_code(await gql(CREATE, _create(garden), headers=headers)),
            "read": error_code(await gql(ITEM, {"id": item["id"]}, headers=headers)),
            "figures": error_code(
                await gql(FIGURES, {"year": local_today().year, "org": str(garden)}, headers=headers)
            ),
            "sign off": error_code(await gql(SIGN_OFF, {"input": {"id": item["id"]}}, headers=headers)),
        }
        for (operation, code), want in zip(found.items(), (create, read, figures, sign_off), strict=True):
            if code != want:
                wrong.append(f"{caller} {operation}: {code}, expected {want}")
    assert wrong == []


async def test_the_list_is_the_callers_subtree(
    gql: GraphQLClient, callers: dict[str, dict[str, str]], orgs: dict[str, uuid.UUID]
) -> None:
    title = f"子树-{uuid.uuid4().hex[:6]}"
    for org in ("garden", "soe"):
        body = _create(orgs[org])
        body["input"]["title"] = title  # type: ignore[index]
        await gql(CREATE, body, login="alliance-admin")
    seen = {}
    for caller in ("alliance-admin", "street-admin", "soe-admin", "member", "auditor"):
        body = await gql(ITEMS, {"filter": {"search": title}}, headers=callers[caller])
        seen[caller] = data(body, "ledgerItems")["totalCount"]
    assert seen == {"alliance-admin": 2, "street-admin": 1, "soe-admin": 1, "member": 1, "auditor": 2}
    assert error_code(await gql(ITEMS, {}, headers=callers["partner"])) == "FORBIDDEN"
