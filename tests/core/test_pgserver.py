"""Any supported server is accepted as ``DATABASE_URL`` gives it, TLS or not; older ones are
refused in one line."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import asyncpg
import pytest

from services.core.migrations import MIGRATIONS_DIR, migrate
from services.core.pgserver import (
    UnsupportedServerError,
    inspect_server,
    require_supported,
    require_supported_server,
)
from services.core.settings import Settings

# The 8-byte requests a client sends before its startup packet to ask for encryption.
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104


def test_an_older_server_is_refused_in_one_line() -> None:
    with pytest.raises(UnsupportedServerError) as refused:
        require_supported(version_num=140011, version="14.11")
    assert str(refused.value) == (
        "PostgreSQL 14.11 found at DATABASE_URL; the platform needs PostgreSQL 15 or newer"
    )
    require_supported(version_num=150000, version="15.0")


async def test_this_server_is_supported(admin_url: str, admin_conn: asyncpg.Connection) -> None:
    facts = await inspect_server(admin_url)
    assert facts.version_num >= 150000
    await require_supported_server(admin_conn)


@contextlib.asynccontextmanager
async def server_without_tls(admin_url: str) -> AsyncIterator[str]:
    """The test server behind a loopback TCP port that declines TLS, as a stock PostgreSQL
    built without SSL (or with ``ssl = off``) does; yields the URL of the same user there."""
    parts = urlsplit(admin_url)
    query = dict(parse_qsl(parts.query))
    host = query.pop("host", None) or parts.hostname or "localhost"
    port = parts.port or int(query.pop("port", "5432"))

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        writer.close()

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            header = await reader.readexactly(8)
            while struct.unpack("!ii", header) in {(8, SSL_REQUEST), (8, GSSENC_REQUEST)}:
                writer.write(b"N")
                await writer.drain()
                header = await reader.readexactly(8)
        except asyncio.IncompleteReadError:
            writer.close()
            return
        if host.startswith("/"):
            upstream = await asyncio.open_unix_connection(f"{host}/.s.PGSQL.{port}")
        else:
            upstream = await asyncio.open_connection(host, port)
        upstream[1].write(header)
        await asyncio.gather(pipe(reader, upstream[1]), pipe(upstream[0], writer))

    front = await asyncio.start_server(client, "127.0.0.1", 0)
    front_port = front.sockets[0].getsockname()[1]
    userinfo = parts.netloc.rpartition("@")[0]
    rest = "&".join(f"{k}={v}" for k, v in query.items())
    try:
        yield urlunsplit((parts.scheme, f"{userinfo}@127.0.0.1:{front_port}", parts.path, rest, ""))
    finally:
        front.close()
        await front.wait_closed()


async def test_migrations_run_over_tcp_without_tls(admin_url: str, admin_conn: asyncpg.Connection) -> None:
    """No sslmode in the URL means libpq's prefer: plain when the server offers no TLS."""
    name = f"alliance_plain_{uuid.uuid4().hex[:8]}"
    await admin_conn.execute(f'CREATE DATABASE "{name}"')
    try:
        async with server_without_tls(admin_url) as server_url:
            url = urlunsplit(urlsplit(server_url)._replace(path="/" + name))
            assert "sslmode" not in url
            await asyncio.to_thread(migrate, replace(Settings(), database_url=url))
            conn = await asyncpg.connect(url)
            try:
                applied = await conn.fetchval("SELECT count(*) FROM schema_migrations")
                assert (
                    await conn.fetchval("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()") is False
                )
            finally:
                await conn.close()
        assert applied == len(list(MIGRATIONS_DIR.glob("*.sql")))
    finally:
        await admin_conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
