"""Shared steps of the webhook tests: endpoints, events through the real pipeline, the log."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from tests.conftest import GraphQLClient
from tests.partners.helpers import new_key
from tests.partners.receiver import Receiver

ADMIN = "alliance-admin"
REGISTER_HOOK = """
mutation ($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) { webhookEndpoint { id url enabled mode eventTypes } secret }
}
"""
SETTINGS = """
mutation ($input: SetWebhookSettingsInput!) {
  setWebhookSettings(input: $input) { webhookSettings { allowPrivateAddresses requireHttps } }
}
"""
CREATE_ORG = """
mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }
"""
UPDATE_ORG = """
mutation ($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id } } }
"""
DELIVERIES = """
query ($id: ID!) {
  webhookDeliveries(endpointId: $id, first: 100) {
    totalCount
    edges { node { id eventId eventType subject status attempts lastResponseCode
                   log { attempt responseCode durationMs error request } } }
  }
}
"""
ENDPOINTS = "query ($key: ID!) { webhookEndpoints(apiKeyId: $key) { edges { node { id enabled consecutiveFailures } } } }"


async def ask(
    gql: GraphQLClient, query: str, variables: dict[str, object] | None = None, *, login: str = ADMIN
) -> dict[str, Any]:
    """``gql`` as an admin by default, its answer typed for indexing."""
    body: dict[str, Any] = await gql(query, variables, login=login)
    return body


async def loopback_allowed(gql: GraphQLClient, allowed: bool = True, https: bool = False) -> None:
    body = await gql(
        SETTINGS, {"input": {"allowPrivateAddresses": allowed, "requireHttps": https}}, login=ADMIN
    )
    assert "errors" not in body, body


async def endpoint(
    gql: GraphQLClient,
    admin_conn: asyncpg.Connection,
    receiver: Receiver,
    path: str,
    *,
    types: list[str] | None = None,
    mode: str = "STRUCTURED",
) -> tuple[str, str, uuid.UUID]:
    """A fresh key and an endpoint for it at ``path``: (endpoint id, secret, key id)."""
    key_id, _ = await new_key(admin_conn, f"hook {path}")
    body = await gql(
        REGISTER_HOOK,
        {
            "input": {
                "apiKeyId": str(key_id),
                "url": receiver.url(path),
                "eventTypes": types or ["*"],
                "mode": mode,
            }
        },
        login=ADMIN,
    )
    assert "errors" not in body, body
    registered = body["data"]["registerWebhookEndpoint"]  # type: ignore[index]
    return registered["webhookEndpoint"]["id"], registered["secret"], key_id


async def new_org(gql: GraphQLClient, name: str) -> str:
    body = await gql(CREATE_ORG, {"input": {"name": name, "kind": "SOE"}}, login=ADMIN)
    assert "errors" not in body, body
    return str(body["data"]["createOrganization"]["organization"]["id"])  # type: ignore[index]


async def rename_org(gql: GraphQLClient, org_id: str, name: str) -> None:
    body = await gql(UPDATE_ORG, {"input": {"id": org_id, "name": name}}, login=ADMIN)
    assert "errors" not in body, body


async def deliveries(
    gql: GraphQLClient, endpoint_id: str, subject: str | None = None
) -> list[dict[str, Any]]:
    """An endpoint's deliveries, newest first; of one subject only when given (events of other
    tests may reach an endpoint too: the consumer group reads the broker from the start)."""
    body: dict[str, Any] = await gql(DELIVERIES, {"id": endpoint_id}, login=ADMIN)
    assert "errors" not in body, body
    found = [e["node"] for e in body["data"]["webhookDeliveries"]["edges"]]
    return [d for d in found if subject is None or d["subject"] == subject]
