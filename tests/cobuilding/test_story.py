"""The whole co-building story through HTTP, as the roles involved: draft → both signatures →
project → milestone (a ledger task) signed off in the ledger → contribution → evaluations;
then the SOE's across-alliances view and the partner's limits."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.cobuilding.demo import seed_cobuilding
from tests.conftest import GraphQLClient, error_code
from tests.support.ledger import sign_off_task
from tests.support.polling import eventually

DRAFT = """
mutation($input: DraftCobuildingAgreementInput!) {
  draftCobuildingAgreement(input: $input) { agreement { id status version latestVersion title } }
}
"""
SIGN = """
mutation($input: SignCobuildingAgreementInput!) {
  signCobuildingAgreement(input: $input) { agreement { id status signedVersion } }
}
"""
PROJECT = """
mutation($input: CreateCobuildingProjectInput!) {
  createCobuildingProject(input: $input) { project { id status dimensionCode budget } }
}
"""
MILESTONE = """
mutation($input: AddMilestoneInput!) {
  addMilestone(input: $input) { milestone { id ledgerItemId completedAt overdue } }
}
"""
CONTRIBUTE = """
mutation($input: RecordContributionInput!) {
  recordContribution(input: $input) { contribution { id kind amount unit side reason } }
}
"""
EVALUATE = """
mutation($input: SubmitCobuildingEvaluationInput!) {
  submitCobuildingEvaluation(input: $input) { evaluation { id side period scores { dimensionCode score } } }
}
"""
AGREEMENT = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    id status title dimensions
    versions { version signedAt signatures { side login signedAt } }
    projects { id milestones { id completedAt } contributions { amount kind } }
    evaluationComparison { dimensionCode enterpriseScore localScore differs }
  }
}
"""
ACROSS = """
{ viewer { login cobuildingAcrossTenants { tenant agreement { id title status } dueMilestones { id dueDate } } } }
"""


async def _org(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, kind: str) -> str:
    found = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = $2 ORDER BY name LIMIT 1",
        tenant_id,
        kind,
    )
    return str(found)


def _ok(body: dict[str, object]) -> dict[str, object]:
    assert "errors" not in body, body
    data = body["data"]
    assert isinstance(data, dict)
    return data


async def test_the_whole_story_through_http(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await seed_cobuilding(admin_conn)
    tenant = demo["demo"]
    soe = await _org(admin_conn, tenant, "SOE")
    street = await _org(admin_conn, tenant, "STREET_COMMITTEE")
    year = dt.date.today().year
    drafted = _ok(
        await gql(
            DRAFT,
            {
                "input": {
                    "title": "HTTP 故事协议",
                    "enterpriseOrganizationId": soe,
                    "localOrganizationId": street,
                    "startDate": f"{year}-01-01",
                    "endDate": f"{year + 1}-12-31",
                    "commitments": [
                        {
                            "dimensionCode": "ACTIVITIES",
                            "enterpriseCommitment": "出人出资",
                            "localCommitment": "出场地",
                            "targets": [{"name": "活动", "value": "12", "unit": "场"}],
                        },
                        {
                            "dimensionCode": "SERVICES",
                            "enterpriseCommitment": "志愿服务",
                            "localCommitment": "组织群众",
                        },
                    ],
                }
            },
            login="soe-admin",
        )
    )["draftCobuildingAgreement"]["agreement"]  # type: ignore[index]
    agreement_id = drafted["id"]
    assert drafted["status"] == "DRAFT"

    # A project under the unsigned agreement is refused.
    early = await gql(
        PROJECT,
        {
            "input": {
                "agreementId": agreement_id,
                "dimensionCode": "ACTIVITIES",
                "title": "x",
                "leadOrganizationId": soe,
                "startDate": f"{year}-03-01",
                "endDate": f"{year}-06-30",
            }
        },
        login="soe-admin",
    )
    assert error_code(early) == "CONFLICT"

    # The member of another organisation does not see the draft.
    assert error_code(await gql(AGREEMENT, {"id": agreement_id}, login="member")) == "NOT_FOUND"

    first = _ok(await gql(SIGN, {"input": {"id": agreement_id}}, login="soe-admin"))
    assert first["signCobuildingAgreement"]["agreement"]["status"] == "DRAFT"  # type: ignore[index]
    again = await gql(SIGN, {"input": {"id": agreement_id}}, login="soe-admin")
    assert error_code(again) == "CONFLICT"
    second = _ok(await gql(SIGN, {"input": {"id": agreement_id}}, login="street-admin"))
    assert second["signCobuildingAgreement"]["agreement"]["status"] == "ACTIVE"  # type: ignore[index]

    project = _ok(
        await gql(
            PROJECT,
            {
                "input": {
                    "agreementId": agreement_id,
                    "dimensionCode": "ACTIVITIES",
                    "title": "联合主题党日",
                    "leadOrganizationId": soe,
                    "participantOrganizationIds": [street],
                    "budget": "10000.50",
                    "startDate": f"{year}-01-15",
                    "endDate": f"{year + 1}-06-30",
                }
            },
            login="street-admin",
        )
    )["createCobuildingProject"]["project"]  # type: ignore[index]
    assert project["budget"] == "10000.50"

    milestone = _ok(
        await gql(
            MILESTONE,
            {
                "input": {
                    "projectId": project["id"],
                    "title": "方案制定",
                    "dueDate": f"{year + 1}-03-31",
                    "responsibleOrganizationId": street,
                }
            },
            login="soe-admin",
        )
    )["addMilestone"]["milestone"]  # type: ignore[index]
    assert milestone["ledgerItemId"] and milestone["completedAt"] is None
    ledger_row = await admin_conn.fetchrow(
        "SELECT source, source_id, source_key, list FROM ledger_items WHERE id = $1",
        uuid.UUID(milestone["ledgerItemId"]),
    )
    assert ledger_row is not None
    assert (
        ledger_row["source"],
        str(ledger_row["source_id"]),
        ledger_row["source_key"],
        ledger_row["list"],
    ) == (
        "COBUILDING_MILESTONE",
        project["id"],
        milestone["id"],
        "TASK",
    )

    # The ledger closes the task its own way (销号): the responsible street's admin submits, the
    # assigner (the project's lead, the SOE) signs off; the `cobuilding` consumer then completes
    # the milestone from the ledger's event.
    await sign_off_task(gql, milestone["ledgerItemId"], submitter="street-admin", signer="soe-admin")

    async def milestone_now() -> dict[str, object]:
        body = _ok(await gql(AGREEMENT, {"id": agreement_id}, login="soe-admin"))
        return body["cobuildingAgreement"]["projects"][0]["milestones"][0]  # type: ignore[index,no-any-return]

    completed = await eventually(milestone_now, lambda m: m["completedAt"] is not None, within=30)
    assert completed["id"] == milestone["id"]

    contribution = _ok(
        await gql(
            CONTRIBUTE,
            {
                "input": {
                    "projectId": project["id"],
                    "organizationId": soe,
                    "kind": "FUNDING",
                    "amount": "5000.25",
                    "date": dt.date.today().isoformat(),
                }
            },
            login="soe-admin",
        )
    )["recordContribution"]["contribution"]  # type: ignore[index]
    assert (contribution["amount"], contribution["unit"], contribution["side"]) == (
        "5000.25",
        "CNY",
        "ENTERPRISE",
    )

    for login, scores in (("soe-admin", (5, 2)), ("street-admin", (4, 5))):
        _ok(
            await gql(
                EVALUATE,
                {
                    "input": {
                        "agreementId": agreement_id,
                        "period": year,
                        "scores": [
                            {"dimensionCode": "ACTIVITIES", "score": scores[0]},
                            {"dimensionCode": "SERVICES", "score": scores[1], "comment": "好"},
                        ],
                    }
                },
                login=login,
            )
        )
    twice = await gql(
        EVALUATE,
        {
            "input": {
                "agreementId": agreement_id,
                "period": year,
                "scores": [
                    {"dimensionCode": "ACTIVITIES", "score": 3},
                    {"dimensionCode": "SERVICES", "score": 3},
                ],
            }
        },
        login="street-admin",
    )
    assert error_code(twice) == "CONFLICT"

    seen = _ok(await gql(AGREEMENT, {"id": agreement_id}, login="member"))["cobuildingAgreement"]
    assert seen["dimensions"] == ["ACTIVITIES", "SERVICES"]  # type: ignore[index]
    assert [s["side"] for s in seen["versions"][0]["signatures"]] == ["ENTERPRISE", "LOCAL"]  # type: ignore[index]
    comparison = {c["dimensionCode"]: c for c in seen["evaluationComparison"]}  # type: ignore[index]
    assert comparison["SERVICES"]["differs"] is True and comparison["ACTIVITIES"]["differs"] is False

    # The SOE's staff see their agreements in both districts in one query.
    across = _ok(await gql(ACROSS, login="soe-admin"))["viewer"]["cobuildingAcrossTenants"]  # type: ignore[index]
    tenants = {entry["tenant"] for entry in across}
    assert tenants == {"demo", "other"}
    assert agreement_id in {entry["agreement"]["id"] for entry in across}
    # The street's admin has a role in `demo` only: nothing of `other`.
    street_view = _ok(await gql(ACROSS, login="street-admin"))["viewer"]["cobuildingAcrossTenants"]  # type: ignore[index]
    assert {entry["tenant"] for entry in street_view} == {"demo"}
