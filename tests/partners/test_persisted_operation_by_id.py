"""persistedOperation(id) answers one operation to exactly those to whom persistedOperations
shows it: admins, for any key of their alliance."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.partners.helpers import ORGS, new_key, register

FIELDS = "id apiKeyId sha256 name version document cost createdAt"
OPERATION = f"query($id: ID!) {{ persistedOperation(id: $id) {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on PersistedOperation {{ {FIELDS} }} }} }}"
OPERATIONS = f"""
query($key: ID!) {{ persistedOperations(apiKeyId: $key) {{ edges {{ node {{ {FIELDS} }} }} }} }}
"""
RESOURCES = "query Resources { resources(first: 3) { edges { node { title } } } }"


async def _registered(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, name: str
) -> tuple[uuid.UUID, str, str]:
    """A fresh key with two operations on its list: (key, its plaintext, one operation's id)."""
    key_id, plaintext = await new_key(admin_conn, name)
    first = await register(gql, key_id, ORGS)
    assert error_code(await register(gql, key_id, RESOURCES, name="Resources")) is None
    return key_id, plaintext, first["data"]["registerPersistedOperation"]["persistedOperation"]["id"]  # type: ignore[index]


async def test_an_operation_by_id_as_the_list_shows_it(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, _, _ = await _registered(gql, admin_conn, "操作-按标识")
    listed = await gql(OPERATIONS, {"key": str(key_id)}, login="alliance-admin")
    entries = [edge["node"] for edge in listed["data"]["persistedOperations"]["edges"]]  # type: ignore[index]
    assert len(entries) == 2
    for entry in entries:
        assert await gql(OPERATION, {"id": entry["id"]}, login="alliance-admin") == {
            "data": {"persistedOperation": entry}
        }
        assert await gql(NODE, {"id": entry["id"]}, login="alliance-admin") == {
            "data": {"node": {"__typename": "PersistedOperation", **entry}}
        }


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    _, _, operation = await _registered(gql, admin_conn, "操作-他区")
    for given, tenant, code in (
        (operation, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(OPERATION, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
    other = await gql(NODE, {"id": operation}, login="alliance-admin", tenant="other")
    assert other["data"] == {"node": None} and error_code(other) == "NOT_FOUND"


async def test_only_admins_read_an_operation(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    key_id, _, operation = await _registered(gql, admin_conn, "操作-角色")
    # (The operation's own key is bound to its list: it runs nothing else, this document neither.)
    _, unbound = await new_key(admin_conn, "操作-合作方")
    asking: list[dict[str, object]] = [{"login": login} for login in ("street-admin", "member", "auditor")]
    asking.append({"headers": {"x-api-key": unbound}})
    for asked in asking:
        listed = await gql(OPERATIONS, {"key": str(key_id)}, **asked)  # type: ignore[arg-type]
        assert error_code(listed) == "FORBIDDEN", asked
        body = await gql(OPERATION, {"id": operation}, **asked)  # type: ignore[arg-type]
        assert body["data"] is None and error_code(body) == "FORBIDDEN", asked
