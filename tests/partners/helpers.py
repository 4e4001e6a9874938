"""Shared steps of the partner tests: a fresh key, registered operations, raw requests."""

from __future__ import annotations

import hashlib
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
