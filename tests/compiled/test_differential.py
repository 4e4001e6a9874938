"""Compiled reads answer exactly as the interpreter: the same bytes when it answers without
errors, the same data and errors otherwise (then the compiled path hands the request over).

One in-process app; each case is answered once with the compiled path off (the interpreter),
then twice with it on (the first request teaches the plan cache, the second is compiled).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from starlette.applications import Starlette

from bench.api import DEEP, READ
from services.core.settings import Settings
from services.resources.demo import seed_resources
from tests.conftest import Tokens
from tests.support.differential import LOGINS, Case, differ, generated_documents, running_app

ORG_FIELDS = (
    "id name kind parentId creditCode starRating archivedAt createdAt updatedAt contactName contactPhone"
)
RESOURCE_FIELDS = (
    "id kind title description address capacity quantity tags photoUrls timeZone status visibility"
    " ownerOrgId publishedAt archivedAt createdAt updatedAt"
)
BOOKING_FIELDS = (
    "id status resourceId requesterOrgId start end attendees quantity purpose menuItemId batch reason"
    " decidedAt createdAt updatedAt requestedBy"
)

ORGANIZATIONS = f"""
query Orgs($first: Int, $after: String, $filter: OrganizationFilter) {{
  organizations(first: $first, after: $after, filter: $filter) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {ORG_FIELDS} parent {{ id name }} children {{ id name contactPhone }} }} }}
  }}
}}
"""
ORGANIZATION = (
    f"query Org($id: ID!) {{ organization(id: $id) {{ __typename {ORG_FIELDS} parent {{ name }} }} }}"
)
RESOURCES = f"""
query Resources($first: Int, $after: String, $filter: ResourceFilter, $upcoming: Int!) {{
  resources(first: $first, after: $after, filter: $filter) {{
    __typename
    totalCount
    pageInfo {{ __typename endCursor hasNextPage }}
    edges {{ __typename node {{
      {RESOURCE_FIELDS}
      owner {{ name contactName }}
      soon: upcomingBookings(first: $upcoming) {{ {BOOKING_FIELDS} requester {{ id name contactPhone }} }}
    }} cursor }}
  }}
}}
"""
RESOURCE = f"""
query Resource($id: ID!) {{ resource(id: $id) {{ ...R owner {{ ...O }} }} }}
fragment R on Resource {{ {RESOURCE_FIELDS} }}
fragment O on Organization {{ name kind ... on Organization {{ starRating }} }}
"""
BOOKINGS = f"""
query Bookings($first: Int, $after: String, $filter: BookingFilter) {{
  bookings(first: $first, after: $after, filter: $filter) {{
    totalCount pageInfo {{ hasNextPage endCursor }}
    edges {{ cursor node {{ {BOOKING_FIELDS} requester {{ name contactName }} }} }}
  }}
}}
"""
BOOKING = f"query Booking($id: ID!) {{ booking(id: $id) {{ {BOOKING_FIELDS} requester {{ id }} }} }}"
TWO_ROOTS = """
{ a: resources(first: 2) { edges { node { title } } pageInfo { hasNextPage } }
  b: organizations(first: 3, filter: {includeArchived: true}) { totalCount edges { node { name } } } }
"""


@pytest.fixture(scope="module")
async def app(
    settings: Settings, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> AsyncIterator[Starlette]:
    await seed_resources(admin_conn)
    async for application in running_app(settings):
        yield application


@pytest.fixture(scope="module")
async def ids(admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]) -> dict[str, str]:
    """Ids of each tenant: a resource with upcoming bookings where there is one, an organisation."""
    found: dict[str, str] = {}
    for slug in ("demo", "other"):
        tenant = demo[slug]
        found[f"{slug}-resource"] = str(
            await admin_conn.fetchval(
                "SELECT r.id FROM resources r LEFT JOIN bookings b ON b.resource_id = r.id"
                " AND b.status = 'APPROVED' WHERE r.tenant_id = $1"
                " ORDER BY (b.id IS NULL), r.id LIMIT 1",
                tenant,
            )
        )
        found[f"{slug}-org"] = str(
            await admin_conn.fetchval(
                "SELECT id FROM organizations WHERE tenant_id = $1 AND parent_id IS NOT NULL ORDER BY id LIMIT 1",
                tenant,
            )
        )
        found[f"{slug}-booking"] = str(
            await admin_conn.fetchval(
                "SELECT b.id FROM bookings b WHERE b.tenant_id = $1 ORDER BY b.id LIMIT 1", tenant
            )
        )
        found[f"{slug}-last-resource"] = str(
            await admin_conn.fetchval(
                "SELECT id FROM resources WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1", tenant
            )
        )
    return found


def _cursor(kind: str, key: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode()


def corpus(ids: dict[str, str]) -> list[Case]:
    """The tests' and README's read documents, with nulls, empty pages, the ends of lists,
    personal fields, another tenant's ids and invalid variables."""
    upcoming = {"upcoming": 3}
    return [
        Case(READ, {"first": 50}),
        Case(DEEP, {"first": 50}),
        Case(DEEP, {"first": 1}),
        Case(RESOURCES, {"first": 2, **upcoming}),
        Case(RESOURCES, {"first": 100, "filter": {"status": "ARCHIVED"}, **upcoming}),
        Case(RESOURCES, {"filter": {"kind": "VENUE", "search": "会"}, **upcoming}),
        Case(RESOURCES, {"filter": {"search": "no such text anywhere"}, **upcoming}),  # empty page
        Case(RESOURCES, {"after": _cursor("resource", ids["demo-last-resource"]), **upcoming}),  # the end
        Case(RESOURCES, {"first": 1, "after": _cursor("resource", ids["demo-resource"]), **upcoming}),
        Case(RESOURCES, {"filter": {"ownerOrgId": ids["demo-org"], "minCapacity": 1}, **upcoming}),
        Case(RESOURCES, {"filter": {"tag": "党建"}, "upcoming": 50}),
        Case(RESOURCES, {"first": 0, **upcoming}),  # invalid: first
        Case(RESOURCES, {"first": 101, **upcoming}),
        Case(RESOURCES, {"upcoming": 0}),  # invalid: upcomingBookings(first)
        Case(RESOURCES, {"after": "bm90IGEgY3Vyc29y", **upcoming}),  # not a cursor
        Case(RESOURCES, {"after": _cursor("organization", ids["demo-org"]), **upcoming}),  # another list's
        Case(RESOURCES, {"filter": {"search": "x" * 101}, **upcoming}),
        Case(RESOURCES, {"filter": {"minCapacity": -1}, **upcoming}),
        Case(RESOURCES, {"filter": {"ownerOrgId": "not-an-id"}, **upcoming}),
        Case(RESOURCES, {"filter": {"freeFrom": "2030-01-01T10:00:00+08:00"}, **upcoming}),
        Case(RESOURCES, {"first": "many", **upcoming}),  # does not coerce
        Case(RESOURCES, {"filter": {"search": "a\u0000b"}, **upcoming}),
        Case(RESOURCE, {"id": ids["demo-resource"]}),
        Case(RESOURCE, {"id": ids["other-resource"]}),  # another tenant's: NOT_FOUND for one of them
        Case(RESOURCE, {"id": str(uuid.uuid4())}),
        Case(RESOURCE, {"id": "nope"}),
        Case(ORGANIZATIONS, {}),
        Case(ORGANIZATIONS, {"first": 3, "filter": {"includeArchived": True}}),
        Case(ORGANIZATIONS, {"first": 2, "after": _cursor("organization", ids["demo-org"])}),
        Case(ORGANIZATIONS, {"filter": {"kind": "COMMUNITY", "search": "社区"}}),
        Case(ORGANIZATIONS, {"filter": {"parentId": ids["other-org"]}}),
        Case(ORGANIZATIONS, {"filter": {"search": "nothing matches this"}}),
        Case(ORGANIZATION, {"id": ids["demo-org"]}),
        Case(ORGANIZATION, {"id": ids["other-org"]}),
        Case(BOOKINGS, {}),
        Case(BOOKINGS, {"first": 2, "filter": {"status": "APPROVED"}}),
        Case(BOOKINGS, {"filter": {"resourceId": ids["demo-resource"]}}),
        Case(BOOKINGS, {"filter": {"from": "2020-01-01T00:00:00+00:00", "to": "2040-01-01T00:00:00+00:00"}}),
        Case(BOOKINGS, {"filter": {"from": "2020-01-01T00:00:00+00:00"}}),  # invalid: to missing
        Case(BOOKINGS, {"after": _cursor("booking", ids["demo-booking"])}),  # the oldest: an empty page
        Case(BOOKINGS, {"filter": {"requesterOrgId": ids["other-org"]}}),
        Case(BOOKING, {"id": ids["demo-booking"]}),
        Case(BOOKING, {"id": ids["other-booking"]}),
        Case(TWO_ROOTS, {}),
        Case("query { resources { totalCount } }", {}),
        Case("query { resources(first: 1) { pageInfo { endCursor } } }", {}),
        Case("query { organizations { edges { node { id } } } viewer { login } }", {}, compiles=False),
        Case(
            "query($s: Boolean!) { resources @include(if: $s) { totalCount } }", {"s": True}, compiles=False
        ),
        Case("query { resources { edges { node { id title title } } } }", {}, compiles=False),
    ]


async def test_the_corpus_answers_alike_on_both_paths(
    app: Starlette, tokens: Tokens, ids: dict[str, str]
) -> None:
    # Every error-free answer of a compiled document was compiled (checked in differ); most are.
    assert await differ(app, tokens, corpus(ids)) > 10 * len(LOGINS)


async def test_generated_documents_answer_alike_on_both_paths(app: Starlette, tokens: Tokens) -> None:
    cases = [
        Case(document, {}, compiles=False)
        for document in generated_documents(
            ["resources", "resource", "organizations", "organization"], examples=60
        )
    ]
    # Derandomized: the same documents every run, some of them compiled (most select fields
    # that are not mapped, or fail, and stay with the interpreter).
    assert await differ(app, tokens, cases) > 0
