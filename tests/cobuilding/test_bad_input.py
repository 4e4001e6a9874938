"""Bad input answers BAD_USER_INPUT naming the field (or CONFLICT) and writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest

from tests.cobuilding.conftest import DRAFT, PROJECT, draft_input, signed_agreement, snapshot
from tests.conftest import GraphQLClient

CONTRIBUTE = """
mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }
"""
EVALUATE = """
mutation($input: SubmitCobuildingEvaluationInput!) {
  submitCobuildingEvaluation(input: $input) { evaluation { id } }
}
"""
RETIRE = """
mutation($input: RetireCobuildingDimensionInput!) { retireCobuildingDimension(input: $input) { dimension { code } } }
"""
DEFINE = """
mutation($input: DefineCobuildingDimensionInput!) { defineCobuildingDimension(input: $input) { dimension { code } } }
"""


def _error(body: dict[str, object]) -> tuple[str, str | None]:
    errors = body.get("errors")
    assert errors, body
    extensions = errors[0]["extensions"]  # type: ignore[index]
    return extensions["code"], extensions.get("field")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"enterpriseOrganizationId": "demo:PRIVATE_ENTERPRISE"}, "enterpriseOrganizationId"),
        ({"localOrganizationId": "demo:SOE"}, "localOrganizationId"),
        ({"startDate": "2030-06-01", "endDate": "2030-01-01"}, "endDate"),
        (
            {
                "commitments": [
                    {"dimensionCode": "NO_SUCH", "enterpriseCommitment": "a", "localCommitment": "b"}
                ]
            },
            "commitments",
        ),
        ({"commitments": []}, "commitments"),
        ({"title": "   "}, "title"),
    ],
)
async def test_bad_drafts(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    cob: dict[str, str],
    changes: dict[str, object],
    field: str,
) -> None:
    changes = {k: cob.get(str(v), v) if isinstance(v, str) else v for k, v in changes.items()}
    before = await snapshot(admin_conn)
    body = await gql(DRAFT, {"input": draft_input(cob, **changes)}, login="alliance-admin")
    assert _error(body) == ("BAD_USER_INPUT", field)
    assert await snapshot(admin_conn) == before


async def test_a_retired_dimension_takes_no_commitment(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> None:
    code = f"OLD_{uuid.uuid4().hex[:6].upper()}"
    assert "errors" not in await gql(
        DEFINE, {"input": {"code": code, "name": "旧维度"}}, login="alliance-admin"
    )
    assert "errors" not in await gql(RETIRE, {"input": {"code": code}}, login="alliance-admin")
    before = await snapshot(admin_conn)
    commitments = [{"dimensionCode": code, "enterpriseCommitment": "a", "localCommitment": "b"}]
    body = await gql(DRAFT, {"input": draft_input(cob, commitments=commitments)}, login="soe-admin")
    assert _error(body) == ("BAD_USER_INPUT", "commitments")
    assert await snapshot(admin_conn) == before


async def test_bad_projects_contributions_and_evaluations(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> None:
    agreement_id = await signed_agreement(gql, cob)
    year = dt.date.today().year
    project = {
        "agreementId": agreement_id,
        "dimensionCode": "ACTIVITIES",
        "title": "项目",
        "leadOrganizationId": cob["demo:SOE"],
        "startDate": f"{year}-02-01",
        "endDate": f"{year}-05-01",
    }
    created = await gql(PROJECT, {"input": project}, login="soe-admin")
    project_id = created["data"]["createCobuildingProject"]["project"]["id"]  # type: ignore[index]
    contribution = {
        "projectId": project_id,
        "organizationId": cob["demo:SOE"],
        "kind": "FUNDING",
        "amount": "100.00",
        "date": dt.date.today().isoformat(),
    }
    scores = [{"dimensionCode": "ACTIVITIES", "score": 4}]
    cases: list[tuple[str, dict[str, object], tuple[str, str | None]]] = [
        (PROJECT, {**project, "endDate": f"{year + 3}-01-01"}, ("BAD_USER_INPUT", "startDate")),
        (PROJECT, {**project, "dimensionCode": "TALENT"}, ("BAD_USER_INPUT", "dimensionCode")),
        (PROJECT, {**project, "budget": "10.001"}, ("BAD_USER_INPUT", "budget")),
        (CONTRIBUTE, {**contribution, "amount": "100.005"}, ("BAD_USER_INPUT", "amount")),
        (CONTRIBUTE, {**contribution, "amount": "1000000000.00"}, ("BAD_USER_INPUT", "amount")),
        (CONTRIBUTE, {**contribution, "amount": "NaN"}, ("BAD_USER_INPUT", "amount")),
        (CONTRIBUTE, {**contribution, "amount": "-50.00"}, ("BAD_USER_INPUT", "reason")),
        (CONTRIBUTE, {**contribution, "amount": "0"}, ("BAD_USER_INPUT", "amount")),
        (
            CONTRIBUTE,
            {**contribution, "organizationId": cob["demo:PRIVATE_ENTERPRISE"]},
            ("BAD_USER_INPUT", "organizationId"),
        ),
        (CONTRIBUTE, {**contribution, "resourceId": str(uuid.uuid4())}, ("BAD_USER_INPUT", "resourceId")),
        (
            EVALUATE,
            {"agreementId": agreement_id, "scores": [{"dimensionCode": "ACTIVITIES", "score": 6}]},
            ("BAD_USER_INPUT", "scores"),
        ),
        (
            EVALUATE,
            {"agreementId": agreement_id, "scores": [{"dimensionCode": "ACTIVITIES", "score": 0}]},
            ("BAD_USER_INPUT", "scores"),
        ),
        (EVALUATE, {"agreementId": agreement_id, "scores": []}, ("BAD_USER_INPUT", "scores")),
    ]
    for document, given, expected in cases:
        before = await snapshot(admin_conn)
        assert _error(await gql(document, {"input": given}, login="soe-admin")) == expected, given
        assert await snapshot(admin_conn) == before, given
    assert "errors" not in await gql(
        EVALUATE, {"input": {"agreementId": agreement_id, "scores": scores}}, login="soe-admin"
    )
    before = await snapshot(admin_conn)
    again = await gql(EVALUATE, {"input": {"agreementId": agreement_id, "scores": scores}}, login="soe-admin")
    assert _error(again)[0] == "CONFLICT"
    assert await snapshot(admin_conn) == before
