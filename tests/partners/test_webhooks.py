"""Webhooks end to end: a real key, real events through outbox, relay, broker and the
``webhooks`` consumer, sent by the sender to a real local HTTP receiver."""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import orjson
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from services.events.changes import SystemActor, record_change
from services.partners.webhook_urls import is_public
from services.resources.events import BookingRequested
from tests.conftest import GraphQLClient, error_code
from tests.partners.conftest import Webhooks
from tests.partners.receiver import Answer, Received
from tests.partners.webhook_steps import (
    ADMIN,
    ENDPOINTS,
    REGISTER_HOOK,
    ask,
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
REDELIVERED = (
    'query { activity(first: 50, types: ["webhook_endpoint.redelivered.v1"]) { edges { node { subject } } } }'
)
ACTIVITY = 'query { activity(first: 50, types: ["webhook_endpoint.disabled.v1"]) { edges { node { subject summary } } } }'

pytestmark = pytest.mark.usefixtures("webhooks")


def verified(secret: str, received: Received) -> dict[str, Any]:
    """The body as the Standard Webhooks reference verifier accepts it (raises otherwise)."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


def of_subject(subject: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event.get("subject") == subject


async def test_deliveries_are_signed_cloudevents_in_either_mode(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    _, structured_secret, _ = await endpoint(
        gql, admin_conn, receiver, "/signed-structured", types=["organization.*"]
    )
    _, binary_secret, _ = await endpoint(
        gql, admin_conn, receiver, "/signed-binary", types=["organization.created.v1"], mode="BINARY"
    )
    org_id = await new_org(gql, f"Signed {uuid.uuid4().hex[:6]}")

    def arrived(path: str) -> Callable[[], list[Received]]:
        return lambda: [r for r in receiver.at(path) if r.event.get("subject") == org_id]

    # The first test waits longest: the new consumer group reads every earlier test's events first.
    await wait_until(lambda: _true(arrived("/signed-structured")()), within=120)
    await wait_until(lambda: _true(arrived("/signed-binary")()), within=30)
    structured = arrived("/signed-structured")()[0]
    body = verified(structured_secret, structured)
    assert structured.headers["content-type"] == "application/cloudevents+json"
    assert body["specversion"] == "1.0"
    assert body["type"] == "organization.created.v1"
    assert body["id"] == structured.headers["webhook-id"]
    assert body["data"]["id"] == org_id

    binary = arrived("/signed-binary")()[0]
    data = verified(binary_secret, binary)
    assert binary.headers["ce-specversion"] == "1.0"
    assert binary.headers["ce-type"] == "organization.created.v1"
    assert binary.headers["ce-id"] == binary.headers["webhook-id"]
    assert data["id"] == org_id
    # A signature made with another secret does not verify.
    with pytest.raises(WebhookVerificationError):
        verified(structured_secret, binary)


async def _true(value: object) -> bool:
    return bool(value)


async def test_one_aggregate_in_order_through_500s_and_timeouts(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, _ = await endpoint(
        gql, admin_conn, receiver, "/ordered", types=["organization.updated.v1"]
    )
    org_id = await new_org(gql, f"Ordered {uuid.uuid4().hex[:6]}")
    # The first update fails twice (a 500, then no answer within the timeout), the third once.
    receiver.answer(
        "/ordered", of_subject(org_id), Answer(500), Answer(hang=True), Answer(200), Answer(200), Answer(503)
    )
    names = [f"Ordered step {n}" for n in range(4)]
    for name in names:
        await rename_org(gql, org_id, name)

    def mine() -> list[Received]:
        return [r for r in receiver.at("/ordered") if r.event.get("subject") == org_id]

    await wait_until(lambda: _true(len([r for r in mine() if r.status == 200]) == 4), within=30)
    requests = mine()
    sent_names = [r.event["data"]["name"] for r in requests]
    # Never a later event before the earlier one was answered 200.
    assert sent_names == [names[0], names[0], names[0], names[1], names[2], names[2], names[3]]
    assert [r.status for r in requests] == [500, 0, 200, 200, 503, 200, 200]

    # The sender records each answer just after it: wait for the last one.
    log = await eventually(
        lambda: deliveries(gql, endpoint_id, org_id),
        lambda ds: all(d["status"] == "SUCCEEDED" for d in ds),
        within=30,
    )
    first = next(d for d in log if d["attempts"] == 3)
    attempts = first["log"]
    assert [a["responseCode"] for a in attempts] == [500, None, 200]
    assert "within" in attempts[1]["error"]
    assert len(log) == 4


async def test_a_partner_endpoint_on_everything_never_gets_what_its_key_cannot_read(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks, demo: dict[str, uuid.UUID]
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, _ = await endpoint(gql, admin_conn, receiver, "/everything", types=["*"])
    org_id = await new_org(gql, f"Readable {uuid.uuid4().hex[:6]}")
    granted = await ask(
        gql,
        'mutation { grantRole(input: {login: "hook-watcher", role: AUDITOR}) { grant { id } } }',
        login=ADMIN,
    )
    assert "errors" not in granted, granted
    booking_id = str(uuid.uuid4())
    async with admin_conn.transaction():
        await admin_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(demo["demo"]))
        await record_change(
            admin_conn,
            SystemActor(tenant_id=demo["demo"]),
            BookingRequested(
                id=booking_id,
                resource_id=str(uuid.uuid4()),
                requester_org_id=org_id,
                start="2027-01-01T09:00:00+00:00",
                end="2027-01-01T10:00:00+00:00",
                attendees=3,
                quantity=1,
                menu_item_id=None,
                status="PENDING",
                reason=None,
            ),
        )

    def settled(found: list[dict[str, object]]) -> bool:
        types = {d["eventType"]: d["status"] for d in found}
        return all(
            t in types and types[t] != "PENDING"
            for t in ("organization.created.v1", "role.granted.v1", "booking.requested.v1")
        )

    found = await eventually(lambda: deliveries(gql, endpoint_id), settled, within=30)
    status = {(d["eventType"]): d["status"] for d in found}
    assert status["organization.created.v1"] == "SUCCEEDED"
    assert status["role.granted.v1"] == "WITHHELD"
    assert status["booking.requested.v1"] == "WITHHELD"
    sent_types = {r.event["type"] for r in receiver.at("/everything")}
    assert "organization.created.v1" in sent_types
    assert not {
        t for t in sent_types if t.split(".")[0] in ("booking", "role", "webhook_endpoint", "api_key")
    }


async def test_an_endpoint_that_keeps_failing_is_disabled_and_the_admins_are_told(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, key_id = await endpoint(
        gql, admin_conn, receiver, "/failing", types=["organization.updated.v1"]
    )
    org_id = await new_org(gql, f"Failing {uuid.uuid4().hex[:6]}")
    # Every event at this endpoint fails (events of other tests may come too): a success
    # between would start the count again.
    receiver.answer("/failing", lambda _: True, *[Answer(500)] * 100)
    await rename_org(gql, org_id, "Failing once")

    async def endpoint_state() -> dict[str, object]:
        body = await ask(gql, ENDPOINTS, {"key": str(key_id)}, login=ADMIN)
        node: dict[str, object] = body["data"]["webhookEndpoints"]["edges"][0]["node"]
        return node

    state = await eventually(endpoint_state, lambda s: s["enabled"] is False, within=30)
    assert state["consecutiveFailures"] >= 4  # sends under way when it was disabled count too
    told = await eventually(
        lambda: ask(gql, ACTIVITY, login=ADMIN),
        lambda body: any(e["node"]["subject"] == endpoint_id for e in body["data"]["activity"]["edges"]),
        within=30,
    )
    assert told
    receiver.script["/failing"].clear()
    # Enabled again, the waiting delivery goes out.
    body = await ask(gql, ENABLE, {"input": {"endpointId": endpoint_id, "enabled": True}}, login=ADMIN)
    assert body["data"]["setWebhookEndpointEnabled"]["webhookEndpoint"]["enabled"] is True
    await wait_until(
        lambda: _true([r for r in receiver.at("/failing", status=200) if r.event["subject"] == org_id]),
        within=30,
    )


async def test_a_delivery_retried_past_its_time_is_dead_and_the_next_one_goes(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, _ = await endpoint(gql, admin_conn, receiver, "/dead", types=["organization.updated.v1"])
    org_id = await new_org(gql, f"Dead {uuid.uuid4().hex[:6]}")
    receiver.answer(
        "/dead",
        lambda e: e.get("subject") == org_id and e["data"]["name"] == "Dead first",
        *[Answer(500)] * 3,
    )
    await rename_org(gql, org_id, "Dead first")
    await wait_until(lambda: _true(receiver.at("/dead", status=500)), within=30)
    # The delivery was recorded longer ago than deliveries are retried (an hour in this test).
    await admin_conn.execute(
        "UPDATE webhook_deliveries SET created_at = now() - interval '2 hours'"
        " WHERE endpoint_id = $1 AND envelope->>'subject' = $2",
        uuid.UUID(endpoint_id),
        org_id,
    )
    await rename_org(gql, org_id, "Dead second")
    found = await eventually(
        lambda: deliveries(gql, endpoint_id, org_id),
        lambda ds: sorted(d["status"] for d in ds) == ["DEAD", "SUCCEEDED"],
        within=30,
    )
    assert len(found) == 2
    sent = [r.event["data"]["name"] for r in receiver.at("/dead", status=200) if r.event["subject"] == org_id]
    assert sent == ["Dead second"]


async def test_redeliver_one_delivery_or_a_time_range(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, _ = await endpoint(gql, admin_conn, receiver, "/again", types=["organization.created.v1"])
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    orgs = [await new_org(gql, f"Again {n} {uuid.uuid4().hex[:6]}") for n in range(2)]
    done = await eventually(
        lambda: deliveries(gql, endpoint_id, orgs[0]),
        lambda ds: (
            sum(d["status"] == "SUCCEEDED" and d["eventType"] == "organization.created.v1" for d in ds) >= 1
        ),
        within=30,
    )
    one = next(d for d in done if d["status"] == "SUCCEEDED")
    body = await ask(
        gql, REDELIVER, {"input": {"endpointId": endpoint_id, "deliveryId": one["id"]}}, login=ADMIN
    )
    assert len(body["data"]["redeliverWebhooks"]["webhookDeliveries"]) == 1
    await wait_until(
        lambda: _true(
            len([r for r in receiver.at("/again") if r.headers["webhook-id"] == one["eventId"]]) == 2
        ),
        within=30,
    )

    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    body = await ask(
        gql,
        REDELIVER,
        {"input": {"endpointId": endpoint_id, "since": started.isoformat(), "until": until.isoformat()}},
        login=ADMIN,
    )
    queued = body["data"]["redeliverWebhooks"]["webhookDeliveries"]
    assert len(queued) >= 3

    async def each_twice() -> bool:
        subjects = [r.event.get("subject") for r in receiver.at("/again")]
        return all(subjects.count(org_id) >= 2 for org_id in orgs)

    await wait_until(each_twice, within=30)
    bad = await ask(gql, REDELIVER, {"input": {"endpointId": endpoint_id}}, login=ADMIN)
    assert error_code(bad) == "BAD_USER_INPUT"

    # Both redeliveries are audited (by whom, how many) and announced in the activity feed.
    audited = await admin_conn.fetch(
        "SELECT actor_login, (changes->'deliveries'->>'after')::int AS deliveries FROM audit_log"
        " WHERE action = 'webhook_endpoint.redelivered'"
        " AND entity_id = $1 ORDER BY id",
        endpoint_id,
    )
    assert [row["actor_login"] for row in audited] == [ADMIN, ADMIN]
    assert [row["deliveries"] for row in audited] == [1, len(queued)]
    told = await eventually(
        lambda: ask(gql, REDELIVERED, login=ADMIN),
        lambda body: sum(e["node"]["subject"] == endpoint_id for e in body["data"]["activity"]["edges"]) == 2,
        within=30,
    )
    assert told


async def test_a_rotated_secret_signs_beside_the_old_one_during_the_overlap(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, old_secret, _ = await endpoint(
        gql, admin_conn, receiver, "/rotated", types=["organization.created.v1"]
    )
    body = await ask(gql, ROTATE, {"input": {"endpointId": endpoint_id, "overlapSeconds": 3600}}, login=ADMIN)
    new_secret = body["data"]["rotateWebhookSecret"]["secret"]
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    org_id = await new_org(gql, f"Rotated {uuid.uuid4().hex[:6]}")
    await wait_until(
        lambda: _true([r for r in receiver.at("/rotated") if r.event.get("subject") == org_id]), within=30
    )
    received = next(r for r in receiver.at("/rotated") if r.event.get("subject") == org_id)
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert verified(old_secret, received)["data"]["id"] == org_id
    assert verified(new_secret, received)["data"]["id"] == org_id
    # Without an overlap, the old secret stops signing at once.
    body = await ask(gql, ROTATE, {"input": {"endpointId": endpoint_id, "overlapSeconds": 0}}, login=ADMIN)
    newest = body["data"]["rotateWebhookSecret"]["secret"]
    org_id = await new_org(gql, f"Rotated again {uuid.uuid4().hex[:6]}")
    await wait_until(
        lambda: _true([r for r in receiver.at("/rotated") if r.event.get("subject") == org_id]), within=30
    )
    received = next(r for r in receiver.at("/rotated") if r.event.get("subject") == org_id)
    assert len(received.headers["webhook-signature"].split(" ")) == 1
    verified(newest, received)
    with pytest.raises(WebhookVerificationError):
        verified(new_secret, received)


@pytest.mark.parametrize(
    ("url", "rules"),
    [
        ("https://user:pw@example.com/hook", (True, False)),  # credentials
        ("http://example.com/hook", (True, True)),  # not HTTPS where HTTPS is required
        ("http://127.0.0.1:9/hook", (False, False)),  # loopback
        ("http://localhost:9/hook", (False, False)),  # a name that resolves to loopback
        ("http://[::1]:9/hook", (False, False)),
        ("http://169.254.169.254/latest/meta-data", (False, False)),  # link-local (cloud metadata)
        ("http://10.1.2.3/hook", (False, False)),
        ("http://192.168.0.10/hook", (False, False)),
        ("http://[fd00::1]/hook", (False, False)),  # IPv6 unique local
        ("http://[::ffff:127.0.0.1]/hook", (False, False)),  # IPv4-mapped loopback
        ("ftp://example.com/hook", (True, False)),
    ],
)
async def test_urls_that_would_reach_inside_are_refused(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, url: str, rules: tuple[bool, bool]
) -> None:
    from tests.partners.helpers import new_key

    key_id, _ = await new_key(admin_conn, "ssrf")
    await loopback_allowed(gql, allowed=rules[0], https=rules[1])
    try:
        body = await ask(
            gql,
            REGISTER_HOOK,
            {"input": {"apiKeyId": str(key_id), "url": url, "eventTypes": ["*"]}},
            login=ADMIN,
        )
    finally:
        await loopback_allowed(gql)
    assert error_code(body) == "BAD_USER_INPUT", body
    assert body["errors"][0]["extensions"]["field"] == "url"


def test_only_public_addresses_are_public() -> None:
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))
    for private in (
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104  # a string, not a binding
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
    ):
        assert not is_public(ipaddress.ip_address(private)), private


async def test_at_send_time_the_address_is_checked_again_and_redirects_are_not_followed(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, webhooks: Webhooks
) -> None:
    receiver = webhooks.receiver
    await loopback_allowed(gql)
    endpoint_id, _, _ = await endpoint(gql, admin_conn, receiver, "/moved", types=["organization.updated.v1"])
    org_id = await new_org(gql, f"Moved {uuid.uuid4().hex[:6]}")
    receiver.answer(
        "/moved",
        of_subject(org_id),
        Answer(302, location=receiver.url("/elsewhere")),
        Answer(200, body_bytes=10 << 20),
    )
    await rename_org(gql, org_id, "Moved once")

    def mine() -> list[Received]:
        return [r for r in receiver.at("/moved") if r.event.get("subject") == org_id]

    found = await eventually(
        lambda: deliveries(gql, endpoint_id, org_id),
        lambda ds: bool(ds) and ds[0]["status"] == "SUCCEEDED",
        within=30,
    )
    log = found[0]["log"]
    assert [a["responseCode"] for a in log] == [302, 200]
    assert "not followed" in log[0]["error"]
    assert receiver.at("/elsewhere") == []  # the 10 MB answer was cut off, and still a success

    # The tenant stops allowing private addresses: the next send is refused before connecting.
    await loopback_allowed(gql, allowed=False)
    try:
        before = len(mine())
        await rename_org(gql, org_id, "Moved twice")
        found = await eventually(
            lambda: deliveries(gql, endpoint_id, org_id),
            lambda ds: len(ds) == 2 and ds[0]["attempts"] >= 1,
            within=30,
        )
        assert "non-public" in found[0]["log"][0]["error"]
        assert len(mine()) == before
    finally:
        await loopback_allowed(gql)
    await wait_until(lambda: _true(len(mine()) == before + 1), within=30)
    assert orjson.loads(mine()[-1].body)["data"]["name"] == "Moved twice"


async def test_changing_the_webhook_rules_is_audited(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    await loopback_allowed(gql, allowed=True)
    await loopback_allowed(gql, allowed=False, https=True)
    try:
        row = await admin_conn.fetchrow(
            "SELECT actor_login, changes FROM audit_log WHERE action = 'webhook_settings.changed' ORDER BY id DESC LIMIT 1"
        )
    finally:
        await loopback_allowed(gql)
    assert row is not None
    assert row["actor_login"] == ADMIN
    assert "allowPrivateAddresses" in str(row["changes"])
