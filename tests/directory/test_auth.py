"""Authentication over HTTP: tokens, API keys, tenant selection."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import httpx
import jwt

from services.core.auth import issue_token
from services.core.settings import Settings
from services.directory.operations import create_api_key, revoke_api_key
from tests.conftest import GraphQLClient, Tokens, error_code
from tests.support.writes import WritesNothing

VIEWER = "{ viewer { login tenant roles { tenant role organizationId } } }"
ORGS = "{ organizations(first: 5) { totalCount edges { node { id name kind } } } }"


async def _status(http: httpx.AsyncClient, headers: dict[str, str]) -> str | None:
    response = await http.post("/graphql", json={"query": ORGS}, headers=headers)
    return error_code(response.json())


async def test_viewer_lists_roles_in_every_tenant(gql: GraphQLClient) -> None:
    body = await gql(VIEWER, login="soe-admin")
    viewer = body["data"]["viewer"]  # type: ignore[index]
    assert viewer["login"] == "soe-admin"
    assert viewer["tenant"] == "demo"
    assert {(r["tenant"], r["role"]) for r in viewer["roles"]} == {
        ("demo", "ORG_ADMIN"),
        ("other", "ORG_ADMIN"),
    }


async def test_no_token_is_unauthenticated(http: httpx.AsyncClient, demo: object) -> None:
    assert await _status(http, {}) == "UNAUTHENTICATED"


async def test_bad_tokens_are_unauthenticated(
    http: httpx.AsyncClient, tokens: Tokens, settings: Settings
) -> None:
    good = await tokens("member")
    claims = jwt.decode(good, options={"verify_signature": False})
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=10)
    expired = issue_token(
        settings,
        account_id=uuid.UUID(claims["sub"]),
        login="member",
        tenant_id=uuid.UUID(claims["tid"]),
        tenant_slug="demo",
        now=past,
        ttl_seconds=60,
    )
    wrong_signature = await tokens("member", jwt_secret="another-secret-" + "y" * 32)
    wrong_audience = await tokens("member", jwt_audience="someone-else")
    wrong_issuer = await tokens("member", jwt_issuer="someone-else")
    for token in (expired, wrong_signature, wrong_audience, wrong_issuer, good[:-4] + "AAAA", "garbage"):
        assert await _status(http, {"authorization": f"Bearer {token}"}) == "UNAUTHENTICATED", token
    assert await _status(http, {"authorization": f"Basic {good}"}) == "UNAUTHENTICATED"
    assert await _status(http, {"authorization": f"Bearer {good}"}) is None


async def test_x_tenant_switches_only_to_tenants_with_a_role(http: httpx.AsyncClient, tokens: Tokens) -> None:
    soe = await tokens("soe-admin")
    member = await tokens("member")
    switched = await http.post(
        "/graphql", json={"query": VIEWER}, headers={"authorization": f"Bearer {soe}", "x-tenant": "other"}
    )
    assert switched.json()["data"]["viewer"]["tenant"] == "other"
    refused = await http.post(
        "/graphql", json={"query": ORGS}, headers={"authorization": f"Bearer {member}", "x-tenant": "other"}
    )
    assert error_code(refused.json()) == "UNAUTHENTICATED"
    unknown = await http.post(
        "/graphql", json={"query": ORGS}, headers={"authorization": f"Bearer {member}", "x-tenant": "nowhere"}
    )
    assert error_code(unknown.json()) == "UNAUTHENTICATED"


async def test_api_key_reads_and_revocation_locks_out(
    http: httpx.AsyncClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    key = await create_api_key(admin_conn, tenant_slug="demo", name="街道大屏")
    for headers in ({"x-api-key": key.plaintext}, {"authorization": f"ApiKey {key.plaintext}"}):
        response = await http.post("/graphql", json={"query": ORGS}, headers=headers)
        assert response.json()["data"]["organizations"]["totalCount"] >= 7
    used = await admin_conn.fetchval("SELECT last_used_at FROM api_keys WHERE id = $1", key.id)
    assert used is not None
    stored = await admin_conn.fetchval("SELECT secret_hash FROM api_keys WHERE id = $1", key.id)
    assert key.plaintext.split("_", 2)[2].encode() not in bytes(stored)

    await revoke_api_key(admin_conn, key_id=key.id)
    assert await _status(http, {"x-api-key": key.plaintext}) == "UNAUTHENTICATED"
    assert await _status(http, {"x-api-key": key.plaintext[:-3] + "abc"}) == "UNAUTHENTICATED"
    assert await _status(http, {"x-api-key": "alk_nope"}) == "UNAUTHENTICATED"


async def test_partner_key_cannot_write(
    http: httpx.AsyncClient, admin_conn: asyncpg.Connection, writes_nothing: WritesNothing, demo: object
) -> None:
    key = await create_api_key(admin_conn, tenant_slug="demo", name="partner-write-check")
    async with writes_nothing():
        response = await http.post(
            "/graphql",
            json={
                "query": 'mutation { createOrganization(input: {name: "x", kind: AGENCY}) { organization { id } } }'
            },
            headers={"x-api-key": key.plaintext},
        )
    assert error_code(response.json()) == "FORBIDDEN"


CREATE_KEY = 'mutation { createApiKey(input: {name: "区大数据中心"}) { apiKey { id prefix } secret } }'


async def test_api_keys_through_graphql(
    gql: GraphQLClient, http: httpx.AsyncClient, writes_nothing: WritesNothing
) -> None:
    created = await gql(CREATE_KEY, login="alliance-admin")
    payload = created["data"]["createApiKey"]  # type: ignore[index]
    secret, key_id = payload["secret"], payload["apiKey"]["id"]
    assert secret.startswith(f"alk_{payload['apiKey']['prefix']}_")
    assert await _status(http, {"x-api-key": secret}) is None

    listed = await gql("{ apiKeys { id lastUsedAt revokedAt } }", login="alliance-admin")
    mine = [k for k in listed["data"]["apiKeys"] if k["id"] == key_id]  # type: ignore[index]
    assert mine and mine[0]["lastUsedAt"] and mine[0]["revokedAt"] is None

    async with writes_nothing():
        assert error_code(await gql(CREATE_KEY, login="street-admin")) == "FORBIDDEN"
        other = await gql(
            "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { id } } }",
            {"id": key_id},
            login="alliance-admin",
            tenant="other",
        )
    assert error_code(other) == "NOT_FOUND"
    revoked = await gql(
        "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }",
        {"id": key_id},
        login="alliance-admin",
    )
    assert revoked["data"]["revokeApiKey"]["apiKey"]["revokedAt"]  # type: ignore[index]
    assert await _status(http, {"x-api-key": secret}) == "UNAUTHENTICATED"
