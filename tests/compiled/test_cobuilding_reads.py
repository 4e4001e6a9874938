"""Compiled reads of co-building (地企共建) answer exactly as the interpreter: agreements, one
agreement with its versions, commitments, projects, milestones, contributions and evaluations,
and projects, for every login, a partner (signed in, and by its API key) and two tenants.

The demo's draft is between the SOE and a community below the street committee, so the
street's org_admin sees it only through the subtree walk of the shared visibility SQL.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
from starlette.applications import Starlette

from services.cobuilding.demo import seed_cobuilding
from services.core.settings import Settings
from services.directory.operations import create_api_key
from tests.conftest import Tokens
from tests.support.differential import LOGINS, Case, differ, generated_documents, running_app

AGREEMENT_FIELDS = (
    "id title status version latestVersion signedVersion startDate endDate"
    " enterpriseOrganizationId localOrganizationId terminationReason dimensions"
)
PROJECT_FIELDS = "id agreementId dimensionCode title leadOrganizationId participantOrganizationIds startDate endDate status"
MILESTONE_FIELDS = "id projectId title dueDate responsibleOrganizationId ledgerItemId completedAt"
CONTRIBUTION_FIELDS = "id projectId organizationId side kind unit resourceId note reason date recordedBy"

AGREEMENTS = f"""
query Agreements($first: Int, $after: String, $filter: CobuildingAgreementFilter) {{
  cobuildingAgreements(first: $first, after: $after, filter: $filter) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {AGREEMENT_FIELDS} }} }}
  }}
}}
"""
AGREEMENT = f"""
query Agreement($id: ID!) {{
  cobuildingAgreement(id: $id) {{
    __typename {AGREEMENT_FIELDS}
    commitments {{ ...C }}
    versions {{
      version title startDate endDate signedAt
      commitments {{ ...C }}
      signatures {{ side organizationId login signedAt }}
    }}
    projects {{
      {PROJECT_FIELDS}
      milestones {{ {MILESTONE_FIELDS} }}
      contributions {{ {CONTRIBUTION_FIELDS} }}
    }}
    evaluations {{
      id agreementId period side organizationId submittedBy submittedAt
      scores {{ dimensionCode score comment }}
    }}
  }}
}}
fragment C on CobuildingCommitment {{ dimensionCode dimensionName enterpriseCommitment localCommitment }}
"""
PROJECTS = f"""
query Projects($first: Int, $after: String, $filter: CobuildingProjectFilter) {{
  cobuildingProjects(first: $first, after: $after, filter: $filter) {{
    __typename totalCount
    pageInfo {{ __typename hasNextPage endCursor }}
    edges {{ __typename cursor node {{ {PROJECT_FIELDS} milestones {{ id dueDate completedAt }} }} }}
  }}
}}
"""
# The documents of tests/cobuilding that select only mapped fields.
SCOPE_READ = "query($id: ID!) { cobuildingAgreement(id: $id) { id title status dimensions } }"
REVISIONS_READ = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    status title version latestVersion signedVersion dimensions
    versions { version title signedAt commitments { dimensionCode } signatures { side login } }
  }
}
"""
HISTORY = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    dimensions
    commitments { dimensionCode dimensionName }
    versions { commitments { dimensionCode } }
    projects { title dimensionCode }
  }
}
"""
MATRIX_PROJECTS = (
    "query($id: ID!) { cobuildingProjects(filter: {agreementId: $id}) { edges { node { id } } } }"
)
# Documents the interpreter keeps: targets, today's overdue flag, a comparison made in Python.
STORY_DETAIL = """
query($id: ID!) {
  cobuildingAgreement(id: $id) {
    id status title dimensions
    versions { version signedAt signatures { side login signedAt } }
    projects { id milestones { id completedAt } contributions { amount kind } }
    evaluationComparison { dimensionCode enterpriseScore localScore differs }
  }
}
"""
BUDGETS = "{ cobuildingProjects { edges { node { id budget } } } }"
AMOUNTS = "query($id: ID!) { cobuildingAgreement(id: $id) { projects { budget contributions { amount kind unit } } } }"
OVERDUE = "query($id: ID!) { cobuildingAgreement(id: $id) { projects { milestones { id overdue } } } }"
TARGETS = "query($id: ID!) { cobuildingAgreement(id: $id) { commitments { targets { name value } } } }"


@pytest.fixture(scope="module")
async def app(
    settings: Settings, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> AsyncIterator[Starlette]:
    await seed_cobuilding(admin_conn)
    async for application in running_app(settings):
        yield application


@pytest.fixture(scope="module")
async def ids(app: Starlette, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, str]:
    """Per tenant: a signed agreement with projects where there is one, a draft, a project,
    the newest and oldest agreement (the two ends of the list) and an organisation."""
    found: dict[str, str] = {}

    async def one(key: str, sql: str, tenant: uuid.UUID) -> None:
        value = await admin_conn.fetchval(sql, tenant)
        assert value is not None, key
        found[key] = str(value)

    for slug in ("demo", "other"):
        tenant = demo[slug]
        await one(
            f"{slug}-signed",
            "SELECT a.id FROM cobuilding_agreements a LEFT JOIN cobuilding_projects p ON p.agreement_id = a.id"
            " WHERE a.tenant_id = $1 AND a.signed_version IS NOT NULL ORDER BY (p.id IS NULL), a.id LIMIT 1",
            tenant,
        )
        await one(
            f"{slug}-newest",
            "SELECT id FROM cobuilding_agreements WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1",
            tenant,
        )
        await one(
            f"{slug}-oldest",
            "SELECT id FROM cobuilding_agreements WHERE tenant_id = $1 ORDER BY id LIMIT 1",
            tenant,
        )
        await one(
            f"{slug}-soe",
            "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = 'SOE' ORDER BY name LIMIT 1",
            tenant,
        )
    await one(
        "demo-draft",
        "SELECT id FROM cobuilding_agreements WHERE tenant_id = $1 AND signed_version IS NULL ORDER BY id LIMIT 1",
        demo["demo"],
    )
    await one(
        "demo-project",
        "SELECT id FROM cobuilding_projects WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1",
        demo["demo"],
    )
    # A copy of a signed agreement's project with a budget stored without decimals, as rows
    # written by SQL may have (asyncpg reads it as Decimal('1E+6')).
    await admin_conn.execute(
        "INSERT INTO cobuilding_projects SELECT (jsonb_populate_record(p, jsonb_build_object("
        "'id', uuidv7(), 'budget', 1000000, 'title', p.title || ' (整数预算)'))).*"
        " FROM cobuilding_projects p WHERE p.agreement_id = $1 ORDER BY p.id LIMIT 1",
        uuid.UUID(found["demo-signed"]),
    )
    return found


@dataclass(frozen=True)
class Partner:
    """A partner system of tenant ``demo``: its API key and its account's login."""

    key: str
    login: str

    @property
    def logins(self) -> list[tuple[str, str]]:
        # Signed in as a login, the partner role's reads compile (a partner key's never do:
        # its admission runs in the interpreter), so the partner rule is checked on both paths.
        return [*LOGINS, ("demo", self.login)]


@pytest.fixture(scope="module")
async def partner(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> Partner:
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"共建-{uuid.uuid4().hex[:6]}")
    login = await admin_conn.fetchval(
        "SELECT a.login FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = $1", key.id
    )
    return Partner(key=key.plaintext, login=str(login))


def _cursor(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def corpus(ids: dict[str, str]) -> list[Case]:
    """List and detail documents with filters, nulls (unsigned versions, no termination), empty
    pages and nested lists, both ends of the lists, drafts, another tenant's ids and invalid
    variables."""
    agreement_cursor = _cursor("cobuilding_agreement", ids["demo-newest"])
    return [
        Case(AGREEMENTS, {}),
        Case(AGREEMENTS, {"first": 1}),
        Case(AGREEMENTS, {"first": 1, "after": agreement_cursor}),  # after the newest: the rest
        Case(AGREEMENTS, {"after": _cursor("cobuilding_agreement", ids["demo-oldest"])}),  # the end: empty
        Case(AGREEMENTS, {"filter": {"status": "DRAFT"}}),
        Case(AGREEMENTS, {"filter": {"status": "ACTIVE", "enterpriseOrganizationId": ids["demo-soe"]}}),
        Case(AGREEMENTS, {"filter": {"dimensionCode": " talent "}}),
        Case(AGREEMENTS, {"filter": {"search": "共建"}}),
        Case(AGREEMENTS, {"filter": {"search": "100%_\\"}}),  # LIKE characters: an empty page
        Case(AGREEMENTS, {"filter": {"search": "   "}}),
        Case(AGREEMENTS, {"filter": {"localOrganizationId": ids["other-soe"]}}),  # another tenant's
        Case(AGREEMENTS, {"first": 0}),  # invalid variables from here on
        Case(AGREEMENTS, {"first": 101}),
        Case(AGREEMENTS, {"after": "bm90IGEgY3Vyc29y"}),
        Case(AGREEMENTS, {"after": _cursor("cobuilding_project", ids["demo-project"])}),  # another list's
        Case(AGREEMENTS, {"filter": {"enterpriseOrganizationId": "not-an-id"}}),
        Case(AGREEMENTS, {"filter": {"status": "SIGNED_MAYBE"}}),
        Case(AGREEMENTS, {"filter": {"search": "a\u0000b"}}),
        Case(AGREEMENT, {"id": ids["demo-signed"]}),
        Case(AGREEMENT, {"id": ids["demo-draft"]}),  # NOT_FOUND for those who are no party
        Case(AGREEMENT, {"id": ids["other-signed"]}),  # another tenant's for one of them
        Case(AGREEMENT, {"id": str(uuid.uuid4())}),
        Case(AGREEMENT, {"id": "nope"}),
        # The plan is made on a signed agreement, then asked for the draft: non-parties (the
        # partner, the other tenant) must get NOT_FOUND from the compiled path's SQL too.
        Case(SCOPE_READ, {"id": ids["demo-signed"]}),
        Case(SCOPE_READ, {"id": ids["demo-draft"]}),
        Case(REVISIONS_READ, {"id": ids["demo-signed"]}),
        Case(HISTORY, {"id": ids["demo-signed"]}),
        Case(HISTORY, {"id": ids["other-signed"]}),
        Case(PROJECTS, {}),
        Case(PROJECTS, {"first": 2}),
        Case(PROJECTS, {"first": 2, "after": _cursor("cobuilding_project", ids["demo-project"])}),
        Case(PROJECTS, {"filter": {"status": "RUNNING", "dimensionCode": "venues"}}),
        Case(PROJECTS, {"filter": {"organizationId": ids["demo-soe"]}}),
        Case(PROJECTS, {"filter": {"agreementId": ids["other-signed"]}}),
        Case(PROJECTS, {"filter": {"agreementId": "bad"}}),
        Case(PROJECTS, {"first": -1}),
        Case(MATRIX_PROJECTS, {"id": ids["demo-signed"]}),
        Case("query { cobuildingAgreements { totalCount } cobuildingProjects(first: 1) { totalCount } }", {}),
        Case("query { cobuildingProjects(first: 1) { pageInfo { endCursor } } }", {}),
        Case(STORY_DETAIL, {"id": ids["demo-signed"]}, compiles=False),
        Case(BUDGETS, {}),
        Case(AMOUNTS, {"id": ids["demo-signed"]}),
        Case(OVERDUE, {"id": ids["demo-signed"]}, compiles=False),
        Case(TARGETS, {"id": ids["demo-signed"]}, compiles=False),
    ]


async def test_the_cobuilding_corpus_answers_alike_on_both_paths(
    app: Starlette, tokens: Tokens, ids: dict[str, str], partner: Partner
) -> None:
    compiled = await differ(app, tokens, corpus(ids), partner.logins)
    # Each login's error-free answers of compiled documents were compiled (checked in differ).
    assert compiled > 15 * len(partner.logins)


async def test_a_partner_key_is_answered_alike_by_the_interpreter(
    app: Starlette, tokens: Tokens, ids: dict[str, str], partner: Partner
) -> None:
    # A few documents, within the key's burst: signed agreements only, no detail, no projects.
    cases = [
        Case(AGREEMENTS, {}, compiles=False),
        Case(AGREEMENTS, {"filter": {"status": "DRAFT"}}, compiles=False),
        Case(SCOPE_READ, {"id": ids["demo-signed"]}, compiles=False),
        Case(SCOPE_READ, {"id": ids["demo-draft"]}, compiles=False),
        Case(AGREEMENT, {"id": ids["demo-signed"]}, compiles=False),
        Case(PROJECTS, {}, compiles=False),
    ]
    assert await differ(app, tokens, cases, logins=[], api_keys=[partner.key]) == 0


async def test_generated_cobuilding_documents_answer_alike_on_both_paths(
    app: Starlette, tokens: Tokens, partner: Partner
) -> None:
    cases = [
        Case(document, {}, compiles=False)
        for document in generated_documents(
            ["cobuildingAgreements", "cobuildingAgreement", "cobuildingProjects"]
        )
    ]
    # Derandomized: the same documents every run, some of them compiled.
    assert await differ(app, tokens, cases, partner.logins) > 0
