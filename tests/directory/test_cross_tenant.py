"""A token of tenant `other` cannot read or change any `demo` row, by id, list or nested field."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code


async def _demo_org_ids(admin_conn: asyncpg.Connection, tenants: dict[str, uuid.UUID]) -> list[str]:
    rows = await admin_conn.fetch("SELECT id FROM organizations WHERE tenant_id = $1", tenants["demo"])
    return [str(row["id"]) for row in rows]


async def test_list_shows_only_own_tenant(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    body = await gql(
        "{ organizations(first: 100) { edges { node { id } } } }", login="alliance-admin", tenant="other"
    )
    seen = {edge["node"]["id"] for edge in body["data"]["organizations"]["edges"]}  # type: ignore[index]
    assert seen
    assert not seen & set(await _demo_org_ids(admin_conn, demo))


async def test_guessed_id_is_not_found(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    for org_id in await _demo_org_ids(admin_conn, demo):
        body = await gql(
            "query($id: ID!) { organization(id: $id) { id name } }",
            {"id": org_id},
            login="alliance-admin",
            tenant="other",
        )
        assert error_code(body) == "NOT_FOUND"
        assert body["data"] is None


async def test_cannot_change_or_attach_to_demo_rows(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    org_id = (await _demo_org_ids(admin_conn, demo))[0]
    before = await admin_conn.fetchrow("SELECT * FROM organizations WHERE id = $1", uuid.UUID(org_id))
    update = await gql(
        'mutation($id: ID!) { updateOrganization(input: {id: $id, name: "hijacked"}) { organization { id } } }',
        {"id": org_id},
        login="alliance-admin",
        tenant="other",
    )
    assert error_code(update) == "NOT_FOUND"
    archive = await gql(
        "mutation($id: ID!) { archiveOrganization(input: {id: $id}) { organization { id } } }",
        {"id": org_id},
        login="alliance-admin",
        tenant="other",
    )
    assert error_code(archive) == "NOT_FOUND"
    child = await gql(
        'mutation($id: ID!) { createOrganization(input: {name: "child", kind: COMMUNITY, parentId: $id})'
        " { organization { id } } }",
        {"id": org_id},
        login="alliance-admin",
        tenant="other",
    )
    assert error_code(child) == "BAD_USER_INPUT"
    grant = await gql(
        'mutation($id: ID!) { grantRole(input: {login: "member", role: MEMBER, organizationId: $id})'
        " { grant { id } } }",
        {"id": org_id},
        login="alliance-admin",
        tenant="other",
    )
    assert error_code(grant) == "BAD_USER_INPUT"
    after = await admin_conn.fetchrow("SELECT * FROM organizations WHERE id = $1", uuid.UUID(org_id))
    assert before == after


async def test_nested_fields_stay_in_tenant(gql: GraphQLClient, demo: dict[str, uuid.UUID]) -> None:
    body = await gql(
        "{ organizations(first: 100) { edges { node { parent { id } children { id } } } } }",
        login="alliance-admin",
        tenant="other",
    )
    other_ids = {
        edge["node"]["parent"]["id"]
        for edge in body["data"]["organizations"]["edges"]  # type: ignore[index]
        if edge["node"]["parent"]
    }
    listing = await gql(
        "{ organizations(first: 100) { edges { node { id } } } }", login="alliance-admin", tenant="other"
    )
    own = {edge["node"]["id"] for edge in listing["data"]["organizations"]["edges"]}  # type: ignore[index]
    assert other_ids <= own


async def test_audit_log_is_per_tenant(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    await gql(
        'mutation { createOrganization(input: {name: "审计隔离检查", kind: AGENCY}) { organization { id } } }',
        login="alliance-admin",
    )
    body = await gql(
        "{ auditLog(first: 100) { edges { node { entityId } } } }", login="alliance-admin", tenant="other"
    )
    entity_ids = {edge["node"]["entityId"] for edge in body["data"]["auditLog"]["edges"]}  # type: ignore[index]
    demo_entities = {
        row["entity_id"]
        for row in await admin_conn.fetch(
            "SELECT entity_id FROM audit_log WHERE tenant_id = $1", demo["demo"]
        )
    }
    assert demo_entities
    assert not entity_ids & demo_entities
