"""webhookDelivery(id) answers one delivery, with its log, to exactly those to whom
webhookDeliveries shows it, and shows no more of the log than the list does."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import GraphQLClient, error_code
from tests.partners.helpers import finished_delivery, new_key, quiet_endpoint

LOG = "attempt request responseCode durationMs error createdAt"
FIELDS = (
    "id endpointId eventId eventType subject status attempts nextAttemptAt lastResponseCode createdAt"
    f" finishedAt log {{ {LOG} }}"
)
DELIVERY = f"query($id: ID!) {{ webhookDelivery(id: $id) {{ {FIELDS} }} }}"
NODE = f"query($id: ID!) {{ node(id: $id) {{ __typename ... on WebhookDelivery {{ {FIELDS} }} }} }}"
DELIVERIES = f"query($e: ID!) {{ webhookDeliveries(endpointId: $e) {{ edges {{ node {{ {FIELDS} }} }} }} }}"


async def _delivered(admin_conn: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> tuple[str, str]:
    endpoint = await quiet_endpoint(admin_conn, tenant_id, name)
    return str(endpoint), str(await finished_delivery(admin_conn, tenant_id, endpoint))


async def test_a_delivery_by_id_as_the_list_shows_it(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    endpoint, delivery = await _delivered(admin_conn, demo["demo"], "投递-按标识")
    listed = await gql(DELIVERIES, {"e": endpoint}, login="alliance-admin")
    [entry] = [edge["node"] for edge in listed["data"]["webhookDeliveries"]["edges"]]  # type: ignore[index]
    assert entry["id"] == delivery and entry["status"] == "DEAD"
    assert [line["responseCode"] for line in entry["log"]] == [500], "the log comes with the delivery"
    assert await gql(DELIVERY, {"id": delivery}, login="alliance-admin") == {
        "data": {"webhookDelivery": entry}
    }
    assert await gql(NODE, {"id": delivery}, login="alliance-admin") == {
        "data": {"node": {"__typename": "WebhookDelivery", **entry}}
    }


async def test_another_alliances_an_unknown_or_a_malformed_id(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    _, delivery = await _delivered(admin_conn, demo["demo"], "投递-他区")
    for given, tenant, code in (
        (delivery, "other", "NOT_FOUND"),
        (str(uuid.uuid4()), "demo", "NOT_FOUND"),
        ("x1", "demo", "BAD_USER_INPUT"),
    ):
        body = await gql(DELIVERY, {"id": given}, login="alliance-admin", tenant=tenant)
        assert body["data"] is None and error_code(body) == code, given
        assert body["errors"][0]["extensions"]["field"] == "id"  # type: ignore[index]
    other = await gql(NODE, {"id": delivery}, login="alliance-admin", tenant="other")
    assert other["data"] == {"node": None} and error_code(other) == "NOT_FOUND"


async def test_only_admins_read_a_delivery(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID]
) -> None:
    endpoint, delivery = await _delivered(admin_conn, demo["demo"], "投递-角色")
    _, own_key = await new_key(admin_conn, "投递-合作方")
    asking: list[dict[str, object]] = [{"login": login} for login in ("street-admin", "member", "auditor")]
    asking.append({"headers": {"x-api-key": own_key}})
    for asked in asking:
        assert error_code(await gql(DELIVERIES, {"e": endpoint}, **asked)) == "FORBIDDEN", asked  # type: ignore[arg-type]
        body = await gql(DELIVERY, {"id": delivery}, **asked)  # type: ignore[arg-type]
        assert body["data"] is None and error_code(body) == "FORBIDDEN", asked
