"""Persisted operations through HTTP with a real key: APQ by hash, allow-lists, bad input."""

from __future__ import annotations

import asyncpg
import httpx

from tests.conftest import GraphQLClient, error_code
from tests.partners.helpers import ORGS, new_key, post, register, sha256

APQ_ORGS = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256(ORGS)}}}
OTHER = "{ organizations(first: 1) { totalCount } }"


async def test_a_bound_key_runs_its_list_by_hash_or_text_and_nothing_else(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, key = await new_key(admin_conn, "城市党建平台")
    # unbound: any valid document runs, as before; an unknown hash does not
    assert (await post(http, key, {"query": OTHER})).status_code == 200
    unknown = await post(http, key, APQ_ORGS)
    assert error_code(unknown.json()) == "PERSISTED_QUERY_NOT_FOUND"

    registered = await register(gql, key_id, ORGS)
    operation = registered["data"]["registerPersistedOperation"]["persistedOperation"]  # type: ignore[index]
    assert operation["sha256"] == sha256(ORGS) and operation["cost"] > 0

    by_hash = await post(http, key, APQ_ORGS)
    assert by_hash.status_code == 200, by_hash.text
    assert by_hash.json()["data"]["organizations"]["totalCount"] >= 1
    by_text = await post(http, key, {"query": ORGS})
    assert by_text.json()["data"]["organizations"]["totalCount"] >= 1

    refused = await post(http, key, {"query": OTHER})
    assert error_code(refused.json()) == "PERSISTED_QUERY_NOT_ALLOWED"
    assert "data" not in refused.json() or refused.json()["data"] is None


async def test_bad_persisted_requests_answer_documented_codes(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, key = await new_key(admin_conn, "国企集团系统")
    await register(gql, key_id, ORGS)
    mismatch = await post(http, key, {"query": OTHER, **APQ_ORGS})
    assert error_code(mismatch.json()) == "PERSISTED_QUERY_HASH_MISMATCH"
    huge = await post(http, key, {"query": ORGS, "extensions": {"padding": "x" * 5000}})
    assert error_code(huge.json()) == "EXTENSIONS_TOO_LARGE"
    bad_hash = await post(http, key, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "zz"}}})
    assert error_code(bad_hash.json()) == "PERSISTED_QUERY_NOT_FOUND"
    # people have no persisted operations: a hash alone is not found, not a crash
    anonymous = await http.post("/graphql", json=APQ_ORGS)
    assert error_code(anonymous.json()) == "PERSISTED_QUERY_NOT_FOUND"


async def test_registering_checks_the_document_and_the_key(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, _ = await new_key(admin_conn, "街道数据大屏")
    invalid = await register(gql, key_id, "{ noSuchField }")
    assert error_code(invalid) == "BAD_USER_INPUT"
    assert invalid["errors"][0]["extensions"]["field"] == "document"  # type: ignore[index]
    unparsable = await register(gql, key_id, "{ organizations(")
    assert error_code(unparsable) == "BAD_USER_INPUT"
    await register(gql, key_id, ORGS)
    twice = await register(gql, key_id, ORGS, name="Again")
    assert error_code(twice) == "CONFLICT"
    # another tenant's key is not found
    other_admin = await gql(
        "mutation ($i: RegisterPersistedOperationInput!) { registerPersistedOperation(input: $i)"
        " { persistedOperation { id } } }",
        {"i": {"apiKeyId": str(key_id), "name": "X", "document": ORGS}},
        login="alliance-admin",
        tenant="other",
    )
    assert error_code(other_admin) == "NOT_FOUND"
    listed = await gql(
        "query ($k: ID!) { persistedOperations(apiKeyId: $k) { totalCount edges { node { name } } } }",
        {"k": str(key_id)},
        login="alliance-admin",
    )
    assert listed["data"]["persistedOperations"]["totalCount"] == 1  # type: ignore[index]


async def test_allow_list_only_tenant_refuses_unbound_keys_text(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    _, key = await new_key(admin_conn, "区大数据中心")
    setting = (
        "mutation ($on: Boolean!) { setPartnerSettings(input: {allowListOnly: $on, requestsPerMinute: 600,"
        " burst: 100, costPerMinute: 100000}) { partnerSettings { allowListOnly } } }"
    )
    turned = await gql(setting, {"on": True}, login="alliance-admin")
    assert turned["data"]["setPartnerSettings"]["partnerSettings"]["allowListOnly"] is True  # type: ignore[index]
    try:
        refused = await post(http, key, {"query": OTHER})
        assert error_code(refused.json()) == "PERSISTED_QUERY_NOT_ALLOWED"
    finally:
        await gql(setting, {"on": False}, login="alliance-admin")
    assert (await post(http, key, {"query": OTHER})).json()["data"]["organizations"]["totalCount"] >= 1
