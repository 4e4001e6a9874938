"""Refusals before authentication: a refused key's answers are held, boundedly; a credential's
gate; and revoking a refused key is heard.

Each test serves the platform itself (a replica sharing the session's database) with the hold
it needs; the holds are observed through the process's own ``Refusals``, never by a clock.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import asyncpg
import httpx
from prometheus_client import REGISTRY

from schema.partners.admission import credential_digest, refusals_of
from services.core.settings import Settings
from services.partners.admission import Refusals
from tests.conftest import GraphQLClient, RunningServer, error_code
from tests.partners.helpers import ORGS, SET_LIMITS, new_key, post
from tests.support.polling import eventually

CHEAP = "{ __typename }"
REVOKE = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }"


@asynccontextmanager
async def _replica(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Refusals]]:
    """A gateway with ``settings``, a client of it, and its process's refusals."""
    replica = RunningServer(settings)
    await replica.start()
    view = next(route.endpoint for route in replica.app.routes if getattr(route, "path", "") == "/graphql")
    try:
        async with httpx.AsyncClient(base_url=replica.base_url, timeout=30) as client:
            yield client, refusals_of(view.schema)
    finally:
        await replica.stop()


async def _refused_key(gql: GraphQLClient, admin_conn: asyncpg.Connection, name: str) -> tuple[object, str]:
    key_id, key = await new_key(admin_conn, name)
    body = await gql(
        SET_LIMITS,
        {"input": {"apiKeyId": str(key_id), "requestsPerMinute": 1, "burst": 1}},
        login="alliance-admin",
    )
    assert error_code(body) is None, body
    return key_id, key


async def test_a_refused_credentials_answers_are_held_and_at_most_so_many_at_once(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    _, key = await _refused_key(gql, admin_conn, "持有拒绝")
    _, neighbour = await new_key(admin_conn, "持有邻居")
    # Ten seconds: long enough to look at the held answer, short enough for the replica to
    # stop after it (a server drains its requests, a held one too).
    held = replace(settings, rate_limit_hold_ms=10_000, rate_limit_max_held=1)
    async with _replica(held) as (client, refusals):
        assert (await post(client, key, {"query": CHEAP})).status_code == 200
        # PostgreSQL's refusal is answered at once: the process learns of it only now.
        assert (await post(client, key, {"query": CHEAP})).status_code == 429
        assert refusals.held == 0
        waiting = asyncio.create_task(post(client, key, {"query": CHEAP}))

        async def held() -> int:
            return refusals.held

        await eventually(held, lambda count: count == 1, within=10)
        # The one answer held is all that may be: the next is answered at once, with 429.
        over = await post(client, key, {"query": CHEAP})
        assert over.status_code == 429 and error_code(over.json()) == "RATE_LIMITED"
        # Other keys are served meanwhile.
        assert (await post(client, neighbour, {"query": CHEAP})).status_code == 200
        assert not waiting.done() and refusals.held == 1
        waiting.cancel()


async def test_a_key_revoked_after_its_refusal_is_answered_401_once_the_process_hears_of_it(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    key_id, key = await _refused_key(gql, admin_conn, "拒绝后吊销")
    async with _replica(replace(settings, rate_limit_hold_ms=0)) as (client, _):
        assert (await post(client, key, {"query": CHEAP})).status_code == 200
        assert (await post(client, key, {"query": CHEAP})).status_code == 429
        assert (await post(client, key, {"query": CHEAP})).status_code == 429  # remembered
        revoked = await gql(REVOKE, {"id": str(key_id)}, login="alliance-admin")
        assert error_code(revoked) is None, revoked

        async def answer() -> httpx.Response:
            return await post(client, key, {"query": ORGS})

        # The revocation drops the key's partner role; the process hears of it and asks again.
        found = await eventually(
            answer, lambda response: response.status_code != 429, within=20, interval=0.1
        )
        assert error_code(found.json()) == "UNAUTHENTICATED"


def _early() -> float:
    return REGISTRY.get_sample_value("alliance_partner_refused_before_authentication_total") or 0.0


async def test_a_new_credentials_burst_is_refused_before_authentication_after_its_first_refusal(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    """The gate lets one request of a credential not seen before go first; the burst's others
    wait for its admission, then one more (the key has none left), and when PostgreSQL refuses
    that one, the rest take its refusal without being authenticated."""
    _, key = await _refused_key(gql, admin_conn, "新凭据突发")
    async with _replica(replace(settings, rate_limit_hold_ms=0)) as (client, _):
        before = _early()
        answers = await asyncio.gather(*(post(client, key, {"query": CHEAP}) for _ in range(20)))
        assert sorted(answer.status_code for answer in answers) == [200] + [429] * 19
        assert _early() - before == 18  # all but the one admitted and the one PostgreSQL refused


async def test_the_gate_lets_a_keys_requests_through_while_it_has_some_left(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    key_id, key = await new_key(admin_conn, "闸门放行")
    body = await gql(
        SET_LIMITS,
        {"input": {"apiKeyId": str(key_id), "requestsPerMinute": 60, "burst": 8}},
        login="alliance-admin",
    )
    assert error_code(body) is None, body
    async with _replica(settings) as (client, refusals):
        answers = await asyncio.gather(*(post(client, key, {"query": CHEAP}) for _ in range(8)))
        assert [answer.status_code for answer in answers] == [200] * 8
        gate = refusals.gates.of(credential_digest({"x-api-key": key}))  # type: ignore[arg-type]
        assert gate.in_flight == 0


async def test_requests_that_never_reach_admission_give_their_turn_back(
    admin_conn: asyncpg.Connection, settings: Settings, demo: dict[str, uuid.UUID]
) -> None:
    """A request refused before its admission (here a malformed persistedQuery) ends its turn
    at the gate when it is answered, so the credential's next requests are not kept waiting."""
    _, key = await new_key(admin_conn, "闸门归还")
    bad = {"query": CHEAP, "extensions": {"persistedQuery": {"version": 2}}}
    async with _replica(settings) as (client, refusals):
        answers = await asyncio.gather(*(post(client, key, bad) for _ in range(5)))
        assert {error_code(answer.json()) for answer in answers} == {"PERSISTED_QUERY_NOT_SUPPORTED"}
        gate = refusals.gates.of(credential_digest({"x-api-key": key}))  # type: ignore[arg-type]
        assert gate.in_flight == 0
        assert (await post(client, key, {"query": CHEAP})).status_code == 200
