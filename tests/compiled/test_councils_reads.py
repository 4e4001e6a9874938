"""Compiled reads of joint councils answer exactly as the interpreter, for every login, a
partner and two tenants: councils, council, meeting and agendaItems.

A partner is a login holding the partner role (its requests compile, and the partners' rules
are bound per request), a login holding it beside the member role (it reads agenda items, of
the councils a partner sees only), and a partner's API key (whose requests the gateway never
compiles: they pass the partners' admission in the interpreter; checked here too)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from starlette.applications import Starlette

from services.core.settings import Settings
from services.councils.demo import STREET_COUNCIL, seed_councils
from services.directory.operations import create_api_key
from tests.conftest import Tokens
from tests.support.differential import LOGINS, Case, differ, generated_documents, running_app

PARTNER = ("demo", "partner-system")  # a login with the partner role only
# A login with the partner role beside the member role: it reads details (agenda items), of
# the councils and meetings a partner sees only.
PARTNER_MEMBER = ("demo", "partner-member")
ORG = "name kind contactName contactPhone"
MEETING_FIELDS = (
    "id councilId title start end status place venueResourceId venueBookingId conveningOrganizationId"
    " reminderMinutes minutesPublishedAt minutes"
)
ITEM_FIELDS = (
    "id councilId title description category status reason meetingId raisedByOrganizationId createdAt"
)
RESOLUTION_FIELDS = "id text meetingId agendaItemId adoptedAt"

COUNCILS = f"""
query Councils($first: Int, $after: String, $filter: CouncilFilter) {{
  councils(first: $first, after: $after, filter: $filter) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{
      id name kind public hostOrganizationId createdAt
      hostOrganization {{ {ORG} }}
      members {{ organizationId joinedOn leftOn organization {{ name }} }}
      current: members(current: true) {{ organizationId }}
      meetings {{ {MEETING_FIELDS} convener {{ name }} }}
    }} }}
  }}
}}
"""
COUNCIL = f"""
query Council($id: ID!, $current: Boolean!) {{
  council(id: $id) {{
    __typename id name kind public
    members(current: $current) {{ organizationId joinedOn leftOn }}
    meetings {{ ...M }}
  }}
}}
fragment M on Meeting {{
  {MEETING_FIELDS}
  council {{ id name }}
  agenda {{ {ITEM_FIELDS} raisedBy {{ {ORG} }} comments {{ id body authorLogin createdAt organization {{ name }} }}
            resolution {{ id text }} }}
  attendance {{ organizationId status delegate recordedAt organization {{ {ORG} }} }}
  resolutions {{ {RESOLUTION_FIELDS} agendaItem {{ id title status }} }}
}}
"""
MEETING = f"""
query Meeting($id: ID!) {{
  meeting(id: $id) {{
    {MEETING_FIELDS}
    convener {{ {ORG} }}
    council {{ name public hostOrganization {{ name }} }}
    agenda {{ id title status comments {{ body organization {{ id }} }} }}
    attendance {{ organizationId status delegate }}
    resolutions {{ {RESOLUTION_FIELDS} agendaItem {{ title }} }}
  }}
}}
"""
AGENDA_ITEMS = f"""
query Items($first: Int, $after: String, $filter: AgendaItemFilter) {{
  agendaItems(first: $first, after: $after, filter: $filter) {{
    __typename totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{
      {ITEM_FIELDS}
      raisedBy {{ name contactPhone }}
      comments {{ body authorLogin }}
      resolution {{ id agendaItem {{ id }} }}
    }} }}
  }}
}}
"""
# The councils tests' detail document (follow-up and ledger tasks: answered by the interpreter).
MEETING_WITH_FOLLOW_UP = """
query($id: ID!) {
  meeting(id: $id) {
    id status minutes
    agenda { id title status comments { body organization { id } } }
    attendance { organizationId status delegate }
    resolutions { id text tasks { id status overdue } }
    followUp { resolution { id } task { id status dueDate overdue leadOrganization { id } } }
  }
}
"""


async def _in_tenant(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> None:
    await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))


async def _org(conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    found: uuid.UUID = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND name = $2", tenant_id, name
    )
    return found


async def _meeting(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, council: uuid.UUID, convener: uuid.UUID, days: int
) -> uuid.UUID:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=days)
    found: uuid.UUID = await conn.fetchval(
        "INSERT INTO council_meetings (tenant_id, council_id, title, starts_at, ends_at, convening_org_id,"
        " reminder_minutes) VALUES ($1, $2, '差分会议', $3, $4, $5, '{60,1440}') RETURNING id",
        tenant_id,
        council,
        start,
        start + dt.timedelta(hours=2),
        convener,
    )
    return found


async def _item(
    conn: asyncpg.Connection,
    tenant_id: uuid.UUID,
    council: uuid.UUID,
    raised_by: uuid.UUID,
    meeting: uuid.UUID | None,
) -> uuid.UUID:
    found: uuid.UUID = await conn.fetchval(
        "INSERT INTO council_agenda_items (tenant_id, council_id, raised_by_org_id, title, description,"
        " status, meeting_id) VALUES ($1, $2, $3, '差分议题', '内容', $4, $5) RETURNING id",
        tenant_id,
        council,
        raised_by,
        "ACCEPTED" if meeting else "PROPOSED",
        meeting,
    )
    return found


async def _seed_demo(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """A public SOE council with a former member, a cancelled meeting, and a held meeting whose
    resolution is not yet published (partners must see neither the one nor the other)."""
    district = await _org(conn, tenant_id, "区委组织部")
    soe = await _org(conn, tenant_id, "城市建设投资集团有限公司党委")
    community = await _org(conn, tenant_id, "花园社区党委")
    async with conn.transaction():
        await _in_tenant(conn, tenant_id)
        council: uuid.UUID = await conn.fetchval(
            "INSERT INTO councils (tenant_id, name, kind, host_org_id, public)"
            " VALUES ($1, '差分国企联席会议', 'SOE_JOINT_MEETING', $2, true) RETURNING id",
            tenant_id,
            district,
        )
        await conn.execute(
            "INSERT INTO council_members (tenant_id, council_id, organization_id, joined_on, left_on)"
            " VALUES ($1, $2, $3, current_date - 60, NULL), ($1, $2, $4, current_date - 60, current_date - 30)",
            tenant_id,
            council,
            soe,
            community,
        )
        cancelled = await _meeting(conn, tenant_id, council, district, 5)
        await conn.execute(
            "UPDATE council_meetings SET status = 'CANCELLED', cancel_reason = '改期' WHERE id = $1",
            cancelled,
        )
        held = await _meeting(conn, tenant_id, council, soe, -2)
        item = await _item(conn, tenant_id, council, soe, held)
        await conn.execute(
            "INSERT INTO council_attendance (tenant_id, meeting_id, organization_id, status)"
            " VALUES ($1, $2, $3, 'PRESENT')",
            tenant_id,
            held,
            soe,
        )
        await conn.execute(
            "INSERT INTO council_resolutions (tenant_id, meeting_id, agenda_item_id, text, task_count)"
            " VALUES ($1, $2, $3, '差分决议', 0)",
            tenant_id,
            held,
            item,
        )
        await conn.execute("UPDATE council_agenda_items SET status = 'RESOLVED' WHERE id = $1", item)
        await conn.execute("UPDATE council_meetings SET status = 'HELD' WHERE id = $1", held)
        await _item(conn, tenant_id, council, soe, None)
    return {"demo-soe-council": council, "demo-cancelled": cancelled, "demo-draft": held}


async def _seed_other(conn: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The other district's own public council, with a meeting and a commented item."""
    host = await conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND parent_id IS NULL ORDER BY id LIMIT 1",
        tenant_id,
    )
    async with conn.transaction():
        await _in_tenant(conn, tenant_id)
        council: uuid.UUID = await conn.fetchval(
            "INSERT INTO councils (tenant_id, name, kind, host_org_id, public)"
            " VALUES ($1, '另一区联席会议', 'REGIONAL_PARTY_COMMITTEE', $2, true) RETURNING id",
            tenant_id,
            host,
        )
        meeting = await _meeting(conn, tenant_id, council, host, 3)
        item = await _item(conn, tenant_id, council, host, meeting)
        await conn.execute(
            "INSERT INTO council_agenda_comments (tenant_id, agenda_item_id, organization_id, body)"
            " VALUES ($1, $2, $3, '同意')",
            tenant_id,
            item,
            host,
        )
    return {"other-council": council, "other-meeting": meeting, "other-item": item}


async def _partner_login(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, login: str, member_of: uuid.UUID | None = None
) -> None:
    """``login`` with the partner role, and the member role at ``member_of`` when given."""
    account_id = await conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2, '合作系统')"
        " ON CONFLICT (home_tenant_id, login) DO UPDATE SET login = EXCLUDED.login RETURNING id",
        tenant_id,
        login,
    )
    await conn.execute(
        "INSERT INTO role_assignments (tenant_id, account_id, role) VALUES ($1, $2, 'partner')"
        " ON CONFLICT DO NOTHING",
        tenant_id,
        account_id,
    )
    if member_of is not None:
        await conn.execute(
            "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id)"
            " VALUES ($1, $2, 'member', $3) ON CONFLICT DO NOTHING",
            tenant_id,
            account_id,
            member_of,
        )


@pytest.fixture(scope="module")
async def seeded(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, str]:
    """Ids of both tenants' councils, meetings and items, the ends of the lists included."""
    await seed_councils(admin_conn)
    await _partner_login(admin_conn, demo["demo"], PARTNER[1])
    community = await _org(admin_conn, demo["demo"], "花园社区党委")
    await _partner_login(admin_conn, demo["demo"], PARTNER_MEMBER[1], member_of=community)
    found = {**await _seed_demo(admin_conn, demo["demo"]), **await _seed_other(admin_conn, demo["other"])}
    tenant = demo["demo"]
    found["demo-street-council"] = await admin_conn.fetchval(
        "SELECT id FROM councils WHERE tenant_id = $1 AND name = $2", tenant, STREET_COUNCIL
    )
    found["demo-private-council"] = await admin_conn.fetchval(
        "SELECT id FROM councils WHERE tenant_id = $1 AND NOT public ORDER BY id LIMIT 1", tenant
    )
    async with admin_conn.transaction():
        # An item of the private council: hidden from both partner logins alike.
        await _in_tenant(admin_conn, tenant)
        await _item(
            admin_conn,
            tenant,
            uuid.UUID(str(found["demo-private-council"])),
            await _org(admin_conn, tenant, "城市建设投资集团有限公司党委"),
            None,
        )
    found["demo-published"] = await admin_conn.fetchval(
        "SELECT id FROM council_meetings WHERE tenant_id = $1 AND status = 'MINUTES_PUBLISHED' ORDER BY id LIMIT 1",
        tenant,
    )
    for end, order in (("first", "ASC"), ("last", "DESC")):
        found[f"demo-{end}-council"] = await admin_conn.fetchval(
            f"SELECT id FROM councils WHERE tenant_id = $1 ORDER BY id {order} LIMIT 1", tenant
        )
        found[f"demo-{end}-item"] = await admin_conn.fetchval(
            f"SELECT id FROM council_agenda_items WHERE tenant_id = $1 ORDER BY id {order} LIMIT 1", tenant
        )
    found["demo-soe"] = await _org(admin_conn, tenant, "城市建设投资集团有限公司党委")
    return {name: str(value) for name, value in found.items()}


@pytest.fixture(scope="module")
async def app(settings: Settings, seeded: dict[str, str]) -> AsyncIterator[Starlette]:
    async for application in running_app(settings):
        yield application


@pytest.fixture(scope="module")
async def partner_key(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> str:
    key = await create_api_key(admin_conn, tenant_slug="demo", name=f"差分-{uuid.uuid4().hex[:6]}")
    # The corpus is over a hundred requests in a few seconds: beyond the default rate limits.
    await admin_conn.execute(
        "INSERT INTO partner_key_limits (api_key_id, tenant_id, requests_per_minute, burst, cost_per_minute)"
        " VALUES ($1, $2, 1000000, 1000000, 1000000000)",
        key.id,
        demo["demo"],
    )
    return key.plaintext


def _cursor(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def corpus(ids: dict[str, str]) -> list[Case]:
    """List and detail documents, with nulls, empty pages, the ends of lists, personal fields,
    another tenant's ids and invalid variables."""
    council = {"current": False}
    return [
        Case(COUNCILS, {}),
        Case(COUNCILS, {"first": 1}),
        Case(COUNCILS, {"first": 2, "after": _cursor("council", ids["demo-first-council"])}),
        Case(COUNCILS, {"after": _cursor("council", ids["demo-last-council"])}),  # the end: empty
        Case(COUNCILS, {"filter": {"kind": "SOE_JOINT_MEETING"}}),
        Case(COUNCILS, {"filter": {"memberOrganizationId": ids["demo-soe"], "search": "联席"}}),
        Case(COUNCILS, {"filter": {"hostOrganizationId": ids["demo-soe"]}}),  # empty page
        Case(COUNCILS, {"filter": {"search": "50%_\\"}}),  # LIKE's specials are text
        Case(COUNCILS, {"first": 0}),  # invalid: first
        Case(COUNCILS, {"first": 101}),
        Case(COUNCILS, {"after": "bm90IGEgY3Vyc29y"}),  # not a cursor
        Case(COUNCILS, {"after": _cursor("agenda_item", ids["demo-first-item"])}),  # another list's
        Case(COUNCILS, {"filter": {"search": "x" * 101}}),
        Case(COUNCILS, {"filter": {"hostOrganizationId": "not-an-id"}}),
        Case(COUNCILS, {"filter": {"kind": "NO_SUCH_KIND"}}),
        Case(COUNCILS, {"filter": {"search": "a\u0000b"}}),
        Case(COUNCIL, {"id": ids["demo-street-council"], **council}),
        Case(COUNCIL, {"id": ids["demo-soe-council"], "current": True}),
        Case(COUNCIL, {"id": ids["demo-private-council"], **council}),  # NOT_FOUND for partners
        Case(COUNCIL, {"id": ids["other-council"], **council}),  # another tenant's for one side
        Case(COUNCIL, {"id": str(uuid.uuid4()), **council}),
        Case(COUNCIL, {"id": "nope", **council}),
        Case(COUNCIL, {"id": ids["demo-street-council"], "current": "yes"}),  # does not coerce
        Case(MEETING, {"id": ids["demo-published"]}),
        Case(MEETING, {"id": ids["demo-draft"]}),  # resolutions: none for partners yet
        Case(MEETING, {"id": ids["demo-cancelled"]}),  # NOT_FOUND for partners
        Case(MEETING, {"id": ids["other-meeting"]}),
        Case(MEETING, {"id": "0"}),
        Case(AGENDA_ITEMS, {}),
        Case(AGENDA_ITEMS, {"first": 2, "filter": {"status": "ACCEPTED"}}),
        Case(AGENDA_ITEMS, {"filter": {"councilId": ids["demo-soe-council"]}}),
        Case(AGENDA_ITEMS, {"filter": {"raisedByOrganizationId": ids["demo-soe"], "status": "RESOLVED"}}),
        Case(AGENDA_ITEMS, {"filter": {"councilId": ids["other-council"]}}),
        # None for a partner that reads details: the council is not public.
        Case(AGENDA_ITEMS, {"filter": {"councilId": ids["demo-private-council"]}}),
        Case(AGENDA_ITEMS, {"after": _cursor("agenda_item", ids["demo-last-item"])}),  # the end
        Case(AGENDA_ITEMS, {"first": 1, "after": _cursor("agenda_item", ids["demo-first-item"])}),
        Case(AGENDA_ITEMS, {"after": _cursor("council", ids["demo-first-council"])}),
        Case(AGENDA_ITEMS, {"filter": {"councilId": "x"}}),
        Case(AGENDA_ITEMS, {"first": -1}),
        Case("query { councils { totalCount } agendaItems(first: 1) { totalCount } }", {}),
        Case("query { councils(first: 1) { pageInfo { endCursor hasNextPage } } }", {}),
        Case(MEETING_WITH_FOLLOW_UP, {"id": ids["demo-published"]}, compiles=False),
        Case(
            "query($id: ID!) { council(id: $id) { id openTasks { task { id } } } }",
            {"id": ids["demo-street-council"]},
            compiles=False,
        ),
        Case("query { agendaItems { edges { node { id solved } } } }", {}, compiles=False),
    ]


async def test_the_councils_corpus_answers_alike_on_both_paths(
    app: Starlette, tokens: Tokens, seeded: dict[str, str]
) -> None:
    logins = [*LOGINS, PARTNER, PARTNER_MEMBER]
    # Every error-free answer of a compiled document was compiled (checked in differ).
    assert await differ(app, tokens, corpus(seeded), logins) > 10 * len(logins)


async def test_a_partner_key_reads_alike_and_always_through_the_interpreter(
    app: Starlette, tokens: Tokens, partner_key: str, seeded: dict[str, str]
) -> None:
    cases = [Case(case.query, case.variables, compiles=False) for case in corpus(seeded)]
    assert await differ(app, tokens, cases, logins=[], api_keys=[partner_key]) == 0


async def test_generated_council_documents_answer_alike_on_both_paths(app: Starlette, tokens: Tokens) -> None:
    cases = [
        Case(document, {}, compiles=False)
        for document in generated_documents(["councils", "council", "meeting", "agendaItems"])
    ]
    assert await differ(app, tokens, cases, [*LOGINS, PARTNER, PARTNER_MEMBER]) > 0
