"""Which PostgreSQL the platform runs on: refused before anything runs if it is too old.

Districts run PostgreSQL 15 to 18, on managed clouds and on PostgreSQL-compatible databases
that track older majors. 15 is the oldest major the suite runs against (``.ci/run`` uses
Debian's); an older server is refused at startup with one line, before a migration
half-applies or a request meets a missing feature.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg

MINIMUM_VERSION_NUM = 150000
MINIMUM_VERSION = "15"

# Connection failures worth waiting through: the server is starting, or not listening yet
# (a migration job started beside its database, as dbmate's --wait allows).
_TRANSIENT = (OSError, asyncpg.CannotConnectNowError)


class UnsupportedServerError(RuntimeError):
    """The database server is older than the platform supports."""


@dataclass(frozen=True)
class ServerFacts:
    version_num: int
    version: str


def require_supported(*, version_num: int, version: str) -> None:
    """Refuse a server older than ``MINIMUM_VERSION`` with one line naming both versions."""
    if version_num < MINIMUM_VERSION_NUM:
        raise UnsupportedServerError(
            f"PostgreSQL {version} found at DATABASE_URL; "
            f"the platform needs PostgreSQL {MINIMUM_VERSION} or newer"
        )


async def server_version(conn: asyncpg.Connection | asyncpg.Pool) -> tuple[int, str]:
    """The server's ``server_version_num`` and its human spelling (e.g. ``15.18 (Debian …)``)."""
    row = await conn.fetchrow(
        "SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS v"
    )
    assert row is not None
    return int(row["num"]), str(row["v"])


async def require_supported_server(conn: asyncpg.Connection | asyncpg.Pool) -> None:
    """Refuse the server ``conn`` (or a pool) is connected to if it is too old."""
    version_num, version = await server_version(conn)
    require_supported(version_num=version_num, version=version)


async def inspect_server(url: str, *, wait_seconds: float = 60.0) -> ServerFacts:
    """Connect once (waiting up to ``wait_seconds`` for a starting server) and report."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            conn = await asyncpg.connect(url)
            break
        except _TRANSIENT:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(1.0)
    try:
        version_num, version = await server_version(conn)
    finally:
        await conn.close()
    return ServerFacts(version_num=version_num, version=version)


def check_server(url: str) -> ServerFacts:
    """Inspect the server and refuse an unsupported one (for the command line, before serving)."""
    facts = asyncio.run(inspect_server(url))
    require_supported(version_num=facts.version_num, version=facts.version)
    return facts
