"""The benchmark's servers (the platform and the baseline, as subprocesses) and their CPU time."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.dataset import Tenant
from services.core.embedded import free_port
from services.core.settings import Settings

WORKERS = 2
HOST = "127.0.0.1"


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def _start(name: str, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} server exited with code {server.process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.base_url + path, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} server did not answer {path}")


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.process.pid, signal.SIGINT)
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(5)


@contextlib.contextmanager
def servers(settings: Settings, tenant: Tenant, folder: Path) -> Iterator[tuple[Server, Server]]:
    """The platform and the baseline, each with ``WORKERS`` uvicorn workers."""
    env = {**os.environ, **settings.to_env(), "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO")}
    platform = Server("platform", _start_platform(env, folder), 0)
    started: list[Server] = []
    try:
        platform.port = int(env["PORT"])
        started.append(platform)
        baseline_port = free_port()
        baseline = Server(
            "baseline",
            _start(
                "baseline",
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.baseline:create_app",
                    "--factory",
                    "--host",
                    HOST,
                    "--port",
                    str(baseline_port),
                    "--workers",
                    str(WORKERS),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                {**env, "BENCH_TENANT_ID": str(tenant.id)},
                folder / "baseline.log",
            ),
            baseline_port,
        )
        started.append(baseline)
        _wait_ready(platform, "/readyz")
        _wait_ready(baseline, "/resources?first=1")
        yield platform, baseline
    finally:
        for server in started:
            _stop(server)


@contextlib.contextmanager
def platform_server(settings: Settings, folder: Path) -> Iterator[Server]:
    """The platform alone (``alliance serve``, ``WORKERS`` uvicorn workers), ready to answer."""
    env = {**os.environ, **settings.to_env(), "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO")}
    platform = Server("platform", _start_platform(env, folder), 0)
    platform.port = int(env["PORT"])
    try:
        _wait_ready(platform, "/readyz")
        yield platform
    finally:
        _stop(platform)


def _start_platform(env: dict[str, str], folder: Path) -> subprocess.Popen[bytes]:
    port = free_port()
    env["PORT"] = str(port)
    command = [
        sys.executable,
        "-m",
        "services.cli",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
    ]
    return _start("platform", command, env, folder / "platform.log")


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(select: Callable[[int, int, int], bool]) -> float:
    """CPU time of the processes ``select(pid, parent, process_group)`` picks."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            raw = (entry / "stat").read_text()
            fields = raw[raw.rindex(")") + 2 :].split()
            if select(int(entry.name), int(fields[1]), int(fields[2])):
                total += int(fields[11]) + int(fields[12])
    return total / _TICKS


def postmaster_pid(pgdata: Path) -> int:
    """The embedded PostgreSQL's postmaster (the first line of its ``postmaster.pid``)."""
    return int((pgdata / "postmaster.pid").read_text().split()[0])


@dataclass
class CpuMeter:
    """Server and PostgreSQL CPU seconds spent during a run.

    PostgreSQL's are its postmaster's and its backends' only: other servers on a shared
    machine (test runs, say) are not counted.
    """

    server_group: int
    postmaster: int

    def sample(self) -> tuple[float, float]:
        server = _cpu_seconds(lambda _pid, _parent, group: group == self.server_group)
        database = _cpu_seconds(lambda pid, parent, _group: self.postmaster in (pid, parent))
        return server, database
