"""Role × operation (角色 × 操作): every role against every co-building mutation and the detail
queries. Allowed cells check the effect in the database; refused cells check the code and that
nothing was written. Another tenant's ids answer NOT_FOUND."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import pytest

from services.directory.operations import create_api_key
from tests.cobuilding.conftest import DRAFT, PROJECT, SIGN, draft_input, signed_agreement
from tests.conftest import GraphQLClient, error_code
from tests.support.writes import WritesNothing

ROLES = ("alliance-admin", "soe-admin", "street-admin", "hospital-admin", "member", "auditor", "partner")
PARTY_ADMINS = {"alliance-admin", "soe-admin", "street-admin"}

DEFINE = "mutation($input: DefineCobuildingDimensionInput!) { defineCobuildingDimension(input: $input) { dimension { code } } }"
RETIRE = "mutation($input: RetireCobuildingDimensionInput!) { retireCobuildingDimension(input: $input) { dimension { code } } }"
REVISE = "mutation($input: ReviseCobuildingAgreementInput!) { reviseCobuildingAgreement(input: $input) { agreement { id } } }"
TERMINATE = "mutation($input: TerminateCobuildingAgreementInput!) { terminateCobuildingAgreement(input: $input) { agreement { id } } }"
STATUS = "mutation($input: SetCobuildingProjectStatusInput!) { setCobuildingProjectStatus(input: $input) { project { id } } }"
MILESTONE = "mutation($input: AddMilestoneInput!) { addMilestone(input: $input) { milestone { id } } }"
CONTRIBUTE = (
    "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }"
)
EVALUATE = "mutation($input: SubmitCobuildingEvaluationInput!) { submitCobuildingEvaluation(input: $input) { evaluation { id } } }"
DETAIL = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    id versions { version } commitments { dimensionCode }
    projects { id contributions { amount } } evaluations { id }
  }
}
"""
PROJECTS = "query($id: ID!) { cobuildingProjects(filter: {agreementId: $id}) { edges { node { id } } } }"

HOSPITAL = "hospital-admin"
"""The org_admin of a non-party organisation (区人民医院党委), granted by the tests."""


@dataclass
class World:
    gql: GraphQLClient
    conn: asyncpg.Connection
    cob: dict[str, str]
    partner_key: str

    async def call(self, role: str, document: str, variables: dict[str, object]) -> dict[str, object]:
        if role == "partner":
            return await self.gql(document, variables, headers={"x-api-key": self.partner_key})
        return await self.gql(document, variables, login=role)

    async def draft(self) -> str:
        body = await self.gql(DRAFT, {"input": draft_input(self.cob)}, login="soe-admin")
        return str(body["data"]["draftCobuildingAgreement"]["agreement"]["id"])  # type: ignore[index]

    async def project(self) -> tuple[str, str]:
        agreement_id = await signed_agreement(self.gql, self.cob)
        year = dt.date.today().year
        body = await self.gql(
            PROJECT,
            {
                "input": {
                    "agreementId": agreement_id,
                    "dimensionCode": "ACTIVITIES",
                    "title": "矩阵项目",
                    "leadOrganizationId": self.cob["demo:SOE"],
                    "startDate": f"{year}-01-15",
                    "endDate": f"{year}-12-15",
                }
            },
            login="soe-admin",
        )
        return agreement_id, str(body["data"]["createCobuildingProject"]["project"]["id"])  # type: ignore[index]


@pytest.fixture
async def world(gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str]) -> World:
    granted = await gql(
        "mutation($input: GrantRoleInput!) { grantRole(input: $input) { grant { id } } }",
        {"input": {"login": HOSPITAL, "role": "ORG_ADMIN", "organizationId": cob["demo:STATIONED_UNIT"]}},
        login="alliance-admin",
    )
    # Granted by an earlier test already is as good.
    assert error_code(granted) in {None, "CONFLICT"}, granted
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"矩阵-{uuid.uuid4().hex[:6]}")
    return World(gql=gql, conn=admin_conn, cob=cob, partner_key=key.plaintext)


Effect = Callable[[], Awaitable[bool]]


@dataclass
class Cell:
    document: str
    given: dict[str, object]
    effect: Effect
    refused: str = "FORBIDDEN"  # what the non-party org_admin gets; other non-admins get FORBIDDEN


def _side(role: str) -> dict[str, object]:
    """The alliance admin administers both parties and names its side; a party's admin need not."""
    return {"side": "LOCAL"} if role == "alliance-admin" else {}


async def _cell(world: World, operation: str, role: str) -> Cell:
    conn, cob = world.conn, world.cob
    if operation == "define":
        code = f"M_{uuid.uuid4().hex[:8].upper()}"
        return Cell(
            DEFINE,
            {"code": code, "name": "矩阵维度"},
            lambda: conn.fetchval(
                "SELECT retired_at IS NULL FROM cobuilding_dimensions WHERE code = $1", code
            ),
        )
    if operation == "retire":
        code = f"M_{uuid.uuid4().hex[:8].upper()}"
        await world.gql(DEFINE, {"input": {"code": code, "name": "待停用"}}, login="alliance-admin")
        return Cell(
            RETIRE,
            {"code": code},
            lambda: conn.fetchval(
                "SELECT retired_at IS NOT NULL FROM cobuilding_dimensions WHERE code = $1", code
            ),
        )
    if operation == "draft":
        title = f"矩阵协议-{uuid.uuid4().hex[:6]}"
        return Cell(
            DRAFT,
            draft_input(cob, title=title),
            lambda: conn.fetchval(
                "SELECT count(*) = 1 FROM cobuilding_agreements a JOIN cobuilding_agreement_versions v"
                " ON v.agreement_id = a.id WHERE v.title = $1 AND a.status = 'DRAFT'",
                title,
            ),
        )
    if operation == "sign":
        draft_id = uuid.UUID(await world.draft())
        side = "ENTERPRISE" if role == "soe-admin" else "LOCAL"
        return Cell(
            SIGN,
            {"id": str(draft_id), **_side(role)},
            lambda: conn.fetchval(
                "SELECT count(*) = 1 FROM cobuilding_signatures WHERE agreement_id = $1 AND side = $2",
                draft_id,
                side,
            ),
            refused="NOT_FOUND",  # a non-party does not see drafts
        )
    if operation in ("revise", "terminate", "project", "evaluate"):
        agreement_id = uuid.UUID(await signed_agreement(world.gql, cob))
        if operation == "revise":
            return Cell(
                REVISE,
                {"id": str(agreement_id), "title": "矩阵修订"},
                lambda: conn.fetchval(
                    "SELECT latest_version = 2 AND signed_version = 1 FROM cobuilding_agreements WHERE id = $1",
                    agreement_id,
                ),
            )
        if operation == "terminate":
            return Cell(
                TERMINATE,
                {"id": str(agreement_id), "reason": "矩阵终止"},
                lambda: conn.fetchval(
                    "SELECT status = 'TERMINATED' FROM cobuilding_agreements WHERE id = $1", agreement_id
                ),
            )
        if operation == "project":
            year = dt.date.today().year
            return Cell(
                PROJECT,
                {
                    "agreementId": str(agreement_id),
                    "dimensionCode": "ACTIVITIES",
                    "title": "矩阵新项目",
                    "leadOrganizationId": cob["demo:STREET_COMMITTEE"],
                    "startDate": f"{year}-03-01",
                    "endDate": f"{year}-04-01",
                },
                lambda: conn.fetchval(
                    "SELECT count(*) = 1 FROM cobuilding_projects WHERE agreement_id = $1", agreement_id
                ),
            )
        side = "ENTERPRISE" if role == "soe-admin" else "LOCAL"
        return Cell(
            EVALUATE,
            {
                "agreementId": str(agreement_id),
                "scores": [{"dimensionCode": "ACTIVITIES", "score": 4}],
                **_side(role),
            },
            lambda: conn.fetchval(
                "SELECT count(*) = 1 FROM cobuilding_evaluations WHERE agreement_id = $1 AND side = $2",
                agreement_id,
                side,
            ),
        )
    _, project = await world.project()
    project_id = uuid.UUID(project)
    if operation == "status":
        return Cell(
            STATUS,
            {"id": project, "status": "RUNNING"},
            lambda: conn.fetchval(
                "SELECT status = 'RUNNING' FROM cobuilding_projects WHERE id = $1", project_id
            ),
        )
    if operation == "milestone":
        return Cell(
            MILESTONE,
            {
                "projectId": project,
                "title": "矩阵节点",
                "dueDate": f"{dt.date.today().year}-06-30",
                "responsibleOrganizationId": cob["demo:STREET_COMMITTEE"],
            },
            lambda: conn.fetchval(
                "SELECT count(*) = 1 FROM cobuilding_milestones WHERE project_id = $1", project_id
            ),
        )
    assert operation == "contribute"
    organization = cob["demo:STREET_COMMITTEE"] if role == "street-admin" else cob["demo:SOE"]
    return Cell(
        CONTRIBUTE,
        {
            "projectId": project,
            "organizationId": organization,
            "kind": "VOLUNTEER_HOURS",
            "amount": "12",
            "date": dt.date.today().isoformat(),
        },
        lambda: conn.fetchval(
            "SELECT count(*) = 1 FROM cobuilding_contributions WHERE project_id = $1 AND organization_id = $2",
            project_id,
            uuid.UUID(organization),
        ),
    )


CONFIGURE = ("define", "retire")
RUN = ("draft", "sign", "revise", "terminate", "project", "status", "milestone", "contribute", "evaluate")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", CONFIGURE + RUN)
async def test_role_by_operation(
    world: World, writes_nothing: WritesNothing, operation: str, role: str
) -> None:
    cell = await _cell(world, operation, role)
    allowed = role == "alliance-admin" if operation in CONFIGURE else role in PARTY_ADMINS
    if allowed:
        body = await world.call(role, cell.document, {"input": cell.given})
        assert "errors" not in body, body
        assert await cell.effect() is True
        return
    expected = cell.refused if role == HOSPITAL else "FORBIDDEN"
    async with writes_nothing():
        body = await world.call(role, cell.document, {"input": cell.given})
        assert error_code(body) == expected, body
    assert not await cell.effect()


@pytest.mark.parametrize("role", ROLES)
async def test_role_by_detail_query(world: World, role: str) -> None:
    signed, _ = await world.project()
    draft = await world.draft()
    for agreement_id, readers in (
        # Signed agreements: every role with read_detail; partners never read the detail.
        (signed, {"alliance-admin", "soe-admin", "street-admin", HOSPITAL, "member", "auditor"}),
        # Drafts: their parties, the alliance admin and the auditor; nobody else sees them at all.
        (draft, {"alliance-admin", "soe-admin", "street-admin", "auditor"}),
    ):
        body = await world.call(role, DETAIL, {"id": agreement_id})
        projects = await world.call(role, PROJECTS, {"id": agreement_id})
        if role in readers:
            assert "errors" not in body, body
            assert body["data"]["cobuildingAgreement"]["id"] == agreement_id  # type: ignore[index]
            assert body["data"]["cobuildingAgreement"]["versions"] == [{"version": 1}]  # type: ignore[index]
            edges = projects["data"]["cobuildingProjects"]["edges"]  # type: ignore[index]
            assert len(edges) == (1 if agreement_id == signed else 0)
        elif role == "partner":
            assert error_code(body) == ("FORBIDDEN" if agreement_id == signed else "NOT_FOUND"), body
            assert error_code(projects) == "FORBIDDEN", projects
        else:
            assert error_code(body) == "NOT_FOUND", body
            assert projects["data"]["cobuildingProjects"]["edges"] == []  # type: ignore[index]


async def _other_tenant_project(world: World) -> tuple[str, str]:
    """A signed agreement and a project in tenant `other`, made there through HTTP."""
    gql, cob = world.gql, world.cob
    given = draft_input(
        cob, enterpriseOrganizationId=cob["other:SOE"], localOrganizationId=cob["other:STREET_COMMITTEE"]
    )
    body = await gql(DRAFT, {"input": given}, login="alliance-admin", tenant="other")
    agreement_id = str(body["data"]["draftCobuildingAgreement"]["agreement"]["id"])  # type: ignore[index]
    # One account signs one side: the SOE's admin (who holds a role in `other` too) and the alliance admin.
    for login, side in (("soe-admin", {}), ("alliance-admin", {"side": "LOCAL"})):
        signed = await gql(SIGN, {"input": {"id": agreement_id, **side}}, login=login, tenant="other")
        assert "errors" not in signed, signed
    year = dt.date.today().year
    body = await gql(
        PROJECT,
        {
            "input": {
                "agreementId": agreement_id,
                "dimensionCode": "ACTIVITIES",
                "title": "滨江项目",
                "leadOrganizationId": cob["other:SOE"],
                "startDate": f"{year}-01-15",
                "endDate": f"{year}-12-15",
            }
        },
        login="alliance-admin",
        tenant="other",
    )
    return agreement_id, str(body["data"]["createCobuildingProject"]["project"]["id"])  # type: ignore[index]


async def test_another_tenants_ids_answer_not_found(world: World, writes_nothing: WritesNothing) -> None:
    agreement, project = await _other_tenant_project(world)
    today = dt.date.today()
    cases = [
        (REVISE, {"id": agreement, "title": "越界修订"}),
        (SIGN, {"id": agreement, "side": "LOCAL"}),
        (TERMINATE, {"id": agreement, "reason": "越界终止"}),
        (
            PROJECT,
            {
                "agreementId": agreement,
                "dimensionCode": "ACTIVITIES",
                "title": "越界项目",
                "leadOrganizationId": world.cob["demo:SOE"],
                "startDate": f"{today.year}-03-01",
                "endDate": f"{today.year}-04-01",
            },
        ),
        (STATUS, {"id": project, "status": "RUNNING"}),
        (
            MILESTONE,
            {
                "projectId": project,
                "title": "越界节点",
                "dueDate": f"{today.year}-06-30",
                "responsibleOrganizationId": world.cob["demo:SOE"],
            },
        ),
        (
            CONTRIBUTE,
            {
                "projectId": project,
                "organizationId": world.cob["demo:SOE"],
                "kind": "VOLUNTEER_HOURS",
                "amount": "1",
                "date": today.isoformat(),
            },
        ),
        (
            EVALUATE,
            {
                "agreementId": agreement,
                "scores": [{"dimensionCode": "ACTIVITIES", "score": 3}],
                "side": "LOCAL",
            },
        ),
    ]
    # The alliance admin of `demo`, and the SOE admin who holds a role in `other` too but acts in `demo`.
    for role in ("alliance-admin", "soe-admin", "auditor"):
        for document, given in cases:
            async with writes_nothing():
                body = await world.call(role, document, {"input": given})
                expected = "NOT_FOUND" if role in PARTY_ADMINS else "FORBIDDEN"
                assert error_code(body) == expected, (role, document, body)
        for document in (DETAIL, PROJECTS):
            body = await world.call(role, document, {"id": agreement})
            if document == DETAIL:
                assert error_code(body) == "NOT_FOUND", body
            else:
                assert body["data"]["cobuildingProjects"]["edges"] == [], body  # type: ignore[index]


async def test_a_party_admin_records_contributions_of_its_own_side_only(
    world: World, writes_nothing: WritesNothing
) -> None:
    _, project = await world.project()
    given = {
        "projectId": project,
        "kind": "SERVICE",
        "amount": "2",
        "date": dt.date.today().isoformat(),
    }
    # The SOE's admin cannot put the street's name to a contribution, nor the street's admin the SOE's.
    for role, organization in (("soe-admin", "demo:STREET_COMMITTEE"), ("street-admin", "demo:SOE")):
        async with writes_nothing():
            body = await world.call(
                role, CONTRIBUTE, {"input": {**given, "organizationId": world.cob[organization]}}
            )
            assert error_code(body) == "FORBIDDEN", (role, body)
    # The alliance admin records for either side.
    for organization in ("demo:STREET_COMMITTEE", "demo:SOE"):
        body = await world.call(
            "alliance-admin", CONTRIBUTE, {"input": {**given, "organizationId": world.cob[organization]}}
        )
        assert "errors" not in body, body
