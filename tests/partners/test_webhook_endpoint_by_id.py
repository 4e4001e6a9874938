"""webhookEndpoint(id) answers one endpoint to exactly those to whom webhookEndpoints shows it."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.partners.helpers import new_key, quiet_endpoint

FIELDS = (
    "id apiKeyId url eventTypes mode enabled consecutiveFailures disabledAt previousSecretUntil createdAt"
)
ENDPOINT = f"query($id: ID!) {{ webhookEndpoint(id: $id) {{ {FIELDS} }} }}"
ENDPOINTS = f"query($key: ID!) {{ webhookEndpoints(apiKeyId: $key) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def test_an_endpoint_by_id_as_the_list_shows_it(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    endpoint = str(await quiet_endpoint(admin_conn, demo["demo"], "端点-按标识"))
    key = await admin_conn.fetchval(
        "SELECT api_key_id FROM webhook_endpoints WHERE id = $1", uuid.UUID(endpoint)
    )
    listed = await gql(ENDPOINTS, {"key": str(key)}, login="alliance-admin")
    [entry] = [edge["node"] for edge in listed["data"]["webhookEndpoints"]["edges"]]  # type: ignore[index]
    assert entry["id"] == endpoint
    assert await gql(ENDPOINT, {"id": endpoint}, login="alliance-admin") == {
        "data": {"webhookEndpoint": entry}
    }
    # The secret is shown once, at registration: there is no field to read it again.
    body = await gql(
        "query($id: ID!) { webhookEndpoint(id: $id) { secret } }", {"id": endpoint}, login="alliance-admin"
    )
    assert error_code(body) == "GRAPHQL_VALIDATION_FAILED"


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    endpoint = str(await quiet_endpoint(admin_conn, demo["demo"], "端点-他区"))
    for given, tenant, code in (
        (endpoint, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(ENDPOINT, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]


async def test_only_admins_read_an_endpoint(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    endpoint = str(await quiet_endpoint(admin_conn, demo["demo"], "端点-角色"))
    key = await admin_conn.fetchval(
        "SELECT api_key_id FROM webhook_endpoints WHERE id = $1", uuid.UUID(endpoint)
    )
    _, own_key = await new_key(admin_conn, "端点-合作方")
    asking: list[dict[str, object]] = [{"login": login} for login in ("street-admin", "member", "auditor")]
    # A partner key reads no endpoint, not even one of its own key's.
    asking.append({"headers": {"x-api-key": own_key}})
    for asked in asking:
        assert error_code(await gql(ENDPOINTS, {"key": str(key)}, **asked)) == "FORBIDDEN", asked  # type: ignore[arg-type]
        body = await gql(ENDPOINT, {"id": endpoint}, **asked)  # type: ignore[arg-type]
        assert body["data"] is None and error_code(body) == "FORBIDDEN", asked
