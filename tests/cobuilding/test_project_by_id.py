"""cobuildingProject(id) answers one project exactly as cobuildingProjects shows it."""

from __future__ import annotations

import uuid

import asyncpg

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient, error_code

FIELDS = "id agreementId dimensionCode title leadOrganizationId status budget"
PROJECT = f"query($id: ID!) {{ cobuildingProject(id: $id) {{ {FIELDS} }} }}"
PROJECTS = f"{{ cobuildingProjects(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def test_a_project_by_id_is_the_listed_one(gql: GraphQLClient, cob: dict[str, str]) -> None:
    for login in ("alliance-admin", "member", "auditor"):
        listed = await gql(PROJECTS, login=login)
        projects = [edge["node"] for edge in listed["data"]["cobuildingProjects"]["edges"]]  # type: ignore[index]
        assert projects, login
        for project in projects:
            body = await gql(PROJECT, {"id": project["id"]}, login=login)
            assert body == {"data": {"cobuildingProject": project}}, login


async def test_another_alliances_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    project = await admin_conn.fetchval(
        "SELECT id FROM cobuilding_projects WHERE tenant_id = $1 LIMIT 1", demo["demo"]
    )
    assert "errors" not in await gql(PROJECT, {"id": str(project)}, login="alliance-admin")
    # The same project asked for by the other alliance's admin, then ids that name nothing.
    for given, tenant, code in (
        (str(project), "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(PROJECT, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"


async def test_a_partner_key_reads_no_project(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    """As the list: projects are details (read_detail), which partner keys do not hold."""
    project = await admin_conn.fetchval(
        "SELECT id FROM cobuilding_projects WHERE tenant_id = $1 LIMIT 1", demo["demo"]
    )
    created = await create_api_key(admin_conn, tenant_slug="demo", name=f"项目-{uuid.uuid4().hex[:6]}")
    headers = {"x-api-key": created.plaintext}
    assert error_code(await gql(PROJECTS, headers=headers)) == "FORBIDDEN"
    assert error_code(await gql(PROJECT, {"id": str(project)}, headers=headers)) == "FORBIDDEN"
