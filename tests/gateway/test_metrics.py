"""/metrics on the gateway: each series moves when what it counts happens, over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from tests.conftest import RunningServer, Tokens
from tests.support.metrics import scrape
from tests.support.polling import eventually
from tests.support.ws import bearer, handshake, open_socket, subscribe

PROBE = "query MetricsProbe { viewer { login } }"
SUBSCRIBE = "subscription { events { id } }"


async def _post(http: httpx.AsyncClient, body: dict[str, object], token: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await http.post("/graphql", json=body, headers=headers)


async def test_operations_are_counted_by_name_and_outcome_with_latency(
    http: httpx.AsyncClient, tokens: Tokens
) -> None:
    series = "alliance_graphql_requests_total"
    ok = await scrape(http, series, operation="MetricsProbe", outcome="ok")
    timed = await scrape(http, "alliance_graphql_request_duration_seconds_count", operation="MetricsProbe")
    in_a_second = await scrape(
        http, "alliance_graphql_request_duration_seconds_bucket", operation="MetricsProbe", le="+Inf"
    )
    rejected = await scrape(http, series, operation="anonymous", outcome="rejected")
    failed = await scrape(http, series, operation="MetricsProbe", outcome="error")

    answer = await _post(http, {"query": PROBE, "operationName": "MetricsProbe"}, await tokens("member"))
    assert answer.json()["data"]["viewer"]["login"] == "member"
    assert (await _post(http, {"query": "{ viewer {"})).status_code == 400
    unauthenticated = await _post(http, {"query": PROBE, "operationName": "MetricsProbe"})
    assert unauthenticated.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    assert await scrape(http, series, operation="MetricsProbe", outcome="ok") == ok + 1
    assert await scrape(http, series, operation="anonymous", outcome="rejected") >= rejected + 1
    assert await scrape(http, series, operation="MetricsProbe", outcome="error") == failed + 1
    assert (
        await scrape(http, "alliance_graphql_request_duration_seconds_count", operation="MetricsProbe")
        == timed + 2
    )
    assert (
        await scrape(
            http, "alliance_graphql_request_duration_seconds_bucket", operation="MetricsProbe", le="+Inf"
        )
        == in_a_second + 2
    )


async def test_errors_are_counted_by_code(http: httpx.AsyncClient) -> None:
    parse = await scrape(http, "alliance_graphql_errors_total", code="GRAPHQL_PARSE_FAILED")
    unauthenticated = await scrape(http, "alliance_graphql_errors_total", code="UNAUTHENTICATED")
    await _post(http, {"query": "{ viewer {"})
    await _post(http, {"query": PROBE})
    assert await scrape(http, "alliance_graphql_errors_total", code="GRAPHQL_PARSE_FAILED") >= parse + 1
    assert await scrape(http, "alliance_graphql_errors_total", code="UNAUTHENTICATED") >= unauthenticated + 1


async def test_the_pool_shows_connections_in_use_and_callers_waiting(
    http: httpx.AsyncClient, server: RunningServer
) -> None:
    pool = server.app.state.alliance.pool
    held = [await pool.acquire() for _ in range(pool.get_max_size())]

    async def one_more() -> object:
        return await pool.acquire()

    queued = asyncio.create_task(one_more())
    try:
        await eventually(
            lambda: scrape(http, "alliance_db_pool_connections", state="in_use"),
            lambda value: value >= len(held),
        )
        await eventually(lambda: scrape(http, "alliance_db_pool_waiting"), lambda value: value >= 1)
    finally:
        for connection in held:
            await pool.release(connection)
        await pool.release(await queued)
    await eventually(lambda: scrape(http, "alliance_db_pool_waiting"), lambda value: value == 0)
    await eventually(
        lambda: scrape(http, "alliance_db_pool_connections", state="in_use"),
        lambda value: value < len(held),
    )


async def test_live_subscribers_are_counted(
    http: httpx.AsyncClient, tokens: Tokens, server: RunningServer
) -> None:
    before = await scrape(http, "alliance_live_subscribers")
    ws = await open_socket(server)
    try:
        assert (await handshake(ws, bearer(await tokens("member"))))["type"] == "connection_ack"
        await subscribe(ws, SUBSCRIBE)
        await eventually(lambda: scrape(http, "alliance_live_subscribers"), lambda value: value == before + 1)
    finally:
        with contextlib.suppress(Exception):
            await ws.close()
    await eventually(lambda: scrape(http, "alliance_live_subscribers"), lambda value: value == before)


COMPILED_PROBE = """
query CompiledProbe($first: Int!) {
  resources(first: $first, filter: {status: PUBLISHED}) { edges { node { id title } } }
}
"""


async def test_reads_answered_by_the_compiled_path_are_counted_too(
    http: httpx.AsyncClient, tokens: Tokens
) -> None:
    token = await tokens("member")
    before = await scrape(http, "alliance_graphql_requests_total", operation="CompiledProbe", outcome="ok")
    body = {"query": COMPILED_PROBE, "operationName": "CompiledProbe", "variables": {"first": 3}}
    # The first is interpreted (and teaches the plan cache); the second is answered compiled.
    for _ in range(2):
        assert "errors" not in (await _post(http, body, token)).json()
    assert (
        await scrape(http, "alliance_graphql_requests_total", operation="CompiledProbe", outcome="ok")
        == before + 2
    )
