"""Organisations through HTTP: create, change, archive, search, page; bad input named."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from services.directory.credit_code import check_character
from tests.conftest import GraphQLClient, error_code
from tests.support.writes import WritesNothing

CREATE = """
mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name kind parentId creditCode starRating contactPhone } }
}
"""
UPDATE = """
mutation($input: UpdateOrganizationInput!) {
  updateOrganization(input: $input) { organization { id name parentId starRating kind } }
}
"""
ARCHIVE = "mutation($id: ID!) { archiveOrganization(input: {id: $id}) { organization { id archivedAt } } }"
LIST = """
query($first: Int, $after: String, $filter: OrganizationFilter) {
  organizations(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name kind } }
  }
}
"""


def credit_code(seed: int) -> str:
    body = f"91110101MA{seed:07d}"
    return body + check_character(body)


async def create(gql: GraphQLClient, login: str = "alliance-admin", **fields: object) -> dict[str, object]:
    payload = {"name": f"测试单位-{uuid.uuid4().hex[:6]}", "kind": "AGENCY", **fields}
    return await gql(CREATE, {"input": payload}, login=login)


def org_of(body: dict[str, object], mutation: str = "createOrganization") -> dict[str, object]:
    assert body.get("errors") is None, body
    return body["data"][mutation]["organization"]  # type: ignore[index, no-any-return]


async def test_create_update_archive_with_audit(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    code = credit_code(1)
    created = org_of(
        await create(gql, name="滨河科技有限公司", kind="PRIVATE_ENTERPRISE", creditCode=code, starRating=3)
    )
    assert (created["creditCode"], created["starRating"]) == (code, 3)

    updated = org_of(
        await gql(UPDATE, {"input": {"id": created["id"], "name": "滨河科技集团"}}, login="alliance-admin"),
        "updateOrganization",
    )
    assert updated["name"] == "滨河科技集团"
    assert updated["starRating"] == 3

    archived = org_of(
        await gql(ARCHIVE, {"id": created["id"]}, login="alliance-admin"), "archiveOrganization"
    )
    assert archived["archivedAt"]

    rows = await admin_conn.fetch(
        "SELECT action, actor_login, changes, request_id FROM audit_log WHERE entity_id = $1 ORDER BY id",
        str(created["id"]),
    )
    assert [r["action"] for r in rows] == [
        "organization.created",
        "organization.updated",
        "organization.archived",
    ]
    assert all(r["actor_login"] == "alliance-admin" and r["request_id"] for r in rows)
    assert rows[1]["changes"] == {"name": {"before": "滨河科技有限公司", "after": "滨河科技集团"}}


async def test_audit_log_query_filters(gql: GraphQLClient) -> None:
    created = org_of(await create(gql))
    body = await gql(
        "query($id: String) { auditLog(first: 5, filter: {entityId: $id}) { totalCount edges { node { action actorLogin changes } } } }",
        {"id": created["id"]},
        login="auditor",
    )
    log = body["data"]["auditLog"]  # type: ignore[index]
    assert log["totalCount"] == 1
    assert log["edges"][0]["node"]["action"] == "organization.created"
    assert log["edges"][0]["node"]["changes"]["name"]["after"] == created["name"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"creditCode": "91110101MA00000019"}, "creditCode"),
        ({"creditCode": "short"}, "creditCode"),
        ({"name": "长" * 201}, "name"),
        ({"name": "   "}, "name"),
        ({"contactPhone": "call me maybe"}, "contactPhone"),
        ({"contactName": "名" * 101}, "contactName"),
        ({"starRating": 6, "kind": "PRIVATE_ENTERPRISE"}, "starRating"),
        ({"starRating": 3, "kind": "COMMUNITY"}, "starRating"),
        ({"parentId": str(uuid.uuid4())}, "parentId"),
        ({"parentId": "not-a-uuid"}, "parentId"),
    ],
)
async def test_bad_input_names_the_field(
    gql: GraphQLClient, writes_nothing: WritesNothing, fields: dict[str, object], field: str
) -> None:
    async with writes_nothing():
        body = await create(gql, **fields)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == field  # type: ignore[index]


async def test_duplicate_credit_code_is_refused(gql: GraphQLClient, writes_nothing: WritesNothing) -> None:
    code = credit_code(2)
    org_of(await create(gql, creditCode=code))
    async with writes_nothing():
        body = await create(gql, creditCode=code)
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "creditCode"  # type: ignore[index]


async def test_hierarchy_cycles_are_refused(gql: GraphQLClient) -> None:
    top = org_of(await create(gql, kind="STREET_COMMITTEE"))
    middle = org_of(await create(gql, kind="COMMUNITY", parentId=top["id"]))
    bottom = org_of(await create(gql, kind="COMMUNITY", parentId=middle["id"]))
    for parent in (bottom["id"], top["id"]):
        body = await gql(UPDATE, {"input": {"id": top["id"], "parentId": parent}}, login="alliance-admin")
        assert error_code(body) == "BAD_USER_INPUT"
        assert body["errors"][0]["extensions"]["field"] == "parentId"  # type: ignore[index]


async def test_archive_refuses_parent_with_children(gql: GraphQLClient) -> None:
    parent = org_of(await create(gql, kind="STREET_COMMITTEE"))
    org_of(await create(gql, kind="COMMUNITY", parentId=parent["id"]))
    body = await gql(ARCHIVE, {"id": parent["id"]}, login="alliance-admin")
    assert error_code(body) == "BAD_USER_INPUT"


async def test_chinese_search_kind_filter_and_paging(gql: GraphQLClient) -> None:
    marker = f"梧桐{uuid.uuid4().hex[:4]}"
    ids = [
        org_of(await create(gql, name=f"{marker}社区第{i}党支部", kind="COMMUNITY"))["id"] for i in range(5)
    ]
    org_of(await create(gql, name=f"{marker}学校", kind="SCHOOL"))

    first = await gql(LIST, {"first": 2, "filter": {"search": marker, "kind": "COMMUNITY"}}, login="member")
    page = first["data"]["organizations"]  # type: ignore[index]
    assert page["totalCount"] == 5
    assert page["pageInfo"]["hasNextPage"] is True
    seen = [edge["node"]["id"] for edge in page["edges"]]
    after = page["pageInfo"]["endCursor"]
    while after:
        more = await gql(
            LIST,
            {"first": 2, "after": after, "filter": {"search": marker, "kind": "COMMUNITY"}},
            login="member",
        )
        page = more["data"]["organizations"]  # type: ignore[index]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    assert seen == ids

    literal = await gql(LIST, {"filter": {"search": "%"}}, login="member")
    assert literal["data"]["organizations"]["totalCount"] == 0  # type: ignore[index]


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 0}, "first"),
        ({"first": 101}, "first"),
        ({"after": "bm9wZQ=="}, "after"),
        ({"after": "!!"}, "after"),
    ],
)
async def test_bad_paging_arguments(gql: GraphQLClient, variables: dict[str, object], field: str) -> None:
    body = await gql(LIST, variables, login="member")
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == field  # type: ignore[index]


async def test_personal_data_only_for_admins(gql: GraphQLClient) -> None:
    query = "{ organizations(first: 3) { edges { node { contactPhone contactName } } } }"
    admin = await gql(query, login="street-admin")
    member = await gql(query, login="member")
    assert any(e["node"]["contactPhone"] for e in admin["data"]["organizations"]["edges"])  # type: ignore[index]
    assert member.get("errors") is None
    assert all(
        e["node"]["contactPhone"] is None and e["node"]["contactName"] is None
        for e in member["data"]["organizations"]["edges"]  # type: ignore[index]
    )


async def test_deep_nesting_hits_the_depth_limit(gql: GraphQLClient) -> None:
    deep = "{ organizations { edges { node { " + "parent { " * 10 + "id" + " }" * 10 + " } } } }"
    response = await gql.http.post("/graphql", json={"query": deep})
    assert response.status_code == 400
    assert "depth" in response.json()["errors"][0]["message"]
