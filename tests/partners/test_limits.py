"""Limits per key through HTTP and WebSocket with a real key, across two gateway replicas."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
from graphql import parse

from schema import build_schema
from schema.limits import operation_cost
from services.core.settings import Settings
from tests.conftest import GraphQLClient, RunningServer, error_code
from tests.gateway.ws_client import answer, open_socket, send_operation
from tests.partners.helpers import ORGS, SET_LIMITS, new_key, post

CHEAP = "{ __typename }"


async def _limit(gql: GraphQLClient, key_id: object, **limits: int) -> None:
    body = await gql(SET_LIMITS, {"input": {"apiKeyId": str(key_id), **limits}}, login="alliance-admin")
    assert error_code(body) is None, body


async def test_over_the_request_rate_answers_429_with_headers_on_every_replica(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    key_id, key = await new_key(admin_conn, "限流测试")
    # one request a minute, two at once: the third within the minute is refused
    await _limit(gql, key_id, requestsPerMinute=1, burst=2)
    first = await post(http, key, {"query": CHEAP})
    assert first.status_code == 200
    assert first.headers["RateLimit-Limit"] == "2"
    assert first.headers["RateLimit-Remaining"] == "1"
    assert int(first.headers["RateLimit-Reset"]) > 0

    replica = RunningServer(settings)  # a second gateway sharing only the database
    await replica.start()
    try:
        async with httpx.AsyncClient(base_url=replica.base_url, timeout=10) as other:
            second = await post(other, key, {"query": CHEAP})
            assert second.status_code == 200 and second.headers["RateLimit-Remaining"] == "0"
            third = await post(other, key, {"query": CHEAP})
    finally:
        await replica.stop()
    assert third.status_code == 429
    assert error_code(third.json()) == "RATE_LIMITED"
    assert int(third.headers["Retry-After"]) >= 1

    # another key of the same tenant is not affected
    _, neighbour = await new_key(admin_conn, "邻居密钥")
    assert (await post(http, neighbour, {"query": CHEAP})).status_code == 200


async def test_the_cost_budget_is_charged_per_operation(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    key_id, key = await new_key(admin_conn, "成本测试")
    cost = operation_cost(build_schema(settings)._schema, parse(ORGS), None, settings.limits.max_page_size)
    assert cost > 2
    # two fit in the budget, the third does not (the cost refills by 1/60 of it a second)
    await _limit(gql, key_id, requestsPerMinute=1000, burst=1000, costPerMinute=2 * cost + cost // 2)
    answers = [await post(http, key, {"query": ORGS}) for _ in range(3)]
    assert [a.status_code for a in answers[:2]] == [200, 200]
    assert answers[2].status_code == 429 and error_code(answers[2].json()) == "RATE_LIMITED"
    # a cheap one still fits
    assert (await post(http, key, {"query": CHEAP})).status_code == 200


async def test_limits_hold_over_a_websocket(
    gql: GraphQLClient, server: RunningServer, admin_conn: asyncpg.Connection
) -> None:
    key_id, key = await new_key(admin_conn, "长连接限流")
    await _limit(gql, key_id, requestsPerMinute=1, burst=1)
    ws = await open_socket(server, {"X-Api-Key": key})
    try:
        await send_operation(ws, "one", CHEAP)
        assert (await answer(ws, "one"))["type"] == "next"
        await send_operation(ws, "two", CHEAP)
        refused = await answer(ws, "two")
    finally:
        await ws.close()
    # refused before execution: graphql-transport-ws answers an "error" message
    assert refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"  # type: ignore[index]


async def test_limits_refuse_bad_values(gql: GraphQLClient, admin_conn: asyncpg.Connection) -> None:
    key_id, _ = await new_key(admin_conn, "坏限额")
    body = await gql(SET_LIMITS, {"input": {"apiKeyId": str(key_id), "burst": 0}}, login="alliance-admin")
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "burst"  # type: ignore[index]
    partner = await gql(SET_LIMITS, {"input": {"apiKeyId": str(key_id), "burst": 5}}, login="member")
    assert error_code(partner) == "FORBIDDEN"


async def test_limits_beyond_the_database_integer_answer_bad_user_input(
    gql: GraphQLClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, _ = await new_key(admin_conn, "大数限额")
    body = await gql(
        SET_LIMITS,
        {"input": {"apiKeyId": str(key_id), "costPerMinute": 109992361954}},
        login="alliance-admin",
    )
    assert error_code(body) == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == "costPerMinute"  # type: ignore[index]


async def test_a_document_over_the_cost_limit_is_refused_as_invalid_not_as_a_crash(
    http: httpx.AsyncClient, admin_conn: asyncpg.Connection, demo: object
) -> None:
    _, key = await new_key(admin_conn, "超限文档")
    huge = "{ organizations(first: 2147483647) { edges { node { children { name } parent { name } } } } }"
    answer = await post(http, key, {"query": huge})
    assert answer.status_code == 400
    assert error_code(answer.json()) == "GRAPHQL_VALIDATION_FAILED"
    assert answer.headers["RateLimit-Remaining"].isdigit()  # charged as a request all the same


async def test_a_refused_key_is_refused_again_without_asking_the_database_until_retry_after(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    key_id, key = await new_key(admin_conn, "反复超限")
    await _limit(gql, key_id, requestsPerMinute=1, burst=1)
    assert (await post(http, key, {"query": CHEAP})).status_code == 200
    refused = await post(http, key, {"query": CHEAP})  # PostgreSQL refuses: one request a minute
    assert refused.status_code == 429

    async def bucket() -> object:
        # Every admission PostgreSQL decides writes the key's bucket row (a new row version).
        return await admin_conn.fetchval(
            "SELECT xmin::text FROM partner_buckets WHERE api_key_id = $1", key_id
        )

    asked = await bucket()
    again = [await post(http, key, {"query": CHEAP}) for _ in range(3)]
    for response in again:
        assert response.status_code == 429 and error_code(response.json()) == "RATE_LIMITED"
        assert 1 <= int(response.headers["Retry-After"]) <= int(refused.headers["Retry-After"])
        assert response.headers["RateLimit-Remaining"] == "0"
        assert response.headers["RateLimit-Limit"] == "1"
    assert await bucket() == asked  # refused by the process, the database not asked


async def test_a_refused_credential_is_answered_before_authentication(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    """After PostgreSQL refused a key, its credential gets the same 429 without being looked
    up: a burst costs no key lookup. The sign: a key marked revoked behind the platform's back
    (in SQL, its role kept) still gets the 429, not 401, until that Retry-After. Revoking
    through the API drops the key's role, which the process hears of (test_refusals_before_authentication.py)."""
    key_id, key = await new_key(admin_conn, "认证前拒绝")
    await _limit(gql, key_id, requestsPerMinute=1, burst=1)
    assert (await post(http, key, {"query": CHEAP})).status_code == 200
    refused = await post(http, key, {"query": CHEAP})
    assert refused.status_code == 429
    await admin_conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1", key_id)
    again = await post(http, key, {"query": CHEAP})
    assert again.status_code == 429
    assert again.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert again.json().keys() == refused.json().keys()
    for header in ("RateLimit-Limit", "RateLimit-Remaining"):
        assert again.headers[header] == refused.headers[header]
    assert 1 <= int(again.headers["Retry-After"]) <= int(refused.headers["Retry-After"])
    # Another credential is authenticated as usual: a wrong secret of the same key is 401.
    wrong = await post(http, key[:-4] + "AAAA", {"query": ORGS})
    assert error_code(wrong.json()) == "UNAUTHENTICATED"


async def test_concurrent_requests_of_a_key_ask_postgresql_one_at_a_time(
    gql: GraphQLClient, http: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    """A burst's requests wait for the key's admission in flight: once it comes back refused,
    they take that refusal without asking (each admission PostgreSQL decides writes the
    key's bucket row, in a statement of its own: counted here by a trigger, per transaction)."""
    key_id, key = await new_key(admin_conn, "并发突发")
    await _limit(gql, key_id, requestsPerMinute=1, burst=1)
    await admin_conn.execute(
        """
        CREATE TABLE test_bucket_writes (api_key_id uuid, xact bigint);
        CREATE FUNCTION test_count_bucket_write() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO test_bucket_writes VALUES (NEW.api_key_id, txid_current()); RETURN NEW; END $$;
        CREATE TRIGGER test_count_bucket_write AFTER INSERT OR UPDATE ON partner_buckets
        FOR EACH ROW EXECUTE FUNCTION test_count_bucket_write();
        """
    )
    try:
        answers = await asyncio.gather(*(post(http, key, {"query": CHEAP}) for _ in range(20)))
        writes = await admin_conn.fetchval(
            "SELECT count(DISTINCT xact) FROM test_bucket_writes WHERE api_key_id = $1", key_id
        )
    finally:
        await admin_conn.execute(
            "DROP TRIGGER test_count_bucket_write ON partner_buckets;"
            " DROP FUNCTION test_count_bucket_write(); DROP TABLE test_bucket_writes"
        )
    assert sorted(a.status_code for a in answers) == [200] + [429] * 19
    assert writes == 2  # the one admission, then the one refusal the others took (a statement each)
