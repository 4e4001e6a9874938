"""apiKey(id) answers one key to exactly those to whom apiKeys shows it, and never its secret."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.partners.helpers import new_key

FIELDS = "id name prefix createdAt revokedAt lastUsedAt"
KEY = f"query($id: ID!) {{ apiKey(id: $id) {{ {FIELDS} }} }}"
KEYS = f"{{ apiKeys {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on ApiKey {{ {FIELDS} }} }} }}"
REVOKE = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }"


async def test_a_key_by_id_as_the_list_shows_it(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    used, plaintext = await new_key(admin_conn, "密钥-按标识")
    revoked, _ = await new_key(admin_conn, "密钥-已吊销")
    # One key has been used (lastUsedAt), one revoked (revokedAt): both still listed.
    assert (await gql("{ organizations(first: 1) { totalCount } }", headers={"x-api-key": plaintext}))["data"]
    assert error_code(await gql(REVOKE, {"id": str(revoked)}, login="alliance-admin")) is None
    listed = await gql(KEYS, login="alliance-admin")
    shown = {key["id"]: key for key in listed["data"]["apiKeys"]}  # type: ignore[index]
    assert shown[str(used)]["lastUsedAt"] is not None and shown[str(revoked)]["revokedAt"] is not None
    for key in (used, revoked):
        body = await gql(KEY, {"id": str(key)}, login="alliance-admin")
        assert body == {"data": {"apiKey": shown[str(key)]}}
        node = await gql(NODE, {"id": str(key)}, login="alliance-admin")
        assert node == {"data": {"node": {"__typename": "ApiKey", **shown[str(key)]}}}
        # The key itself is shown once, at creation: no field reads it again, nor any part of it
        # beyond the prefix.
        assert plaintext not in str(body)
    refused = await gql(
        "query($id: ID!) { apiKey(id: $id) { secret } }", {"id": str(used)}, login="alliance-admin"
    )
    assert error_code(refused) == "GRAPHQL_VALIDATION_FAILED"


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    key, _ = await new_key(admin_conn, "密钥-他区")
    for given, tenant, code in (
        (str(key), "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(KEY, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
    other = await gql(NODE, {"id": str(key)}, login="alliance-admin", tenant="other")
    assert other["data"] == {"node": None} and error_code(other) == "NOT_FOUND"


async def test_only_admins_read_a_key(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    key, own = await new_key(admin_conn, "密钥-角色")
    asking: list[dict[str, object]] = [{"login": login} for login in ("street-admin", "member", "auditor")]
    # A partner key reads no key, not even itself.
    asking.append({"headers": {"x-api-key": own}})
    for asked in asking:
        assert error_code(await gql(KEYS, **asked)) == "FORBIDDEN", asked  # type: ignore[arg-type]
        body = await gql(KEY, {"id": str(key)}, **asked)  # type: ignore[arg-type]
        assert body["data"] is None and error_code(body) == "FORBIDDEN", asked
