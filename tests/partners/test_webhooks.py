"""Webhooks end to end: a real key, real events through outbox, relay, broker and the
``webhooks`` consumer, sent by the sender to a real local HTTP receiver."""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid

import asyncpg
import orjson
import pytest
from standardwebhooks import Webhook

from services.events.changes import SystemActor, record_change
from services.partners.webhook_urls import is_public
from services.resources.events import BookingRequested
from tests.conftest import GraphQLClient, error_code
from tests.partners.conftest import Webhooks
from tests.partners.receiver import Answer
from tests.partners.webhook_steps import (
    ADMIN,
    ENDPOINTS,
    REGISTER_HOOK,
    deliveries,
    endpoint,
    loopback_allowed,
    new_org,
    rename_org,
)
from tests.support.polling import eventually, wait_until

ROTATE = """
mutation ($input: RotateWebhookSecretInput!) {
  rotateWebhookSecret(input: $input) { secret webhookEndpoint { previousSecretUntil } }
}
"""
REDELIVER = """
mutation ($input: RedeliverWebhooksInput!) { redeliverWebhooks(input: $input) { webhookDeliveries { id status } } }
"""
ENABLE = """
mutation ($input: SetWebhookEndpointEnabledInput!) {
  setWebhookEndpointEnabled(input: $input) { webhookEndpoint { enabled consecutiveFailures } }
}
"""
ACTIVITY = 'query { activity(first: 50, types: ["webhook_endpoint.disabled.v1"]) { edges { node { subject summary } } } }'

pytestmark = pytest.mark.usefixtures("webhooks")


def verified(secret: str, received: object) -> dict[str, object]:
    """The body as the Standard Webhooks reference verifier accepts it (raises otherwise)."""
    headers = received.headers  # type: ignore[attr-defined]
    payload: dict[str, object] = Webhook(secret).verify(received.body, headers)  # type: ignore[attr-defined]
    return payload


def of_subject(subject: str):  # type: ignore[no-untyped-def]
    return lambda event: event.get("subject") == subject


async def test_deliveries_are_signed_cloudevents_in_either_mode(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    _, structured_secret, _ = await endpoint(gql, admin_conn, receiver, "/signed-structured", types=["organization.*"])
    _, binary_secret, _ = await endpoint(
        gql, admin_conn, receiver, "/signed-binary", types=["organization.created.v1"], mode="BINARY"
    )
    org_id = await new_org(gql, f"Signed {uuid.uuid4().hex[:6]}")

    def arrived(path: str):  # type: ignore[no-untyped-def]
        return lambda: [r for r in receiver.at(path) if r.event.get("subject") == org_id]

    await wait_until(lambda: _true(arrived("/signed-structured")()))
    await wait_until(lambda: _true(arrived("/signed-binary")()))
    structured = arrived("/signed-structured")()[0]
    body = verified(structured_secret, structured)
    assert structured.headers["content-type"] == "application/cloudevents+json"
    assert body["specversion"] == "1.0"
    assert body["type"] == "organization.created.v1"
    assert body["id"] == structured.headers["webhook-id"]
    assert body["data"]["id"] == org_id  # type: ignore[index]

    binary = arrived("/signed-binary")()[0]
    data = verified(binary_secret, binary)
    assert binary.headers["ce-specversion"] == "1.0"
    assert binary.headers["ce-type"] == "organization.created.v1"
    assert binary.headers["ce-id"] == binary.headers["webhook-id"]
    assert data["id"] == org_id
    # A signature made with another secret does not verify.
    with pytest.raises(Exception):  # noqa: B017  # the verifier's own error type
        verified(structured_secret, binary)


async def _true(value: object) -> bool:
    return bool(value)


async def test_one_aggregate_in_order_through_500s_and_timeouts(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, _ = await endpoint(gql, admin_conn, receiver, "/ordered", types=["organization.updated.v1"])
    org_id = await new_org(gql, f"Ordered {uuid.uuid4().hex[:6]}")
    # The first update fails twice (a 500, then no answer within the timeout), the third once.
    receiver.answer("/ordered", of_subject(org_id), Answer(500), Answer(hang=True), Answer(200), Answer(200), Answer(503))
    names = [f"Ordered step {n}" for n in range(4)]
    for name in names:
        await rename_org(gql, org_id, name)

    def mine() -> list[object]:
        return [r for r in receiver.at("/ordered") if r.event.get("subject") == org_id]

    await wait_until(lambda: _true(len([r for r in mine() if r.status == 200]) == 4), within=30)  # type: ignore[attr-defined]
    requests = mine()
    sent_names = [r.event["data"]["name"] for r in requests]  # type: ignore[attr-defined]
    # Never a later event before the earlier one was answered 200.
    assert sent_names == [names[0], names[0], names[0], names[1], names[2], names[2], names[3]]
    assert [r.status for r in requests] == [500, 0, 200, 200, 503, 200, 200]  # type: ignore[attr-defined]

    log = await deliveries(gql, endpoint_id)
    first = next(d for d in log if d["attempts"] == 3)
    attempts = first["log"]
    assert [a["responseCode"] for a in attempts] == [500, None, 200]  # type: ignore[index]
    assert "within" in attempts[1]["error"]  # type: ignore[index]
    assert all(d["status"] == "SUCCEEDED" for d in log)
