"""End-to-end: the gateway over real HTTP, including bad input that must not crash it."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest

from tests.conftest import RunningServer, Tokens
from tests.support.writes import WritesNothing

VERSION_QUERY = "{ apiVersion }"
DEEP_INTROSPECTION = (
    "{ __schema { types { fields { type { fields { type { fields { type { fields { type "
    "{ fields { type { name } } } } } } } } } } } } }"
)


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: apiVersion" for i in range(count)) + " }"


async def assert_still_serving(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": VERSION_QUERY})
    assert response.status_code == 200
    assert response.json()["data"]["apiVersion"]


async def test_healthz_answers_ok(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_database_and_broker(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "outbox": "ok", "relay": "ok"}


async def test_query_over_post_and_get(http: httpx.AsyncClient) -> None:
    posted = await http.post("/graphql", json={"query": VERSION_QUERY})
    got = await http.get("/graphql", params={"query": VERSION_QUERY})
    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json()
    assert posted.json()["data"]["apiVersion"] == "0.1.0"


async def test_graphiql_served_to_browsers(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_request_id_is_echoed_or_made(http: httpx.AsyncClient) -> None:
    mine = await http.get("/healthz", headers={"x-request-id": "abc-123"})
    assert mine.headers["x-request-id"] == "abc-123"
    hostile = await http.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert hostile.headers["x-request-id"] != "bad id\twith spaces"
    assert len(hostile.headers["x-request-id"]) == 32


async def test_access_log_line_carries_request_id(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="alliance.access"):
        response = await http.get("/healthz", headers={"x-request-id": "trace-me"})
    assert response.status_code == 200
    lines = [r for r in caplog.records if r.name == "alliance.access"]
    assert any(getattr(r, "request_id", None) == "trace-me" for r in lines)


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (b"{not json", "application/json", "BAD_REQUEST"),
        (b'{"query": "{ apiVersion "}', "application/json", "GRAPHQL_PARSE_FAILED"),
        (b'{"query": "{ noSuchField }"}', "application/json", "GRAPHQL_VALIDATION_FAILED"),
        (b'{"variables": {}}', "application/json", "BAD_REQUEST"),
        (
            b'{"query": "query A { apiVersion } query B { apiVersion }", "operationName": "C"}',
            "application/json",
            "BAD_REQUEST",
        ),
        (
            b'{"query": "query($n: Int!) { heartbeatCount: apiVersion }", "variables": {}}',
            "application/json",
            "GRAPHQL_VALIDATION_FAILED",
        ),
        (b"query=1", "text/plain", "BAD_REQUEST"),
    ],
)
async def test_bad_requests_get_4xx_with_code(
    http: httpx.AsyncClient, body: bytes, content_type: str, code: str
) -> None:
    response = await http.post("/graphql", content=body, headers={"content-type": content_type})
    assert 400 <= response.status_code < 500
    errors = response.json()["errors"]
    assert errors[0]["extensions"]["code"] == code
    await assert_still_serving(http)


async def test_variable_of_wrong_type_is_bad_user_input(http: httpx.AsyncClient) -> None:
    query = "query($name: String!) { __type(name: $name) { name } }"
    response = await http.post("/graphql", json={"query": query, "variables": {"name": [1]}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("query", "needle", "code"),
    [
        (DEEP_INTROSPECTION, "depth", "GRAPHQL_VALIDATION_FAILED"),
        (aliases(16), "aliases found", "GRAPHQL_VALIDATION_FAILED"),
        ("{ " + "apiVersion " * 2100 + "}", "more than 2000 tokens", "GRAPHQL_PARSE_FAILED"),
        (
            "{ organizations(first: 100) { edges { node { children { children { children { id } } } } } } }",
            "Query cost",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
    ids=["depth", "aliases", "tokens", "cost"],
)
async def test_limits_reject_with_code(http: httpx.AsyncClient, query: str, needle: str, code: str) -> None:
    response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert needle in error["message"]
    assert error["extensions"]["code"] == code
    await assert_still_serving(http)


async def test_two_megabyte_body_is_refused(http: httpx.AsyncClient) -> None:
    query = "{ apiVersion }" + " " * (2 * 1024 * 1024)
    response = await http.post(
        "/graphql",
        content=orjson.dumps({"query": query}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    await assert_still_serving(http)


async def test_two_megabyte_chunked_body_is_refused(http: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"query": "{ apiVersion }'
        for _ in range(32):
            yield b" " * 65536
        yield b'"}'

    response = await http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    await assert_still_serving(http)


async def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """httpx refuses to send over-long URLs, so speak HTTP/1.1 over a plain socket."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_long_query_string_gets_graphql_error(http: httpx.AsyncClient, server: RunningServer) -> None:
    status, body = await raw_get(server.port, "/graphql?query=%7BapiVersion%7D" + "+" * 50_000)
    assert status == 414
    assert orjson.loads(body)["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    await assert_still_serving(http)


async def test_two_megabyte_url_is_refused_and_server_survives(
    http: httpx.AsyncClient, server: RunningServer
) -> None:
    # Past the HTTP parser's own limit uvicorn answers 400 before the app sees the request.
    status, _ = await raw_get(server.port, "/graphql?query=%7BapiVersion%7D" + "+" * 2_100_000)
    assert 400 <= status < 500
    await assert_still_serving(http)


async def test_mutation_over_get_is_refused(
    http: httpx.AsyncClient, tokens: Tokens, writes_nothing: WritesNothing
) -> None:
    """A valid mutation the caller may make over POST is refused over GET, and writes nothing
    (a GET can be triggered by a link or an image tag, so it must never change data)."""
    document = (
        'mutation { createOrganization(input: {name: "经GET创建", kind: AGENCY}) { organization { id } } }'
    )
    headers = {"authorization": f"Bearer {await tokens('alliance-admin')}"}
    async with writes_nothing():
        response = await http.get("/graphql", params={"query": document}, headers=headers)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "mutations are not allowed" in error["message"]
    posted = await http.post("/graphql", json={"query": document}, headers=headers)
    assert posted.json()["data"]["createOrganization"]["organization"]["id"]


async def test_other_methods_are_refused(http: httpx.AsyncClient) -> None:
    response = await http.put("/graphql", json={"query": VERSION_QUERY})
    assert response.status_code == 405
