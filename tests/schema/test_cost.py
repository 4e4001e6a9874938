"""The query cost limit multiplies by list sizes and refuses what passes the maximum."""

from __future__ import annotations

from dataclasses import replace

import pytest

from schema import build_schema
from services.core.settings import GraphQLLimits, Settings

NESTED = (
    "{{ organizations(first: {}) {{ edges {{ node {{ id children {{ id children {{ id name }} }} }} }} }} }}"
)


def _schema(max_cost: int) -> object:
    return build_schema(replace(Settings(), limits=replace(GraphQLLimits(), max_cost=max_cost)))


async def _errors(query: str, max_cost: int, variables: dict[str, object] | None = None) -> list[str]:
    result = await _schema(max_cost).execute(query, variable_values=variables)  # type: ignore[attr-defined]
    return [e.message for e in result.errors or [] if "cost" in e.message]


async def test_cost_grows_with_page_size_and_nested_lists() -> None:
    # organizations 1 + 5 × (edges 1 + node 1 + id 1 + children (1 + 10 × (id 1 + children (1 + 10 × 2)))) = 1121
    assert await _errors(NESTED.format(5), max_cost=1121) == []
    assert await _errors(NESTED.format(5), max_cost=1120) == [
        "Query cost 1121 exceeds the maximum of 1120; ask for less."
    ]


async def test_variable_page_size_counts_as_the_maximum() -> None:
    query = "query($n: Int) { organizations(first: $n) { edges { node { id } } } }"
    # 1 + 100 (maximum page size) × (1 + 1 + 1)
    assert await _errors(query, max_cost=301, variables={"n": 1}) == []
    assert await _errors(query, max_cost=300, variables={"n": 1})


async def test_fragments_are_counted() -> None:
    query = "query { organizations(first: 10) { edges { node { ...F } } } } fragment F on Organization { id name }"
    # 1 + 10 × (1 + 1 + 2)
    assert await _errors(query, max_cost=41) == []
    assert await _errors(query, max_cost=40)


@pytest.mark.parametrize("first", [50, 100])
async def test_default_limit_refuses_explosive_nesting(first: int) -> None:
    explosive = f"{{ organizations(first: {first}) {{ edges {{ node {{ children {{ children {{ children {{ id }} }} }} }} }} }} }}"
    assert await _errors(explosive, max_cost=Settings().limits.max_cost)
