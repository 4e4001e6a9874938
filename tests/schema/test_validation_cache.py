"""A query text is validated once: the limit rules are made once per schema, not per request."""

from __future__ import annotations

from strawberry.extensions.validation_cache import _get_validate_cache

from schema import build_schema
from services.core.settings import Settings

QUERY = "{ __typename }"


async def test_the_second_execution_hits_the_validation_cache() -> None:
    schema = build_schema(Settings())
    cache = _get_validate_cache(512)
    await schema.execute(QUERY)
    before = cache.cache_info()
    result = await schema.execute(QUERY)
    after = cache.cache_info()
    assert result.errors is None
    assert after.hits == before.hits + 1
    assert after.misses == before.misses
