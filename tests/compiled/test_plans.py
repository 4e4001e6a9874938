"""The compiled path is taken where it should be, refused where it must be, and bounded."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from graphql import parse

from bench.api import DEEP, READ
from bench.statements import statements_per_request
from bench.writes import graphql_target
from schema import build_schema
from schema.compiled.compiler import NotCompiled, compile_plan
from schema.compiled.reads import CompiledReads, PlanCache, plan_key
from services.core.principal import Principal
from services.core.settings import Settings
from tests.conftest import Tokens

SCHEMA = build_schema(Settings())
READS: CompiledReads = SCHEMA.compiled_reads


def _compile(document: str, allows: bool = True) -> None:
    compile_plan(READS.schema, READS.mappings, Settings(), parse(document), None, lambda o, a: allows)


async def test_the_benchmark_documents_are_answered_in_one_statement(
    settings: Settings, tokens: Tokens
) -> None:
    """One statement per request: only the compiled path can (the interpreter sends the
    tenant setting, the page and the pool's reset at least)."""
    member = await tokens("member")
    counts = await statements_per_request(
        settings,
        {
            "read": graphql_target(member, READ, {"first": 50}),
            "deep": graphql_target(member, DEEP, {"first": 50}),
        },
    )
    for name in ("read", "deep"):
        assert (counts[name].count, counts[name].detail, counts[name].compiled) == (1, "1 query", True)
        assert counts[name].cold_compile_ms is not None


def test_the_benchmark_documents_compile() -> None:
    _compile(READ)
    _compile(DEEP)


@pytest.mark.parametrize(
    "document",
    [
        'mutation { archiveResource(input: {id: "x"}) { resource { id } } }',
        "subscription { events { type } }",
        "query { resources @skip(if: false) { totalCount } }",
        "query { resources { edges { node { id ... on Resource @include(if: true) { title } } } } }",
        "query { resources { edges { node { menu { name } } } } }",  # not mapped
        "query { resources { edges { node { id id: title } } } }",  # one key, two fields
        "query { __schema { queryType { name } } }",
        "query { viewer { login } }",
    ],
)
def test_what_the_compiler_cannot_express_stays_with_the_interpreter(document: str) -> None:
    with pytest.raises(NotCompiled):
        _compile(document)


def test_a_root_the_role_set_may_not_read_is_not_compiled() -> None:
    """The interpreter answers FORBIDDEN with its message and path."""
    with pytest.raises(NotCompiled):
        _compile(READ, allows=False)


def test_plans_are_kept_per_role_set_not_per_account() -> None:
    tenant = uuid.uuid4()
    member = Principal(uuid.uuid4(), "a", tenant, "demo", frozenset({"member"}))
    same_roles = replace(member, account_id=uuid.uuid4(), login="b")
    promoted = replace(member, roles=frozenset({"member", "org_admin"}))
    assert plan_key(READ, None, member) == plan_key(READ, None, same_roles)
    assert plan_key(READ, None, member) != plan_key(READ, None, promoted)


def test_the_plan_cache_is_bounded_by_entries_and_bytes() -> None:
    principal = Principal(uuid.uuid4(), "a", uuid.uuid4(), "demo", frozenset({"member"}))
    by_entries = PlanCache(max_entries=2, max_bytes=10**9)
    for n in range(5):
        by_entries.put(plan_key(f"query {{ q{n} }}", None, principal), None)
    assert len(by_entries) == 2
    by_bytes = PlanCache(max_entries=100, max_bytes=100)
    for n in range(5):
        by_bytes.put(plan_key("x" * 40 + str(n), None, principal), None)
    assert len(by_bytes) == 2
    assert by_bytes.bytes <= 100
