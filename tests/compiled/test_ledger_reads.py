"""Compiled reads of the ledger (三单制 台账) answer exactly as the interpreter: ledgerItems,
ledgerItem and responsibilityLetters, for every login of both tenants, an org_admin one level
below the street, and a partner (who may read none of them)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any, cast

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.events.changes import SystemActor
from services.ledger.demo import seed_ledger
from services.ledger.intake import SourcedTask, open_sourced_tasks
from tests.conftest import Tokens
from tests.ledger.conftest import ITEM, ITEMS, local_today
from tests.support.differential import LOGINS, Case, differ, generated_documents, running_app

GARDEN_ADMIN = "garden-admin"  # as tests/ledger: an org_admin of 花园社区, below the street
PARTNER = "ledger-partner"
ROLES = [*LOGINS, ("demo", GARDEN_ADMIN), ("demo", PARTNER)]

ITEM_FIELDS = (
    "id list organizationId assigningOrganizationId year title description source { kind id key }"
    " responsibleOrganizationId responsiblePerson holderRole dueDate status percent evidence"
    " evidenceLinks overdue submittedAt signedOffAt createdAt updatedAt"
)
STEP_FIELDS = "action status note percent dueDate at by"
LETTER_FIELDS = (
    "id organizationId issuerOrganizationId year issuedAt acknowledgedAt itemIds issuedBy acknowledgedBy"
)

LEDGER_ITEMS = f"""
query Ledger($first: Int, $after: String, $filter: LedgerItemFilter) {{
  ledgerItems(first: $first, after: $after, filter: $filter) {{
    __typename totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{
      {ITEM_FIELDS}
      organization {{ id name contactPhone }}
      responsibleOrganization {{ name parent {{ name }} }}
    }} }}
  }}
}}
"""
# With its nested lists, within the cost limit only for a small literal page.
LEDGER_ITEMS_DEEP = f"""
query LedgerDeep($filter: LedgerItemFilter) {{
  ledgerItems(first: 10, filter: $filter) {{
    totalCount edges {{ node {{
      id title overdue
      answers {{ id title overdue source {{ kind }} }}
      history {{ {STEP_FIELDS} }}
    }} }}
  }}
}}
"""
LEDGER_ITEM = f"""
query Item($id: ID!) {{ ledgerItem(id: $id) {{ __typename ...I history {{ ...S }} answers {{ ...I }} }} }}
fragment I on LedgerItem {{ {ITEM_FIELDS} organization {{ name contactName }} }}
fragment S on LedgerStep {{ {STEP_FIELDS} }}
"""
LETTERS = f"""
query Letters($first: Int, $after: String, $filter: ResponsibilityLetterFilter) {{
  responsibilityLetters(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {LETTER_FIELDS} }} }}
  }}
}}
"""
TWO_ROOTS = """
{ items: ledgerItems(first: 3, filter: {list: TASK}) { totalCount edges { node { title dueDate } } }
  letters: responsibilityLetters(filter: {acknowledged: false}) { edges { node { year itemIds } } } }
"""
FIGURES = "query($year: Int!) { ledgerFigures(year: $year) { year organizations { total } } }"

CREATE = """
mutation($input: CreateLedgerItemInput!) { createLedgerItem(input: $input) { ledgerItem { id } } }
"""
PROGRESS = """
mutation($input: ReportProgressInput!) { reportProgress(input: $input) { ledgerItem { id } } }
"""
CHANGE_DUE = """
mutation($input: ChangeDueDateInput!) { changeDueDate(input: $input) { ledgerItem { id } } }
"""
SUBMIT = """
mutation($input: SubmitForSignOffInput!) { submitForSignOff(input: $input) { ledgerItem { id } } }
"""
ISSUE = """
mutation($input: IssueResponsibilityLetterInput!) { issueResponsibilityLetter(input: $input) { letter { id } } }
"""
ACKNOWLEDGE = """
mutation($input: AcknowledgeResponsibilityLetterInput!) {
  acknowledgeResponsibilityLetter(input: $input) { letter { id } }
}
"""


async def _org(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    found = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    assert found is not None, name
    return uuid.UUID(str(found))


async def _account(
    admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, login: str, role: str, org: uuid.UUID | None
) -> None:
    account_id = await admin_conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2, $3)"
        " ON CONFLICT (home_tenant_id, login) DO UPDATE SET login = EXCLUDED.login RETURNING id",
        tenant_id,
        login,
        f"{login} (台账测试)",
    )
    await admin_conn.execute(
        "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id)"
        " SELECT $1, $2, $3, $4 WHERE NOT EXISTS"
        " (SELECT 1 FROM role_assignments WHERE account_id = $2 AND role = $3)",
        tenant_id,
        account_id,
        role,
        org,
    )


class _Writer:
    """Mutations through the app, as the ledger's users write (one tenant's login)."""

    def __init__(self, client: httpx.AsyncClient, tokens: Tokens, tenant: str) -> None:
        self.client, self.tokens, self.tenant = client, tokens, tenant

    async def __call__(self, document: str, given: dict[str, Any], login: str = "alliance-admin") -> str:
        token = await self.tokens(login, self.tenant)
        response = await self.client.post(
            "/graphql",
            json={"query": document, "variables": {"input": given}},
            headers={"authorization": f"Bearer {token}"},
        )
        body = response.json()
        assert body.get("errors") is None, body
        payload = next(iter(body["data"].values()))
        return str(next(iter(payload.values()))["id"])


async def _open_council_task(
    pool: asyncpg.Pool, tenant_id: uuid.UUID, street: uuid.UUID, garden: uuid.UUID, today: dt.date
) -> None:
    """A task with a source (a council's resolution), through the ledger's declared interface."""
    async with pool.acquire() as proxy, proxy.transaction():
        connection = cast(asyncpg.Connection, proxy)
        await set_scope(connection, tenant_id=tenant_id)
        await open_sourced_tasks(
            connection,
            actor=SystemActor(tenant_id=tenant_id, login="council-test"),
            source="COUNCIL_RESOLUTION",
            source_id=uuid.uuid4(),
            assigning_organization_id=street,
            tasks=[
                SourcedTask(key="1", title="议定事项", responsible_organization_id=garden, due_date=today)
            ],
        )


async def _seed(
    app: Starlette,
    tokens: Tokens,
    admin_conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    tenants: dict[str, uuid.UUID],
) -> None:
    """Both tenants' ledgers: items of every list with answers, history, evidence links, a
    sourced task, letters signed and waiting; one item outside the street's reach."""
    await seed_ledger(admin_conn)  # a no-op when other tests put items on the ledger first
    today = local_today()
    # A year of its own for the letters (one per organisation and year; tests/ledger uses later ones).
    letter_year = 2001 + uuid.uuid4().int % 20
    demo = tenants["demo"]
    street = await _org(admin_conn, demo, "东城街道党工委")
    garden = await _org(admin_conn, demo, "花园社区党委")
    riverside = await _org(admin_conn, demo, "滨河社区党支部")
    soe = await _org(admin_conn, demo, "城市建设投资集团有限公司党委")
    await _account(admin_conn, demo, GARDEN_ADMIN, "org_admin", garden)
    await _account(admin_conn, demo, PARTNER, "partner", None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        write = _Writer(client, tokens, "demo")
        problem = await write(
            CREATE,
            {
                "list": "PROBLEM",
                "organizationId": str(garden),
                "year": today.year,
                "title": "活动阵地不足",
                "dueDate": str(today + dt.timedelta(days=30)),
                "source": "REVIEW",
                "description": "见述职评议",
            },
        )
        task = await write(
            CREATE,
            {
                "list": "TASK",
                "organizationId": str(garden),
                "year": today.year,
                "title": "共建党员活动室",
                "dueDate": str(today - dt.timedelta(days=5)),
                "responsiblePerson": "李书记",
                "answersProblemIds": [problem],
            },
        )
        await write(PROGRESS, {"id": task, "note": "已召开协调会", "percent": 50})
        await write(
            SUBMIT,
            {
                "id": task,
                "evidence": "会议纪要",
                "evidenceLinks": ["https://example.org/a", 'https://example.org/b?x="1"'],
            },
        )
        moved = await write(
            CREATE,
            {
                "list": "TASK",
                "organizationId": str(riverside),
                "year": today.year,
                "title": "党员冬训",
                "dueDate": str(today + dt.timedelta(days=3)),
            },
        )
        await write(
            CHANGE_DUE, {"id": moved, "dueDate": str(today + dt.timedelta(days=40)), "reason": "延期"}
        )
        await write(
            CREATE,
            {
                "list": "TASK",
                "organizationId": str(soe),
                "year": today.year,
                "title": "国企结对共建",
                "dueDate": str(today + dt.timedelta(days=10)),
            },
        )
        signed_item, waiting_item = [
            await write(
                CREATE,
                {
                    "list": "RESPONSIBILITY",
                    "organizationId": str(org),
                    "year": letter_year,
                    "title": "落实第一责任人职责",
                    "dueDate": f"{letter_year}-12-31",
                    "holderRole": "社区书记",
                },
            )
            for org in (garden, riverside)
        ]
        signed = await write(
            ISSUE,
            {"organizationId": str(garden), "year": letter_year, "itemIds": [signed_item]},
            "street-admin",
        )
        await write(ACKNOWLEDGE, {"id": signed}, GARDEN_ADMIN)
        await write(
            ISSUE,
            {"organizationId": str(riverside), "year": letter_year, "itemIds": [waiting_item]},
            "street-admin",
        )
        await _open_council_task(pool, demo, street, garden, today)

        other = tenants["other"]
        write = _Writer(client, tokens, "other")
        other_soe = await _org(admin_conn, other, "城市建设投资集团有限公司党委")
        other_garden = await _org(admin_conn, other, "花园社区党委")
        await write(
            CREATE,
            {
                "list": "TASK",
                "organizationId": str(other_soe),
                "year": today.year,
                "title": "滨江共建项目",
                "dueDate": str(today + dt.timedelta(days=7)),
            },
        )
        responsibility = await write(
            CREATE,
            {
                "list": "RESPONSIBILITY",
                "organizationId": str(other_garden),
                "year": letter_year,
                "title": "意识形态责任制",
                "dueDate": f"{letter_year}-06-30",
            },
        )
        await write(
            ISSUE, {"organizationId": str(other_garden), "year": letter_year, "itemIds": [responsibility]}
        )


@pytest.fixture(scope="module")
async def app(
    settings: Settings,
    admin_conn: asyncpg.Connection,
    pool: asyncpg.Pool,
    tokens: Tokens,
    demo: dict[str, uuid.UUID],
) -> AsyncIterator[Starlette]:
    async for application in running_app(settings):
        await _seed(application, tokens, admin_conn, pool, demo)
        yield application


async def _first(admin_conn: asyncpg.Connection, sql: str, *args: Any) -> str:
    found = await admin_conn.fetchval(sql, *args)
    assert found is not None, sql
    return str(found)


@pytest.fixture(scope="module")
async def ids(app: Starlette, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, str]:
    found: dict[str, str] = {}
    for slug in ("demo", "other"):
        tenant = demo[slug]
        found[f"{slug}-item"] = await _first(
            admin_conn, "SELECT id FROM ledger_items WHERE tenant_id = $1 ORDER BY id LIMIT 1", tenant
        )
        found[f"{slug}-last-item"] = await _first(
            admin_conn, "SELECT id FROM ledger_items WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1", tenant
        )
        found[f"{slug}-org"] = await _first(
            admin_conn, "SELECT id FROM organizations WHERE tenant_id = $1 AND name = '花园社区党委'", tenant
        )
        found[f"{slug}-last-letter"] = await _first(
            admin_conn,
            "SELECT id FROM responsibility_letters WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1",
            tenant,
        )
    demo_id = demo["demo"]
    found["task"] = await _first(
        admin_conn,
        "SELECT a.task_id FROM ledger_item_answers a WHERE a.tenant_id = $1 ORDER BY a.task_id DESC LIMIT 1",
        demo_id,
    )
    found["soe-item"] = await _first(
        admin_conn,
        "SELECT i.id FROM ledger_items i JOIN organizations o ON o.id = i.organization_id"
        " WHERE i.tenant_id = $1 AND o.kind = 'SOE' ORDER BY i.id LIMIT 1",
        demo_id,
    )
    found["street"] = await _first(
        admin_conn, "SELECT id FROM organizations WHERE tenant_id = $1 AND name = '东城街道党工委'", demo_id
    )
    found["resource-cursor-key"] = str(uuid.uuid4())
    return found


def _cursor(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def corpus(ids: dict[str, str]) -> list[Case]:
    """The ledger tests' and README's documents and the views' documents, with nulls, empty
    pages, both ends of the lists, logins as quiet fields, another tenant's ids and invalid
    variables."""
    year = local_today().year
    garden, other_garden = ids["demo-org"], ids["other-org"]
    return [
        Case(ITEMS, {}),
        Case(ITEMS, {"filter": {"overdue": True}, "first": 5}),
        Case(ITEM, {"id": ids["task"]}),
        Case(LEDGER_ITEMS, {}),
        Case(LEDGER_ITEMS, {"first": 2}),
        Case(LEDGER_ITEMS, {"first": 100, "filter": {"list": "TASK", "year": year}}),
        Case(LEDGER_ITEMS, {"filter": {"status": "SUBMITTED", "overdue": True}}),
        Case(LEDGER_ITEMS, {"filter": {"overdue": False, "list": "RESPONSIBILITY"}}),
        Case(LEDGER_ITEMS, {"filter": {"source": "COUNCIL_RESOLUTION"}}),
        Case(LEDGER_ITEMS, {"filter": {"search": "党员"}}),
        Case(LEDGER_ITEMS, {"filter": {"search": "no such text anywhere"}}),  # an empty page
        Case(LEDGER_ITEMS, {"filter": {"organizationId": garden}}),
        Case(LEDGER_ITEMS, {"filter": {"organizationId": ids["street"], "includeDescendants": True}}),
        Case(LEDGER_ITEMS, {"filter": {"organizationId": ids["street"]}}),
        Case(LEDGER_ITEMS, {"filter": {"organizationId": other_garden}}),  # NOT_FOUND in demo
        Case(LEDGER_ITEMS, {"filter": {"organizationId": str(uuid.uuid4())}}),  # NOT_FOUND
        Case(LEDGER_ITEMS, {"filter": {"organizationId": ""}}),  # no filter, as the resolver
        Case(LEDGER_ITEMS, {"filter": {"responsibleOrganizationId": garden}}),
        Case(LEDGER_ITEMS_DEEP, {}),
        Case(LEDGER_ITEMS_DEEP, {"filter": {"list": "TASK", "organizationId": garden}}),
        Case(LEDGER_ITEMS_DEEP, {"filter": {"organizationId": other_garden}}),  # NOT_FOUND in demo
        Case(LEDGER_ITEMS, {"after": _cursor("ledger_item", ids["demo-last-item"])}),  # the end
        Case(LEDGER_ITEMS, {"first": 1, "after": _cursor("ledger_item", ids["demo-item"])}),
        Case(LEDGER_ITEMS, {"first": 0}),  # invalid: first
        Case(LEDGER_ITEMS, {"first": 101}),
        Case(LEDGER_ITEMS, {"after": "bm90IGEgY3Vyc29y"}),  # not a cursor
        Case(LEDGER_ITEMS, {"after": _cursor("resource", ids["resource-cursor-key"])}),  # another list's
        Case(LEDGER_ITEMS, {"filter": {"organizationId": "not-an-id"}}),
        Case(LEDGER_ITEMS, {"filter": {"year": 1999}}),
        Case(LEDGER_ITEMS, {"filter": {"search": "x" * 101}}),
        Case(LEDGER_ITEMS, {"filter": {"search": "a\u0000b"}}),
        Case(LEDGER_ITEMS, {"filter": {"status": "LOST"}}),  # does not coerce
        Case(LEDGER_ITEM, {"id": ids["task"]}),
        Case(LEDGER_ITEM, {"id": ids["demo-item"]}),
        Case(LEDGER_ITEM, {"id": ids["soe-item"]}),  # FORBIDDEN outside the street's and member's reach
        Case(LEDGER_ITEM, {"id": ids["other-item"]}),  # another tenant's: NOT_FOUND for one of them
        Case(LEDGER_ITEM, {"id": str(uuid.uuid4())}),
        Case(LEDGER_ITEM, {"id": "nope"}),
        Case(LETTERS, {}),
        Case(LETTERS, {"filter": {"acknowledged": False}}),
        Case(LETTERS, {"filter": {"acknowledged": True, "organizationId": garden}}),
        Case(LETTERS, {"filter": {"issuerOrganizationId": ids["street"], "year": year + 60}}),  # empty
        Case(LETTERS, {"filter": {"organizationId": other_garden}}),
        Case(LETTERS, {"first": 1}),
        Case(LETTERS, {"after": _cursor("responsibility_letter", ids["demo-last-letter"])}),  # the end
        Case(LETTERS, {"first": 0}),
        Case(LETTERS, {"filter": {"year": 2101}}),
        Case(LETTERS, {"filter": {"issuerOrganizationId": "bad"}}),
        Case(LETTERS, {"after": _cursor("ledger_item", ids["demo-item"])}),  # another list's cursor
        Case(TWO_ROOTS, {}),
        Case("query { ledgerItems { totalCount } }", {}),
        Case("query { responsibilityLetters(first: 1) { pageInfo { endCursor hasNextPage } } }", {}),
        Case(FIGURES, {"year": year}, compiles=False),  # computed in Python
        Case("query { ledgerItems { edges { node { id title title } } } }", {}, compiles=False),
    ]


async def test_the_ledger_corpus_answers_alike_on_both_paths(
    app: Starlette, tokens: Tokens, ids: dict[str, str]
) -> None:
    # Every error-free answer of a compiled document was compiled (checked in differ).
    assert await differ(app, tokens, corpus(ids), ROLES) > 20 * len(ROLES)
    # The views' documents are answered without errors (within every limit), so compiled.
    views = [
        Case(LEDGER_ITEMS, {}),
        Case(LEDGER_ITEMS_DEEP, {}),
        Case(LEDGER_ITEM, {"id": ids["task"]}),
        Case(LETTERS, {}),
    ]
    assert await differ(app, tokens, views, [("demo", "alliance-admin"), ("demo", "street-admin")]) == 8


async def test_generated_ledger_documents_answer_alike_on_both_paths(app: Starlette, tokens: Tokens) -> None:
    cases = [
        Case(document, {}, compiles=False)
        for document in generated_documents(["ledgerItems", "ledgerItem", "responsibilityLetters"])
    ]
    assert await differ(app, tokens, cases, ROLES) > 0
