"""The sender on a small pool: a role reload never waits for a connection a send holds."""

from __future__ import annotations

import uuid

import asyncpg

from services.core.settings import Settings
from tests.conftest import GraphQLClient
from tests.partners.conftest import running_webhooks
from tests.partners.webhook_steps import endpoint, loopback_allowed, new_org
from tests.support.polling import wait_until


async def test_a_sender_on_a_pool_of_two_delivers_while_reloading_roles(
    settings: Settings, server: object, gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    # The listener holds one connection and a send another; roles are read again on every
    # send (a cache of 0 s), which takes a connection too.
    async with running_webhooks(settings, pool_size=2, role_cache_ttl_seconds=0) as webhooks:
        receiver = webhooks.receiver
        await loopback_allowed(gql)
        await endpoint(gql, admin_conn, receiver, "/small-pool", types=["organization.created.v1"])
        org_id = await new_org(gql, f"Small pool {uuid.uuid4().hex[:6]}")

        async def arrived() -> bool:
            return any(r.event.get("subject") == org_id for r in receiver.at("/small-pool"))

        await wait_until(arrived, within=30)
