"""milestone(id), contribution(id), cobuildingEvaluation(id) and cobuildingDimension(id) answer
one object exactly as its project, agreement or the catalogue shows it, to the same readers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.directory.operations import create_api_key
from tests.cobuilding.conftest import PROJECT, signed_agreement
from tests.conftest import GraphQLClient, error_code

MILESTONE_FIELDS = "id projectId title dueDate responsibleOrganizationId ledgerItemId completedAt overdue"
CONTRIBUTION_FIELDS = (
    "id projectId organizationId side kind amount unit resourceId note reason date recordedBy"
)
EVALUATION_FIELDS = (
    "id agreementId period side organizationId submittedBy submittedAt scores { dimensionCode score comment }"
)
DIMENSION_FIELDS = "id code name description position active"

# One agreement's projects and evaluations, as its readers see them.
PROJECTS = f"""
query($agreement: ID!) {{ cobuildingProjects(first: 20, filter: {{agreementId: $agreement}}) {{ edges {{ node {{
  milestones {{ {MILESTONE_FIELDS} }} contributions {{ {CONTRIBUTION_FIELDS} }} }} }} }} }}
"""
EVALUATIONS = (
    f"query($id: ID!) {{ cobuildingAgreement(id: $id) {{ evaluations {{ {EVALUATION_FIELDS} }} }} }}"
)
DIMENSIONS = f"{{ cobuildingDimensions {{ {DIMENSION_FIELDS} }} }}"

# Each root field with its fields, and the table its ids come from.
ROOTS = {
    "milestone": (MILESTONE_FIELDS, "cobuilding_milestones"),
    "contribution": (CONTRIBUTION_FIELDS, "cobuilding_contributions"),
    "cobuildingEvaluation": (EVALUATION_FIELDS, "cobuilding_evaluations"),
    "cobuildingDimension": (DIMENSION_FIELDS, "cobuilding_dimensions"),
}
READERS = ("alliance-admin", "street-admin", "soe-admin", "member", "auditor")

ADD_MILESTONE = "mutation($input: AddMilestoneInput!) { addMilestone(input: $input) { milestone { id } } }"
CONTRIBUTE = (
    "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }"
)
EVALUATE = """
mutation($input: SubmitCobuildingEvaluationInput!) { submitCobuildingEvaluation(input: $input) { evaluation { id } } }
"""
AGREEMENT = "query($id: ID!) { cobuildingAgreement(id: $id) { id } }"
PROJECT_BY_ID = "query($id: ID!) { cobuildingProject(id: $id) { id } }"


def _by_id(root: str) -> str:
    return f"query($id: ID!) {{ {root}(id: $id) {{ {ROOTS[root][0]} }} }}"


async def _demo_agreement(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> str:
    """The demo's signed agreement: the one of the tenant's first project."""
    found = await admin_conn.fetchval(
        "SELECT agreement_id FROM cobuilding_projects WHERE tenant_id = $1 ORDER BY id LIMIT 1", tenant_id
    )
    return str(found)


async def _shown(
    gql: GraphQLClient, agreement: str, login: str | None, headers: dict[str, str] | None = None
) -> dict[str, list[dict[str, object]]]:
    """Each root's objects as their parents show them to ``login``: the milestones and
    contributions of ``agreement``'s projects, its evaluations, and the dimension catalogue."""
    projects = await gql(PROJECTS, {"agreement": agreement}, login=login, headers=headers)
    evaluations = await gql(EVALUATIONS, {"id": agreement}, login=login, headers=headers)
    dimensions = await gql(DIMENSIONS, login=login, headers=headers)
    for body in (projects, evaluations, dimensions):
        assert "errors" not in body, (login, body)
    nodes = [edge["node"] for edge in projects["data"]["cobuildingProjects"]["edges"]]  # type: ignore[index]
    return {
        "milestone": [m for node in nodes for m in node["milestones"]],
        "contribution": [c for node in nodes for c in node["contributions"]],
        "cobuildingEvaluation": evaluations["data"]["cobuildingAgreement"]["evaluations"],  # type: ignore[index]
        "cobuildingDimension": dimensions["data"]["cobuildingDimensions"],  # type: ignore[index]
    }


async def test_each_by_id_is_the_one_its_parent_shows(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    agreement = await _demo_agreement(admin_conn, demo["demo"])
    for login in READERS:
        shown = await _shown(gql, agreement, login)
        for root, objects in shown.items():
            assert objects, (login, root)
            for expected in objects:
                body = await gql(_by_id(root), {"id": expected["id"]}, login=login)
                assert body == {"data": {root: expected}}, (login, root)


async def test_a_retired_dimension_is_read_as_the_catalogue_lists_it(
    gql: GraphQLClient, cob: dict[str, str]
) -> None:
    code = f"R{uuid.uuid4().hex[:8].upper()}"
    define = "mutation($input: DefineCobuildingDimensionInput!) { defineCobuildingDimension(input: $input) { dimension { id } } }"
    retire = "mutation($input: RetireCobuildingDimensionInput!) { retireCobuildingDimension(input: $input) { dimension { id active } } }"
    defined = await gql(define, {"input": {"code": code, "name": "临时维度"}}, login="alliance-admin")
    dimension = defined["data"]["defineCobuildingDimension"]["dimension"]["id"]  # type: ignore[index]
    retired = await gql(retire, {"input": {"code": code}}, login="alliance-admin")
    assert retired["data"]["retireCobuildingDimension"]["dimension"]["active"] is False  # type: ignore[index]
    for login in ("member", "soe-admin"):
        catalogue = (await gql(DIMENSIONS, login=login))["data"]["cobuildingDimensions"]  # type: ignore[index]
        listed = {d["id"]: d for d in catalogue}
        body = await gql(_by_id("cobuildingDimension"), {"id": dimension}, login=login)
        assert body == {"data": {"cobuildingDimension": listed[dimension]}}, login


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    for root, (_, table) in ROOTS.items():
        found = await admin_conn.fetchval(
            f"SELECT id FROM {table} WHERE tenant_id = $1 LIMIT 1", demo["demo"]
        )
        assert "errors" not in await gql(_by_id(root), {"id": str(found)}, login="alliance-admin")
        for given, tenant, code in (
            (str(found), "other", "NOT_FOUND"),
            (str(uuid.uuid4()), "demo", "NOT_FOUND"),
            ("x1", "demo", "BAD_USER_INPUT"),
        ):
            body = await gql(_by_id(root), {"id": given}, login="alliance-admin", tenant=tenant)
            assert body["data"] is None and error_code(body) == code, (root, given)
            assert body["errors"][0]["extensions"]["field"] == "id", root  # type: ignore[index]


async def test_a_partner_key_as_the_parents_answer_it(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    """Milestones, contributions and evaluations are details (read_detail), which partner keys do
    not hold: FORBIDDEN, as in their parents. The dimension catalogue is read by partners."""
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"共建-{uuid.uuid4().hex[:6]}")
    headers = {"x-api-key": created.plaintext}
    agreement = await _demo_agreement(admin_conn, demo["demo"])
    assert error_code(await gql(PROJECTS, {"agreement": agreement}, headers=headers)) == "FORBIDDEN"
    assert error_code(await gql(EVALUATIONS, {"id": agreement}, headers=headers)) == "FORBIDDEN"
    for root, (_, table) in ROOTS.items():
        found = await admin_conn.fetchval(
            f"SELECT id FROM {table} WHERE tenant_id = $1 LIMIT 1", demo["demo"]
        )
        body = await gql(_by_id(root), {"id": str(found)}, headers=headers)
        if root == "cobuildingDimension":
            listed = (await gql(DIMENSIONS, headers=headers))["data"]["cobuildingDimensions"]  # type: ignore[index]
            assert body == {"data": {root: next(d for d in listed if d["id"] == str(found))}}
        else:
            assert body["data"] is None and error_code(body) == "FORBIDDEN", root


@pytest.fixture
async def unsigned(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]
) -> AsyncIterator[dict[str, str]]:
    """A project with a milestone and a contribution, and an evaluation, under an agreement of
    the SOE and the street committee put back to draft by hand: no write of the API unsigns an
    agreement, yet the rule that hides a draft's parts is the agreement's. Signed again after."""
    agreement = await signed_agreement(gql, cob)
    year = dt.date.today().year
    project = await gql(
        PROJECT,
        {
            "input": {
                "agreementId": agreement,
                "dimensionCode": "ACTIVITIES",
                "title": "草案下的项目",
                "leadOrganizationId": cob["demo:SOE"],
                "startDate": f"{year}-02-01",
                "endDate": f"{year}-11-30",
            }
        },
        login="soe-admin",
    )
    project_id = project["data"]["createCobuildingProject"]["project"]["id"]  # type: ignore[index]
    milestone = await gql(
        ADD_MILESTONE,
        {
            "input": {
                "projectId": project_id,
                "title": "草案下的节点",
                "dueDate": f"{year}-10-01",
                "responsibleOrganizationId": cob["demo:SOE"],
            }
        },
        login="soe-admin",
    )
    contribution = await gql(
        CONTRIBUTE,
        {
            "input": {
                "projectId": project_id,
                "organizationId": cob["demo:SOE"],
                "kind": "VOLUNTEER_HOURS",
                "amount": "8",
                "date": f"{year}-02-02",
            }
        },
        login="soe-admin",
    )
    evaluation = await gql(
        EVALUATE,
        {"input": {"agreementId": agreement, "scores": [{"dimensionCode": "ACTIVITIES", "score": 4}]}},
        login="soe-admin",
    )
    signed_version = await admin_conn.fetchval(
        "SELECT signed_version FROM cobuilding_agreements WHERE id = $1", uuid.UUID(agreement)
    )
    await admin_conn.execute(
        "UPDATE cobuilding_agreements SET status = 'DRAFT', signed_version = NULL WHERE id = $1",
        uuid.UUID(agreement),
    )
    try:
        yield {
            "agreement": agreement,
            "project": project_id,
            "milestone": milestone["data"]["addMilestone"]["milestone"]["id"],  # type: ignore[index]
            "contribution": contribution["data"]["recordContribution"]["contribution"]["id"],  # type: ignore[index]
            "cobuildingEvaluation": evaluation["data"]["submitCobuildingEvaluation"]["evaluation"]["id"],  # type: ignore[index]
        }
    finally:
        await admin_conn.execute(
            "UPDATE cobuilding_agreements SET status = 'SIGNED', signed_version = $2 WHERE id = $1",
            uuid.UUID(agreement),
            signed_version,
        )


async def test_the_parts_of_a_draft_only_to_those_who_see_the_draft(
    gql: GraphQLClient, unsigned: dict[str, str]
) -> None:
    # The member's organisation (a community) is no party of the SOE–street draft.
    assert error_code(await gql(AGREEMENT, {"id": unsigned["agreement"]}, login="member")) == "NOT_FOUND"
    assert error_code(await gql(PROJECT_BY_ID, {"id": unsigned["project"]}, login="member")) == "NOT_FOUND"
    listed = await gql(PROJECTS, {"agreement": unsigned["agreement"]}, login="member")
    assert listed["data"]["cobuildingProjects"]["edges"] == []  # type: ignore[index]
    for root in ("milestone", "contribution", "cobuildingEvaluation"):
        body = await gql(_by_id(root), {"id": unsigned[root]}, login="member")
        assert body["data"] is None and error_code(body) == "NOT_FOUND", root
        assert body["errors"][0]["extensions"]["field"] == "id", root  # type: ignore[index]
    # Its parties (and the alliance admin) see the draft, and its parts as the draft shows them.
    for login in ("street-admin", "soe-admin", "alliance-admin"):
        assert "errors" not in await gql(AGREEMENT, {"id": unsigned["agreement"]}, login=login)
        shown = await _shown(gql, unsigned["agreement"], login)
        for root in ("milestone", "contribution", "cobuildingEvaluation"):
            expected = next(o for o in shown[root] if o["id"] == unsigned[root])
            assert await gql(_by_id(root), {"id": unsigned[root]}, login=login) == {"data": {root: expected}}
