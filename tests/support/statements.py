"""Counting the SQL statements a GraphQL document sends: an app-role pool of one connection with a
query logger, and a request context for executing the schema in-process on it."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import MISSING
from typing import Any

import asyncpg
import orjson
import pytest
from asyncpg.connection import LoggedQuery

from schema.context import Context
from services.core.db import app_dsn
from services.core.settings import Settings

# Transaction bookkeeping around a request's work (tenant scope, the pool's reset).
BOOKKEEPING = ("BEGIN", "COMMIT", "ROLLBACK", "SELECT set_config(", "SELECT pg_advisory_unlock_all()")


def context_for(**given: Any) -> Context:
    """A request context for in-process execution; what this query does not use (the HTTP
    request, the broker, the live stream…) stays None."""
    unused: dict[str, Any] = {
        f.name: None
        for f in dataclasses.fields(Context)
        if f.name not in given and f.default is MISSING and f.default_factory is MISSING
    }
    return Context(**given, **unused)


class StatementLog:
    def __init__(self) -> None:
        self.queries: list[str] = []

    def __call__(self, record: LoggedQuery) -> None:
        self.queries.append(record.query)


@pytest.fixture
async def counting_pool(settings: Settings) -> AsyncIterator[tuple[asyncpg.Pool, StatementLog]]:
    """An app-role pool whose every statement is logged (as the platform's, plus a query logger)."""
    log = StatementLog()

    async def init(conn: asyncpg.Connection) -> None:
        for name in ("json", "jsonb"):
            await conn.set_type_codec(
                name,
                encoder=lambda v: orjson.dumps(v, default=str).decode(),
                decoder=orjson.loads,
                schema="pg_catalog",
            )
        conn.add_query_logger(log)

    # One connection: asyncpg introspects a type once per connection, so after a warm-up every
    # statement logged is one the request itself sends.
    pool = await asyncpg.create_pool(app_dsn(settings), min_size=1, max_size=1, init=init)
    assert pool is not None
    yield pool, log
    await pool.close()
