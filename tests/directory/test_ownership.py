"""Every role × every directory mutation: allowed ones succeed, others are FORBIDDEN and change nothing."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code
from tests.support.organizations import SOE, STREET, new_org, org_id
from tests.support.writes import WritesNothing

ROLES = ["alliance-admin", "street-admin", "soe-admin", "member", "auditor"]


# (mutation name, document builder, logins allowed) — on an organisation below the street committee.
CASES = [
    (
        "createOrganization",
        lambda target: (
            'mutation($p: ID!) { createOrganization(input: {name: "新单位", kind: COMMUNITY, parentId: $p}) { organization { id } } }',
            {"p": target},
        ),
        {"alliance-admin", "street-admin"},
    ),
    (
        "updateOrganization",
        lambda target: (
            'mutation($id: ID!) { updateOrganization(input: {id: $id, name: "改名"}) { organization { id } } }',
            {"id": target},
        ),
        {"alliance-admin", "street-admin"},
    ),
    (
        "archiveOrganization",
        lambda target: (
            "mutation($id: ID!) { archiveOrganization(input: {id: $id}) { organization { id } } }",
            {"id": target},
        ),
        {"alliance-admin", "street-admin"},
    ),
    (
        "grantRole",
        lambda target: (
            'mutation($id: ID) { grantRole(input: {login: "new-person", role: MEMBER, organizationId: $id}) { grant { id } } }',
            {"id": target},
        ),
        {"alliance-admin"},
    ),
    (
        "createApiKey",
        lambda target: ('mutation { createApiKey(input: {name: "矩阵密钥"}) { apiKey { id } secret } }', {}),
        {"alliance-admin"},
    ),
    (
        "revokeRole",
        lambda target: (
            'mutation { revokeRole(input: {login: "revocable", role: AUDITOR}) { grant { id } } }',
            {},
        ),
        {"alliance-admin"},
    ),
]


Effect = Callable[[asyncpg.Connection, uuid.UUID, uuid.UUID, dict[str, Any]], Awaitable[None]]


async def _created(
    conn: asyncpg.Connection, tenant: uuid.UUID, target: uuid.UUID, payload: dict[str, Any]
) -> None:
    row = await conn.fetchrow(
        "SELECT * FROM organizations WHERE id = $1", uuid.UUID(payload["organization"]["id"])
    )
    assert row is not None and (row["tenant_id"], row["name"], row["parent_id"]) == (tenant, "新单位", target)


async def _renamed(
    conn: asyncpg.Connection, tenant: uuid.UUID, target: uuid.UUID, payload: dict[str, Any]
) -> None:
    assert payload["organization"]["id"] == str(target)
    assert await conn.fetchval("SELECT name FROM organizations WHERE id = $1", target) == "改名"


async def _archived(
    conn: asyncpg.Connection, tenant: uuid.UUID, target: uuid.UUID, payload: dict[str, Any]
) -> None:
    assert payload["organization"]["id"] == str(target)
    assert await conn.fetchval("SELECT archived_at FROM organizations WHERE id = $1", target) is not None


async def _granted(
    conn: asyncpg.Connection, tenant: uuid.UUID, target: uuid.UUID, payload: dict[str, Any]
) -> None:
    row = await conn.fetchrow(
        "SELECT r.* FROM role_assignments r JOIN accounts a ON a.id = r.account_id"
        " WHERE r.tenant_id = $1 AND a.login = 'new-person' AND r.role = 'member'",
        tenant,
    )
    assert row is not None and (str(row["id"]), row["organization_id"]) == (payload["grant"]["id"], target)


async def _key_made(
    conn: asyncpg.Connection, tenant: uuid.UUID, target: uuid.UUID, payload: dict[str, Any]
) -> None:
    row = await conn.fetchrow("SELECT * FROM api_keys WHERE id = $1", uuid.UUID(payload["apiKey"]["id"]))
    assert row is not None and (row["tenant_id"], row["name"], row["revoked_at"]) == (
        tenant,
        "矩阵密钥",
        None,
    )
    assert payload["secret"].startswith(f"alk_{row['prefix']}_")


async def _revoked(
    conn: asyncpg.Connection, tenant: uuid.UUID, target: uuid.UUID, payload: dict[str, Any]
) -> None:
    left = await conn.fetchval(
        "SELECT count(*) FROM role_assignments r JOIN accounts a ON a.id = r.account_id"
        " WHERE r.tenant_id = $1 AND a.login = 'revocable' AND r.role = 'auditor'",
        tenant,
    )
    assert left == 0


EFFECTS: dict[str, Effect] = {
    "createOrganization": _created,
    "updateOrganization": _renamed,
    "archiveOrganization": _archived,
    "grantRole": _granted,
    "createApiKey": _key_made,
    "revokeRole": _revoked,
}
"""What an allowed mutation must have done, beyond answering without errors."""


@pytest.mark.parametrize("login", ROLES)
@pytest.mark.parametrize(("mutation", "document", "allowed"), CASES, ids=[c[0] for c in CASES])
async def test_role_matrix(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    writes_nothing: WritesNothing,
    demo: dict[str, uuid.UUID],
    login: str,
    mutation: str,
    document: object,
    allowed: set[str],
) -> None:
    tenant = demo["demo"]
    street = await org_id(admin_conn, tenant, STREET)
    target = await new_org(admin_conn, tenant, parent=street, prefix="矩阵测试")
    if mutation == "revokeRole":
        await admin_conn.execute(
            "INSERT INTO accounts (home_tenant_id, login, display_name) VALUES ($1, 'revocable', 'r') ON CONFLICT DO NOTHING",
            tenant,
        )
        await admin_conn.execute(
            "INSERT INTO role_assignments (tenant_id, account_id, role)"
            " SELECT $1, id, 'auditor' FROM accounts WHERE login = 'revocable' ON CONFLICT DO NOTHING",
            tenant,
        )
    before = await writes_nothing.snapshot()
    query, variables = document(str(target))  # type: ignore[operator]
    body = await gql(query, variables, login=login)
    if login in allowed:
        assert body.get("errors") is None, body
        await EFFECTS[mutation](admin_conn, tenant, target, body["data"][mutation])  # type: ignore[index]
    else:
        assert error_code(body) == "FORBIDDEN", body
        await writes_nothing.assert_unchanged(before)


async def test_soe_admin_cannot_touch_the_street_subtree_but_can_its_own(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    soe = await org_id(admin_conn, demo["demo"], SOE)
    body = await gql(
        'mutation($id: ID!) { updateOrganization(input: {id: $id, contactName: "王书记"}) { organization { id } } }',
        {"id": str(soe)},
        login="soe-admin",
    )
    assert body.get("errors") is None, body
    street = await org_id(admin_conn, demo["demo"], STREET)
    moved = await gql(
        "mutation($id: ID!, $p: ID!) { updateOrganization(input: {id: $id, parentId: $p}) { organization { id } } }",
        {"id": str(soe), "p": str(street)},
        login="soe-admin",
    )
    assert error_code(moved) == "FORBIDDEN"


async def test_partner_keys_change_nothing(
    http: httpx.AsyncClient,
    admin_conn: asyncpg.Connection,
    writes_nothing: WritesNothing,
    demo: dict[str, uuid.UUID],
) -> None:
    key = await create_api_key(admin_conn, tenant_slug="demo", name="只读合作系统")
    street = await org_id(admin_conn, demo["demo"], STREET)
    target = await new_org(admin_conn, demo["demo"], parent=street, prefix="矩阵测试")
    async with writes_nothing():
        for mutation, document, _allowed in CASES:
            query, variables = document(str(target))  # type: ignore[operator]
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"x-api-key": key.plaintext},
            )
            assert error_code(response.json()) == "FORBIDDEN", mutation
