"""Fuzz the whole API from its exported SDL: no input may answer INTERNAL_SERVER_ERROR or 5xx.

hypothesis-graphql generates queries and mutations of ``schema/schema.graphql`` with hostile
scalar values (NUL, long text, odd cursors, dates around year 0 and 9999, odd offsets, real
and made-up ids); some arguments are then moved into variables, whose values may turn into
lone surrogates or integers beyond 32 and 64 bits (which literals cannot carry). Every
operation goes over real HTTP as one of the demo roles, a partner key or nobody.

The mutations change data, so the fuzzer gets a database of its own (migrated, demo data
loaded) and a server of its own. Examples are generated deterministically (``derandomize``)
first and sent afterwards, so a failure lists the exact request, and CI sees the same run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema

from services.core.dsn import with_database
from services.core.migrations import migrate
from services.core.settings import Settings
from services.directory.demo import seed_directory
from services.directory.operations import create_api_key
from tests.conftest import RunningServer, Tokens

SDL = (Path(__file__).parents[2] / "schema" / "schema.graphql").read_text()
SCHEMA = graphql.build_schema(SDL)
EXAMPLES = 260  # about 20 s on a quiet 2-core machine, generation included
LOGINS = ("alliance-admin", "street-admin", "soe-admin", "member", "auditor")
ROLES = (*LOGINS, "partner", "nobody")


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


HOSTILE_TEXT = [
    "",
    " ",
    "a\u0000b",
    "党建" * 40,
    "x" * 20_000,
    "YWN0aXZpdHk6wrI=",  # "activity:²"
    _cursor("activity:" + "9" * 30),
    _cursor("audit:-1"),
    _cursor("resource:" + str(uuid.uuid4())),
    _cursor("organization:nope"),
    "%_\\",
    "booking.*",
    "'; SELECT pg_sleep(10); --",
]
HOSTILE_DATES = [
    "2030-01-01T10:00:00+08:00",
    "2030-01-03T10:00:00Z",
    "2031-01-01T10:00:00+08:00",
    "2030-01-01T10:00:00",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59.999999+00:00",
    "0001-01-01T00:00:00+14:00",
    "1899-12-31T23:00:00+00:00",
    "2030-02-30T00:00:00Z",
    "2030-01-01T10:00:00+23:59",
    "yesterday",
]
HOSTILE_DAYS = ["2030-01-01", "9999-12-31", "0001-01-01", "2030-02-30", "2030-1-1"]
BIG_INTS = [2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**30]
SURROGATE = "\ud800x\udfff"


def _string_node(texts: st.SearchStrategy[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return texts.map(lambda text: graphql.StringValueNode(value=text))


@dataclass(frozen=True)
class Request:
    """One generated operation and who sends it."""

    query: str
    variables: dict[str, Any]
    role: str


def _type_node(type_: graphql.GraphQLInputType) -> graphql.TypeNode:
    return graphql.parse_type(str(type_))


class _Hoist(graphql.Visitor):
    """Moves chosen arguments into variables of the argument's type."""

    def __init__(self, type_info: graphql.TypeInfo, choose: Callable[[], bool]) -> None:
        super().__init__()
        self.type_info = type_info
        self.choose = choose
        self.definitions: list[graphql.VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: graphql.ArgumentNode, *_args: object) -> graphql.ArgumentNode | None:
        argument = self.type_info.get_argument()
        if argument is None or not self.choose():
            return None
        name = f"v{len(self.definitions)}"
        variable = graphql.VariableNode(name=graphql.NameNode(value=name))
        self.definitions.append(
            graphql.VariableDefinitionNode(variable=variable, type=_type_node(argument.type))
        )
        self.values[name] = graphql.value_from_ast_untyped(node.value)
        return graphql.ArgumentNode(name=node.name, value=variable)


def _spoiled(value: Any, draw: st.DrawFn) -> Any:
    """``value`` with some strings made unencodable and some integers made huge."""
    if isinstance(value, str):
        return draw(st.sampled_from([value, value, value + SURROGATE]))
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return draw(st.sampled_from([value, value, *BIG_INTS]))
    if isinstance(value, list):
        return [_spoiled(item, draw) for item in value]
    if isinstance(value, dict):
        return {key: _spoiled(item, draw) for key, item in value.items()}
    return value


# Exact amounts (yuan): too many places, not numbers, huge and tiny exponents.
HOSTILE_DECIMALS = ["1.005", "NaN", "-Infinity", "1e400", "1E+999999", "1e-999999", "abc", "", "-0", "12.50"]


def _requests(ids: list[str]) -> st.SearchStrategy[Request]:
    text = st.one_of(st.text(max_size=12), st.sampled_from(HOSTILE_TEXT))
    id_text = st.one_of(st.sampled_from(ids), st.sampled_from(["nope", "", "a\u0000"]), st.uuids().map(str))
    documents = from_schema(
        SCHEMA,
        custom_scalars={
            "String": _string_node(text),
            "ID": _string_node(id_text),
            "DateTime": _string_node(st.sampled_from(HOSTILE_DATES)),
            "Date": _string_node(st.sampled_from(HOSTILE_DAYS)),
            "JSON": _string_node(text),
            "Decimal": _string_node(st.sampled_from(HOSTILE_DECIMALS)),
        },
        print_ast=lambda document: document,
    )

    @st.composite
    def build(draw: st.DrawFn) -> Request:
        document = draw(documents)
        type_info = graphql.TypeInfo(SCHEMA)
        hoist = _Hoist(type_info, lambda: draw(st.booleans()))
        edited = graphql.visit(document, graphql.TypeInfoVisitor(type_info, hoist))
        operation = edited.definitions[0]
        operation = replace(operation, variable_definitions=tuple(hoist.definitions))
        query = graphql.print_ast(graphql.DocumentNode(definitions=(operation,)))
        variables = {name: _spoiled(value, draw) for name, value in hoist.values.items()}
        return Request(query=query, variables=variables, role=draw(st.sampled_from(ROLES)))

    return build()


def generate(ids: list[str]) -> list[Request]:
    """The fuzz inputs, the same on every run."""
    found: list[Request] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(_requests(ids))
    def collect(request: Request) -> None:
        found.append(request)

    collect()
    return found


@dataclass
class FuzzTarget:
    server: RunningServer
    headers: dict[str, dict[str, str]]
    ids: list[str]


@pytest.fixture(scope="module")
async def target(settings: Settings, admin_url: str) -> AsyncIterator[FuzzTarget]:
    """A server with a database of its own, demo data, a resource and a partner key."""
    name = f"alliance_fuzz_{uuid.uuid4().hex[:8]}"
    owner = await asyncpg.connect(admin_url)
    try:
        await owner.execute(f'CREATE DATABASE "{name}"')
    finally:
        await owner.close()
    url = with_database(admin_url, name)
    await asyncio.to_thread(migrate, replace(Settings(), database_url=url))
    fuzz_settings = replace(settings, database_url=url, relay_in_server=False, workers_in_server=())
    conn = await asyncpg.connect(url)
    server = RunningServer(fuzz_settings)
    try:
        await seed_directory(conn)
        tenants = {row["slug"]: row["id"] for row in await conn.fetch("SELECT slug, id FROM alliances")}
        tokens = Tokens(fuzz_settings, conn, tenants)
        headers = {login: {"authorization": f"Bearer {await tokens(login)}"} for login in LOGINS}
        headers["partner"] = {
            "x-api-key": (await create_api_key(conn, tenant_slug="demo", name="模糊测试")).plaintext
        }
        headers["nobody"] = {}
        ids = [str(row["id"]) for row in await conn.fetch("SELECT id FROM organizations")]
        await server.start()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=30) as http:
            created = await http.post(
                "/graphql",
                json={
                    "query": "mutation($i: CreateResourceInput!) { createResource(input: $i) { resource { id } } }",
                    "variables": {
                        "i": {"kind": "VENUE", "title": "模糊测试场地", "ownerOrgId": ids[1], "capacity": 30}
                    },
                },
                headers=headers["alliance-admin"],
            )
        resource = created.json()["data"]["createResource"]["resource"]["id"]
        yield FuzzTarget(server=server, headers=headers, ids=[*ids, resource])
    finally:
        await server.stop()
        await conn.close()


async def test_no_input_crashes_the_server(target: FuzzTarget) -> None:
    requests = generate(target.ids)
    assert any(r.query.startswith("mutation") for r in requests)
    assert any(r.variables for r in requests)
    crashes: list[str] = []
    async with httpx.AsyncClient(base_url=target.server.base_url, timeout=30) as http:
        for request in requests:
            response = await http.post(
                "/graphql",
                # json.dumps escapes lone surrogates (\ud800) as a hostile client would send them.
                content=json.dumps({"query": request.query, "variables": request.variables}),
                headers={"content-type": "application/json", **target.headers[request.role]},
            )
            codes = [
                error.get("extensions", {}).get("code")
                for error in (response.json().get("errors") or [] if response.status_code < 500 else [])
            ]
            if response.status_code >= 500 or "INTERNAL_SERVER_ERROR" in codes:
                crashes.append(
                    f"{request.role}: {request.query} {json.dumps(request.variables)[:500]}"
                    f" -> {response.status_code} {response.text[:300]}"
                )
    assert not crashes, "\n\n".join(crashes)
