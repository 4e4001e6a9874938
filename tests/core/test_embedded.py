"""The embedded default keeps its data folder across restarts, and stops with the server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import psutil  # type: ignore[import-untyped]
import pytest

from services.core.embedded import EmbeddedBroker, free_port, start_postgres, stop_postgres


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


def _serve(data_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"}}
    env.update(ALLIANCE_DATA_DIR=str(data_dir), LOG_JSON="false")
    port = free_port()
    log = (data_dir.parent / "serve.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "services.cli", "serve", "--migrate", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, port


def _wait_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited while starting"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=3).status_code == 200:
                return
        time.sleep(0.2)
    pytest.fail("the server did not become ready")


def _gone(pids: list[int], within: float) -> list[int]:
    """The pids still running after ``within`` seconds of polling (zombies count as gone)."""
    deadline = time.monotonic() + within
    while True:
        alive = [
            pid
            for pid in pids
            if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        ]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _postmaster(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def test_ctrl_c_stops_the_server_and_its_embedded_servers(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, port = _serve(data_dir)
    try:
        _wait_ready(process, port)
        children = [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
        postmaster = _postmaster(data_dir / "pgdata")
        assert children and postmaster is not None
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0  # a hang guard; it takes about 2 s here
        assert _gone([*children, postmaster], within=10) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_the_embedded_servers_die_with_a_killed_server(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    process, port = _serve(data_dir)
    postmaster: int | None = None
    try:
        _wait_ready(process, port)
        postmaster = _postmaster(data_dir / "pgdata")
        brokers = [
            child.pid
            for child in psutil.Process(process.pid).children(recursive=True)
            if "tansu" in " ".join(child.cmdline())
        ]
        assert brokers
        process.kill()
        process.wait(10)
        assert _gone(brokers, within=10) == []
        # pg_ctl daemonises the postmaster; the server's watchdog stops it.
        assert _gone([postmaster], within=30) == []
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if postmaster is not None and psutil.pid_exists(postmaster):
            os.kill(postmaster, signal.SIGTERM)
            _gone([postmaster], within=20)
