"""A token of tenant `other` cannot read or change any `demo` row, by id, list or nested field."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.support import organizations
from tests.support.organizations import STREET, new_org
from tests.support.writes import WritesNothing


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
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    writes_nothing: WritesNothing,
    demo: dict[str, uuid.UUID],
) -> None:
    org_id = (await _demo_org_ids(admin_conn, demo))[0]
    before = await writes_nothing.snapshot()
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
    await writes_nothing.assert_unchanged(before)


NESTED = "{ organizations(first: 100) { edges { node { id parent { id } children { id } } } } }"


async def test_nested_fields_stay_in_tenant(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    """Both tenants hold parents with children, and a fresh child each: every tenant's
    ``parent`` and ``children`` answer exactly its own tree, and never the other's child."""
    streets = {"demo": STREET, "other": STREET.replace("东城", "西湖")}
    fresh = {
        slug: await new_org(
            admin_conn,
            demo[slug],
            parent=await organizations.org_id(admin_conn, demo[slug], street),
            prefix="子单位",
        )
        for slug, street in streets.items()
    }
    for slug, stranger in (("other", "demo"), ("demo", "other")):
        rows = await admin_conn.fetch(
            "SELECT id, parent_id FROM organizations WHERE tenant_id = $1 AND archived_at IS NULL", demo[slug]
        )
        children: dict[str, set[str]] = {str(row["id"]): set() for row in rows}
        for row in rows:
            if row["parent_id"] is not None and str(row["parent_id"]) in children:
                children[str(row["parent_id"])].add(str(row["id"]))
        parents = {str(row["id"]): str(row["parent_id"]) if row["parent_id"] else None for row in rows}
        assert sum(map(len, children.values())) >= 5, "the seed must hold trees for a leak to show"

        body = await gql(NESTED, login="alliance-admin", tenant=slug)
        nodes = [edge["node"] for edge in body["data"]["organizations"]["edges"]]  # type: ignore[index]
        seen = {node["id"]: node for node in nodes}
        assert len(seen) < 100, "the page must hold the whole tenant"
        assert str(fresh[slug]) in seen
        for node_id, node in seen.items():
            assert {child["id"] for child in node["children"]} == children[node_id], node_id
            assert (node["parent"] or {}).get("id") == parents[node_id], node_id
        answered = str(body)
        assert str(fresh[stranger]) not in answered


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
