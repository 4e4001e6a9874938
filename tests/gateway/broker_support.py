"""`alliance serve` as a child process, as `make run` starts it, for tests that kill things."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect

from services.core.dsn import with_database
from services.core.embedded import free_port

SUBSCRIBE = "subscription($types: [String!]) { events(types: $types) { id type subject data } }"


async def wait_until(
    check: Callable[[], Awaitable[bool]], *, within: float, interval: float = 0.1, what: str = "condition"
) -> None:
    """Poll ``check`` until it holds; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not met within {within}s")
        await asyncio.sleep(interval)


async def fresh_database(admin_conn: asyncpg.Connection, admin_url: str, prefix: str) -> tuple[str, str]:
    """Create an empty database; return its name and superuser URL (`--migrate` fills it)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    return name, with_database(admin_url, name)


class ServeProcess:
    """`python -m services.cli serve --migrate --demo` with its output kept in a file."""

    def __init__(self, *, env: dict[str, str], data_dir: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "serve.log"
        self._env = {
            **os.environ,
            "ALLIANCE_DATA_DIR": str(data_dir),
            "LOG_JSON": "false",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "services.cli",
                    "serve",
                    "--migrate",
                    "--demo",
                    "--port",
                    str(self.port),
                ],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def status(self, path: str) -> int | None:
        try:
            async with httpx.AsyncClient(base_url=self.base_url, timeout=5) as client:
                return (await client.get(path)).status_code
        except httpx.HTTPError:
            return None

    async def wait_ready(self, within: float = 90) -> None:
        async def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.output}")
            return await self.status("/readyz") == 200

        await wait_until(ready, within=within, interval=0.2, what="/readyz 200")

    async def interrupt(self, within: float = 10) -> tuple[int, float]:
        """Send SIGINT (Ctrl-C); return the exit code and how long the exit took."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        code = await asyncio.to_thread(self.process.wait, within)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


async def subscribe(base_url: str, token: str, types: list[str] | None) -> ClientConnection:
    ws = await connect(base_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(
        orjson.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}).decode()
    )
    ack = orjson.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    await ws.send(
        orjson.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"types": types}}}
        ).decode()
    )
    return ws


async def next_event(ws: ClientConnection, within: float) -> dict[str, object]:
    message = orjson.loads(await asyncio.wait_for(ws.recv(), within))
    assert message["type"] == "next", message
    event: dict[str, object] = message["payload"]["data"]["events"]
    return event


async def heard_while(ws: ClientConnection, change: Callable[[], Awaitable[str]], *, tries: int = 10) -> str:
    """Make changes until the subscriber hears one (a subscription registers asynchronously);
    return the subject it heard."""
    made: set[str] = set()
    for _ in range(tries):
        made.add(await change())
        try:
            while True:
                event = await next_event(ws, 3)
                if str(event["subject"]) in made:
                    return str(event["subject"])
        except TimeoutError:
            continue
    pytest.fail("the subscriber heard none of the changes")
