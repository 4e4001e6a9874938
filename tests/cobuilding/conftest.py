"""Helpers for the co-building tests: the demo data, organisation ids and fresh agreements."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from services.cobuilding.demo import seed_cobuilding
from tests.conftest import GraphQLClient

TABLES = (
    "cobuilding_dimensions",
    "cobuilding_agreements",
    "cobuilding_agreement_versions",
    "cobuilding_commitments",
    "cobuilding_signatures",
    "cobuilding_projects",
    "cobuilding_milestones",
    "cobuilding_contributions",
    "cobuilding_evaluations",
    "cobuilding_evaluation_scores",
    "outbox",
    "audit_log",
)

DRAFT = """
mutation($input: DraftCobuildingAgreementInput!) {
  draftCobuildingAgreement(input: $input) { agreement { id status } }
}
"""
SIGN = """
mutation($input: SignCobuildingAgreementInput!) {
  signCobuildingAgreement(input: $input) { agreement { id status signedVersion } }
}
"""
PROJECT = """
mutation($input: CreateCobuildingProjectInput!) {
  createCobuildingProject(input: $input) { project { id } }
}
"""


@pytest.fixture
async def cob(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, str]:
    """The demo data set with co-building loaded; organisation ids of tenant `demo` (and `other`)."""
    await seed_cobuilding(admin_conn)
    found: dict[str, str] = {}
    for slug in ("demo", "other"):
        for kind in ("SOE", "STREET_COMMITTEE", "COMMUNITY", "PRIVATE_ENTERPRISE", "STATIONED_UNIT"):
            org = await admin_conn.fetchval(
                "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = $2 ORDER BY name LIMIT 1",
                demo[slug],
                kind,
            )
            found[f"{slug}:{kind}"] = str(org)
    return found


async def snapshot(admin_conn: asyncpg.Connection) -> dict[str, int]:
    """Row counts of co-building's tables and the outbox and audit: "writes nothing" is checked here."""
    return {table: await admin_conn.fetchval(f"SELECT count(*) FROM {table}") for table in TABLES}


def draft_input(cob: dict[str, str], **changes: object) -> dict[str, object]:
    year = dt.date.today().year
    given: dict[str, object] = {
        "title": "测试协议",
        "enterpriseOrganizationId": cob["demo:SOE"],
        "localOrganizationId": cob["demo:STREET_COMMITTEE"],
        "startDate": f"{year}-01-01",
        "endDate": f"{year + 1}-12-31",
        "commitments": [
            {"dimensionCode": "ACTIVITIES", "enterpriseCommitment": "出资", "localCommitment": "出场地"},
        ],
    }
    given.update(changes)
    return given


async def signed_agreement(gql: GraphQLClient, cob: dict[str, str]) -> str:
    body = await gql(DRAFT, {"input": draft_input(cob)}, login="soe-admin")
    agreement_id = str(body["data"]["draftCobuildingAgreement"]["agreement"]["id"])  # type: ignore[index]
    for login in ("soe-admin", "street-admin"):
        assert "errors" not in await gql(SIGN, {"input": {"id": agreement_id}}, login=login)
    return agreement_id
