"""Amounts and budgets read back in plain notation, never "1E+4": asyncpg reads a numeric
stored without decimals (the demo's budgets, rows written by SQL) as ``Decimal('1E+4')``."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from tests.cobuilding.conftest import PROJECT, signed_agreement
from tests.cobuilding.test_bad_input import CONTRIBUTE
from tests.conftest import GraphQLClient

READ = """
query($id: ID!) {
  cobuildingAgreement(id: $id) { projects { budget contributions { amount } } }
}
"""


async def test_whole_amounts_read_back_in_plain_notation(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    year = dt.date.today().year
    project = {
        "agreementId": agreement_id,
        "dimensionCode": "ACTIVITIES",
        "title": "整数预算",
        "leadOrganizationId": cob["demo:SOE"],
        "startDate": f"{year}-02-01",
        "endDate": f"{year}-05-01",
        "budget": "100.00",
    }
    created = await gql(PROJECT, {"input": project}, login="soe-admin")
    project_id = created["data"]["createCobuildingProject"]["project"]["id"]  # type: ignore[index]
    # A budget stored without decimals, as the demo's are.
    await admin_conn.execute(
        "UPDATE cobuilding_projects SET budget = 1000000::numeric WHERE id = $1", uuid.UUID(project_id)
    )
    entered = ["10000", "10000.50", "200.00", "30"]
    for amount in entered:
        contribution = {
            "projectId": project_id,
            "organizationId": cob["demo:SOE"],
            "kind": "FUNDING",
            "amount": amount,
            "date": dt.date.today().isoformat(),
        }
        assert "errors" not in await gql(CONTRIBUTE, {"input": contribution}, login="soe-admin")
    body = await gql(READ, {"id": agreement_id}, login="alliance-admin")
    (read,) = body["data"]["cobuildingAgreement"]["projects"]  # type: ignore[index]
    assert read["budget"] == "1000000"
    # Amounts are kept to the cent as entered.
    assert sorted(c["amount"] for c in read["contributions"]) == sorted(
        ["200.00", "30.00", "10000.00", "10000.50"]
    )
