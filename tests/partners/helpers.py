"""Shared steps of the partner tests: a fresh key, registered operations, raw requests."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import asyncpg
import httpx

from services.directory.operations import create_api_key
from tests.conftest import GraphQLClient

REGISTER = """
mutation ($input: RegisterPersistedOperationInput!) {
  registerPersistedOperation(input: $input) { persistedOperation { id sha256 cost version } }
}
"""
SET_LIMITS = """
mutation ($input: SetApiKeyLimitsInput!) {
  setApiKeyLimits(input: $input) { apiKeyLimits { apiKeyId requestsPerMinute burst costPerMinute } }
}
"""
ORGS = "query Orgs { organizations(first: 5) { totalCount edges { node { name } } } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def new_key(admin_conn: asyncpg.Connection, name: str) -> tuple[uuid.UUID, str]:
    created = await create_api_key(admin_conn, tenant_slug="demo", name=name)
    return created.id, created.plaintext


async def quiet_endpoint(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> uuid.UUID:
    """A fresh key's webhook endpoint, disabled, whose glob matches no event type: a row to read
    back, never sent to (seeded directly: the URL is never checked against DNS here)."""
    key_id, _ = await new_key(admin_conn, name)
    endpoint_id: uuid.UUID = await admin_conn.fetchval(
        "INSERT INTO webhook_endpoints (tenant_id, api_key_id, url, event_types, mode, secret, enabled)"
        " VALUES ($1, $2, 'https://hooks.example.org/quiet', ARRAY['no-such-event.v0'], 'STRUCTURED',"
        " $3, false) RETURNING id",
        tenant_id,
        key_id,
        secrets.token_bytes(32),
    )
    return endpoint_id


async def register(
    gql: GraphQLClient, key_id: uuid.UUID, document: str, name: str = "Orgs"
) -> dict[str, object]:
    return await gql(
        REGISTER,
        {"input": {"apiKeyId": str(key_id), "name": name, "version": 1, "document": document}},
        login="alliance-admin",
    )


async def post(http: httpx.AsyncClient, key: str, body: dict[str, object]) -> httpx.Response:
    return await http.post("/graphql", json=body, headers={"x-api-key": key})
