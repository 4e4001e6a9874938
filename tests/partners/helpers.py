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


async def finished_delivery(
    admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, endpoint_id: uuid.UUID
) -> uuid.UUID:
    """A delivery of ``endpoint_id`` that failed once and was given up (DEAD), with that attempt
    in its log: a row to read back, which no sender ever leases (only pending ones are sent)."""
    event_id = uuid.uuid4()
    envelope = {"id": str(event_id), "type": "no-such-event.v0", "subject": str(uuid.uuid4()), "data": {}}
    delivery_id: uuid.UUID = await admin_conn.fetchval(
        "INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, event_type, aggregate_key,"
        " envelope, status, attempts, last_response_code, finished_at)"
        " VALUES ($1, $2, $3, 'no-such-event.v0', $4, $5::jsonb, 'DEAD', 1, 500, now()) RETURNING id",
        tenant_id,
        endpoint_id,
        event_id,
        envelope["subject"],
        envelope,
    )
    request = {
        "url": "https://hooks.example.org/quiet",
        "headers": {"webhook-id": str(event_id)},
        "body": "{}",
    }
    await admin_conn.execute(
        "INSERT INTO webhook_attempts (tenant_id, delivery_id, attempt, request, response_code, duration_ms)"
        " VALUES ($1, $2, 1, $3::jsonb, 500, 12.5)",
        tenant_id,
        delivery_id,
        request,
    )
    return delivery_id


async def stored_operation(
    admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, key_id: uuid.UUID
) -> uuid.UUID:
    """``ORGS`` on ``key_id``'s list, stored directly (as registerPersistedOperation stores it)."""
    operation_id: uuid.UUID = await admin_conn.fetchval(
        "INSERT INTO persisted_operations (tenant_id, api_key_id, sha256, name, version, document, cost)"
        " VALUES ($1, $2, $3, 'Orgs', 1, $4, 1) RETURNING id",
        tenant_id,
        key_id,
        sha256(ORGS),
        ORGS,
    )
    return operation_id


async def partner_rows(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> None:
    """What the demo holds none of: a key with an operation, a quiet endpoint and a finished
    delivery of it (for the node matrix)."""
    endpoint_id = await quiet_endpoint(admin_conn, tenant_id, name)
    await finished_delivery(admin_conn, tenant_id, endpoint_id)
    key_id = await admin_conn.fetchval("SELECT api_key_id FROM webhook_endpoints WHERE id = $1", endpoint_id)
    await stored_operation(admin_conn, tenant_id, key_id)


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
