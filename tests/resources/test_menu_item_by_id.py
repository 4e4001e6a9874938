"""menuItem(id) answers one activity of a base's menu exactly when its base is seen."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.resources.conftest import MakeResource, data

FIELDS = "id name durationMinutes capacity description removedAt"
ITEM = f"query($id: ID!) {{ menuItem(id: $id) {{ {FIELDS} }} }}"
MENUS = (
    f"{{ resources(first: 100, filter: {{kind: BASE}}) {{ edges {{ node {{ menu {{ {FIELDS} }} }} }} }} }}"
)
ADD = "mutation($input: AddMenuItemInput!) { addMenuItem(input: $input) { menuItem { id } } }"


async def _item_of(gql: GraphQLClient, base: object) -> str:
    add = {"input": {"resourceId": base, "name": "重温入党誓词", "durationMinutes": 30}}
    return str(data(await gql(ADD, add, login="street-admin"), "addMenuItem", "menuItem")["id"])


async def test_an_item_by_id_is_the_one_its_base_shows(
    gql: GraphQLClient, make_resource: MakeResource, partner_key: str
) -> None:
    await _item_of(gql, (await make_resource(kind="BASE", visibility="PARTNERS"))["id"])
    callers: list[dict[str, Any]] = [
        *({"login": login} for login in ("alliance-admin", "street-admin", "member", "auditor")),
        {"headers": {"x-api-key": partner_key}},
    ]
    for who in callers:
        edges = data(await gql(MENUS, **who), "resources", "edges")
        items = [item for edge in edges for item in edge["node"]["menu"]]  # type: ignore[attr-defined]
        assert items, who
        for item in items:
            assert await gql(ITEM, {"id": item["id"]}, **who) == {"data": {"menuItem": item}}, who


async def test_an_item_of_a_base_the_caller_does_not_see_is_not_found(
    gql: GraphQLClient, make_resource: MakeResource, partner_key: str
) -> None:
    draft = await _item_of(gql, (await make_resource(kind="BASE", publish=False))["id"])
    alliance_only = await _item_of(gql, (await make_resource(kind="BASE"))["id"])
    partner = {"x-api-key": partner_key}
    # A draft: its owner's admin sees it, a member does not; an alliance-only base: partners do not.
    assert data(await gql(ITEM, {"id": draft}, login="street-admin"), "menuItem")["id"] == draft
    for body in (
        await gql(ITEM, {"id": draft}, login="member"),
        await gql(ITEM, {"id": draft}, headers=partner),
        await gql(ITEM, {"id": alliance_only}, headers=partner),
    ):
        assert body["data"] is None and error_code(body) == "NOT_FOUND"
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
    assert data(await gql(ITEM, {"id": alliance_only}, login="member"), "menuItem")["id"] == alliance_only


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    item = await admin_conn.fetchval("SELECT id FROM resource_menu_items WHERE tenant_id = $1", demo["demo"])
    for given, tenant, code in (
        (str(item), "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(ITEM, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
    assert error_code(await gql(ITEM, {"id": str(item)})) == "UNAUTHENTICATED"
