"""No statement holds an app connection past DB_STATEMENT_TIMEOUT_MS, and through the API a
cancelled statement answers TIMEOUT at once instead of hanging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import httpx
import pytest

from services.core.db import create_pool
from services.core.settings import Settings
from tests.conftest import RunningServer, Tokens


@pytest.fixture
async def impatient_pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(replace(settings, db_statement_timeout_ms=200))
    yield pool
    await pool.close()


def test_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({"DB_STATEMENT_TIMEOUT_MS": "2500"}).db_statement_timeout_ms == 2500
    assert Settings.from_env({}).db_statement_timeout_ms == 15_000


async def test_a_long_statement_is_cancelled(impatient_pool: asyncpg.Pool) -> None:
    async with impatient_pool.acquire() as conn:
        with pytest.raises(asyncpg.QueryCanceledError):
            await conn.execute("SELECT pg_sleep(30)")
    # The pool's reset (RESET ALL) on release keeps the connection's startup setting.
    async with impatient_pool.acquire() as conn:
        assert await conn.fetchval("SHOW statement_timeout") == "200ms"


async def test_the_api_answers_timeout_instead_of_hanging(
    settings: Settings, admin_url: str, tokens: Tokens
) -> None:
    server = RunningServer(
        replace(settings, db_statement_timeout_ms=300, relay_in_server=False, workers_in_server=())
    )
    await server.start()
    locker = await asyncpg.connect(admin_url)
    try:
        async with locker.transaction():
            # Every read of resources now waits for this lock until the statement is cancelled.
            await locker.execute("LOCK TABLE resources IN ACCESS EXCLUSIVE MODE")
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
                response = await http.post(
                    "/graphql",
                    json={"query": "{ resources { totalCount } }"},
                    headers={"authorization": f"Bearer {await tokens('member')}"},
                )
    finally:
        await locker.close()
        await server.stop()
    body = response.json()
    assert response.status_code == 200, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["TIMEOUT"]
