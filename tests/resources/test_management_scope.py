"""Management rights come from management roles only: every role × organisation relation.

The principal is a fresh account. The relations are taken from the organisation of its
management role (org_admin) where it has one: its own organisation, one below it, the one
above it, a sibling, and an organisation where it holds only a member role. A member role
lets one act for an organisation (ask for a booking), never manage it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import asyncpg
import httpx
import pytest

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.resources.conftest import CREATE, PUBLISH, REQUEST, data, window

RELATIONS = ("own", "descendant", "ancestor", "sibling", "member_only")

# principal kind → (its roles as (role, relation of the role's organisation)), relations it manages
PRINCIPALS: dict[str, tuple[list[tuple[str, str | None]], set[str]]] = {
    "alliance_admin": ([("alliance_admin", None), ("member", "member_only")], set(RELATIONS)),
    "org_admin": ([("org_admin", "own"), ("member", "member_only")], {"own", "descendant"}),
    "member": ([("member", "own")], set()),
    "auditor": ([("auditor", None), ("member", "member_only")], set()),
    "partner": ([], set()),
}

UPDATE_ORG = 'mutation($id: ID!) { updateOrganization(input: {id: $id, contactName: "范围测试"}) { organization { id } } }'
CREATE_BELOW = (
    'mutation($id: ID!) { createOrganization(input: {name: "下级单位", kind: COMMUNITY, parentId: $id})'
    " { organization { id } } }"
)
UPDATE_RESOURCE = (
    'mutation($id: ID!) { updateResource(input: {id: $id, title: "改名场地"}) { resource { id } } }'
)
APPROVE = "mutation($id: ID!) { approveBooking(id: $id) { booking { id status } } }"


async def _tree(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """ancestor → {own → descendant, sibling}; member_only elsewhere below the district."""
    district = await admin_conn.fetchval(
        "SELECT id FROM organizations WHERE tenant_id = $1 AND kind = 'DISTRICT_COMMITTEE'", tenant_id
    )
    tag = uuid.uuid4().hex[:6]

    async def add(name: str, kind: str, parent: uuid.UUID) -> uuid.UUID:
        return uuid.UUID(
            str(
                await admin_conn.fetchval(
                    "INSERT INTO organizations (tenant_id, name, kind, parent_id) VALUES ($1, $2, $3, $4)"
                    " RETURNING id",
                    tenant_id,
                    f"{name}-{tag}",
                    kind,
                    parent,
                )
            )
        )

    ancestor = await add("范围街道", "STREET_COMMITTEE", district)
    own = await add("范围社区", "COMMUNITY", ancestor)
    return {
        "ancestor": ancestor,
        "own": own,
        "descendant": await add("范围网格党支部", "COMMUNITY", own),
        "sibling": await add("范围邻居社区", "COMMUNITY", ancestor),
        "member_only": await add("范围驻区单位", "STATIONED_UNIT", district),
    }


async def _caller_headers(
    kind: str,
    admin_conn: asyncpg.Connection,
    tokens: Tokens,
    tenant_id: uuid.UUID,
    orgs: dict[str, uuid.UUID],
) -> dict[str, str]:
    if kind == "partner":
        key = await create_api_key(admin_conn, tenant_slug="demo", name=f"范围-{uuid.uuid4().hex[:4]}")
        return {"x-api-key": key.plaintext}
    login = f"scope-{kind.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    account_id = await admin_conn.fetchval(
        "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, $2, $3) RETURNING id",
        tenant_id,
        login,
        login,
    )
    for role, relation in PRINCIPALS[kind][0]:
        await admin_conn.execute(
            "INSERT INTO role_assignments (tenant_id, account_id, role, organization_id) VALUES ($1, $2, $3, $4)",
            tenant_id,
            account_id,
            role,
            orgs[relation] if relation else None,
        )
    return {"authorization": f"Bearer {await tokens(login)}"}


async def _booking_on_resource_of(gql: GraphQLClient, owner: uuid.UUID, days: int) -> tuple[str, str]:
    """A published resource of ``owner`` and a pending booking of it (asked by the district)."""
    created = data(
        await gql(
            CREATE,
            {
                "input": {
                    "kind": "VENUE",
                    "title": f"范围场地-{uuid.uuid4().hex[:6]}",
                    "ownerOrgId": str(owner),
                    "capacity": 30,
                }
            },
            login="alliance-admin",
        ),
        "createResource",
        "resource",
    )
    data(await gql(PUBLISH, {"id": created["id"]}, login="alliance-admin"), "publishResource", "resource")
    start, end = window(days, 10)
    booking = data(
        await gql(
            REQUEST,
            {"input": {"resourceId": created["id"], "start": start, "end": end}},
            login="alliance-admin",
        ),
        "requestBooking",
        "booking",
    )
    return str(created["id"]), str(booking["id"])


@pytest.mark.parametrize("kind", list(PRINCIPALS))
async def test_management_rights_by_role_and_relation(
    kind: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    tokens: Tokens,
    admin_conn: asyncpg.Connection,
    demo: dict[str, uuid.UUID],
) -> None:
    tenant_id = demo["demo"]
    orgs = await _tree(admin_conn, tenant_id)
    targets = {
        relation: await _booking_on_resource_of(gql, orgs[relation], days=3 + i)
        for i, relation in enumerate(RELATIONS)
    }
    headers = await _caller_headers(kind, admin_conn, tokens, tenant_id, orgs)
    manages = PRINCIPALS[kind][1]

    operations: dict[str, tuple[str, Callable[[str], str]]] = {
        "updateOrganization": (UPDATE_ORG, lambda relation: str(orgs[relation])),
        "createOrganization": (CREATE_BELOW, lambda relation: str(orgs[relation])),
        "updateResource": (UPDATE_RESOURCE, lambda relation: targets[relation][0]),
        "approveBooking": (APPROVE, lambda relation: targets[relation][1]),
    }
    outcomes: dict[tuple[str, str], str | None] = {}
    for name, (document, target_of) in operations.items():
        for relation in RELATIONS:
            response = await http.post(
                "/graphql",
                json={"query": document, "variables": {"id": target_of(relation)}},
                headers=headers,
            )
            outcomes[(name, relation)] = error_code(response.json())
    expected = {
        (name, relation): None if relation in manages else "FORBIDDEN"
        for name in operations
        for relation in RELATIONS
    }
    assert outcomes == expected
