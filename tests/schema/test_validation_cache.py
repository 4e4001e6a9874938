"""A query text is validated once: the limit rules are made once per schema, not per request."""

from __future__ import annotations

from schema import build_schema
from schema.limits import validation_results
from services.core.settings import Settings

QUERY = "{ __typename }"


async def test_the_second_execution_hits_the_validation_cache() -> None:
    schema = build_schema(Settings())
    await schema.execute(QUERY)
    hits, misses = validation_results.hits, validation_results.misses
    result = await schema.execute(QUERY)
    assert result.errors is None
    assert (validation_results.hits, validation_results.misses) == (hits + 1, misses)
