"""The sender follows role changes as they are made: a key whose role is revoked gets nothing
more, long before the role cache's bound would have reloaded it."""

from __future__ import annotations

import uuid

import asyncpg

from services.core.settings import Settings
from tests.conftest import GraphQLClient
from tests.partners.conftest import running_webhooks
from tests.partners.webhook_steps import deliveries, endpoint, loopback_allowed, new_org, rename_org
from tests.support.polling import eventually, wait_until

# Far longer than the test: only the notification of the change can refresh the sender's roles.
HOUR = 3600


async def test_a_revoked_role_stops_deliveries_without_waiting_for_the_cache_bound(
    settings: Settings, server: object, gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    async with running_webhooks(settings, role_cache_ttl_seconds=HOUR) as webhooks:
        receiver = webhooks.receiver
        await loopback_allowed(gql)
        endpoint_id, _, key_id = await endpoint(
            gql, admin_conn, receiver, "/revoked", types=["organization.*"]
        )
        org_id = await new_org(gql, f"Revoked {uuid.uuid4().hex[:6]}")

        async def arrived() -> bool:
            return any(r.event.get("subject") == org_id for r in receiver.at("/revoked"))

        # Delivered while the key holds its role: the sender has the tenant's roles cached now.
        await wait_until(arrived, within=30)
        key = await admin_conn.fetchrow("SELECT account_id, tenant_id FROM api_keys WHERE id = $1", key_id)
        assert key is not None
        account_id, tenant_id = key["account_id"], key["tenant_id"]
        authorizer = webhooks.sender.authorizer
        assert authorizer.roles(account_id, tenant_id) == {"partner"}

        await admin_conn.execute("DELETE FROM role_assignments WHERE account_id = $1", account_id)

        async def forgotten() -> bool:
            return not authorizer.roles(account_id, tenant_id)

        await wait_until(forgotten, within=30)
        await rename_org(gql, org_id, "Revoked, renamed")
        found = await eventually(
            lambda: deliveries(gql, endpoint_id, org_id),
            lambda ds: any(
                d["eventType"] == "organization.updated.v1" and d["status"] != "PENDING" for d in ds
            ),
            within=30,
        )
        updated = [d for d in found if d["eventType"] == "organization.updated.v1"]
        assert [d["status"] for d in updated] == ["WITHHELD"]
        assert [r.event["type"] for r in receiver.at("/revoked") if r.event.get("subject") == org_id] == [
            "organization.created.v1"
        ]
