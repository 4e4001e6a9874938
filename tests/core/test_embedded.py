"""The embedded default keeps its data folder across restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from services.core.embedded import EmbeddedBroker, start_postgres, stop_postgres


async def _run(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        if ";" in sql:
            return await conn.execute(sql)
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def test_second_start_reuses_the_data_folder(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    url = start_postgres(pgdata)
    asyncio.run(_run(url, "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)"))
    stop_postgres(pgdata)

    url = start_postgres(pgdata)
    try:
        assert asyncio.run(_run(url, "SELECT id FROM kept")) == 42
    finally:
        stop_postgres(pgdata)


def test_embedded_broker_stops_cleanly() -> None:
    broker = EmbeddedBroker()
    broker.start()
    assert broker.process is not None and broker.process.poll() is None
    broker.stop()
    assert broker.process.poll() is not None
