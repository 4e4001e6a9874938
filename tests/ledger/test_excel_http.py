"""GET /ledger/export.xlsx over real HTTP: the workbook of what the caller may read."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest

from services.ledger.workbook import SHEETS
from tests.conftest import GraphQLClient, Tokens
from tests.ledger.conftest import CREATE, data, local_today, org_id
from tests.ledger.excel_support import read_sheets

PATH = "/ledger/export.xlsx"
YEAR = local_today().year


async def _create(gql: GraphQLClient, org: uuid.UUID, login: str, title: str) -> str:
    variables = {
        "input": {
            "list": "TASK",
            "organizationId": str(org),
            "year": YEAR,
            "title": title,
            "dueDate": local_today().isoformat(),
        }
    }
    return str(data(await gql(CREATE, variables, login=login), "createLedgerItem", "ledgerItem")["id"])


async def _get(
    http: httpx.AsyncClient, tokens: Tokens, login: str | None, tenant: str = "demo", **params: str
) -> httpx.Response:
    headers = {"authorization": f"Bearer {await tokens(login, tenant)}"} if login else {}
    return await http.get(PATH, params={"year": str(YEAR), **params}, headers=headers)


def _keys(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return {str(row["导入键"]) for rows in read_sheets(response.content).values() for row in rows}


def _code(response: httpx.Response) -> tuple[int, str, str | None]:
    error = response.json()["errors"][0]
    return response.status_code, error["extensions"]["code"], error["extensions"].get("field")


async def test_export_holds_what_the_caller_may_read(
    http: httpx.AsyncClient, gql: GraphQLClient, tokens: Tokens, orgs: dict[str, uuid.UUID], garden_admin: str
) -> None:
    street_item = await _create(gql, orgs["street"], "street-admin", "街道导出测试")
    garden_item = await _create(gql, orgs["garden"], "street-admin", "社区导出测试")
    soe_item = await _create(gql, orgs["soe"], "alliance-admin", "国企导出测试")

    everything = _keys(await _get(http, tokens, "alliance-admin"))
    assert {street_item, garden_item, soe_item} <= everything
    assert {street_item, garden_item, soe_item} <= _keys(await _get(http, tokens, "auditor"))

    street = _keys(await _get(http, tokens, "street-admin"))
    assert {street_item, garden_item} <= street and soe_item not in street
    # An org_admin one level down sees its subtree only.
    garden = _keys(await _get(http, tokens, garden_admin))
    assert garden_item in garden and not {street_item, soe_item} & garden
    # One organisation and those below it.
    only_garden = _keys(await _get(http, tokens, "street-admin", organizationId=str(orgs["garden"])))
    assert garden_item in only_garden and street_item not in only_garden


async def test_export_refusals(
    http: httpx.AsyncClient,
    tokens: Tokens,
    orgs: dict[str, uuid.UUID],
    demo: dict[str, uuid.UUID],
    admin_conn: asyncpg.Connection,
) -> None:
    assert _code(await _get(http, tokens, None)) == (401, "UNAUTHENTICATED", None)
    # Inside the tenant but outside the caller's subtree: FORBIDDEN.
    outside = await _get(http, tokens, "street-admin", organizationId=str(orgs["soe"]))
    assert _code(outside) == (403, "FORBIDDEN", None)
    # Another tenant's organisation does not exist for the caller.
    other_org = await org_id(admin_conn, demo["other"], "区委组织部")
    foreign = await _get(http, tokens, "alliance-admin", organizationId=str(other_org))
    assert _code(foreign) == (404, "NOT_FOUND", "organizationId")
    bad_year = await http.get(
        PATH, params={"year": "last"}, headers={"authorization": f"Bearer {await tokens('alliance-admin')}"}
    )
    assert _code(bad_year) == (400, "BAD_USER_INPUT", "year")
    assert _code(await _get(http, tokens, "alliance-admin", organizationId="nope")) == (
        400,
        "BAD_USER_INPUT",
        "organizationId",
    )
    assert _code(await _get(http, tokens, "alliance-admin", year="1800")) == (400, "BAD_USER_INPUT", "year")


@pytest.mark.parametrize("sheet", list(SHEETS.values()))
async def test_every_list_has_its_sheet(http: httpx.AsyncClient, tokens: Tokens, sheet: str) -> None:
    response = await _get(http, tokens, "member")
    assert sheet in read_sheets(response.content)
