"""Load generators: wrk (compiled, from the system packages) when present, else a built-in one.

Both are closed loops: ``concurrency`` keep-alive connections, each with one request in flight,
for a fixed number of seconds. The built-in generator is bounded in time and in count, talks
raw HTTP/1.1 over asyncio streams (an HTTP client library would cost the server machine more
CPU than the requests it measures) and is used for the write flow in any case, since each
approval depends on the answer to the request before it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

# A run never sends more than this many requests per second of its duration.
MAX_RATE = 50_000
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Result:
    """One run: completed units of work (requests, or write pairs), errors and latency."""

    completed: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


@dataclass(frozen=True, slots=True)
class Target:
    """A fixed request: what wrk or the built-in generator sends again and again."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


class HttpConnection:
    """One keep-alive HTTP/1.1 connection; one request at a time."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    async def request(self, target: Target, body: bytes | None = None) -> tuple[int, bytes]:
        """Send one request and read its whole response: (status, body)."""
        payload = target.body if body is None else body
        head = [f"{target.method} {target.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in target.headers.items()]
        head.append(f"Content-Length: {len(payload)}")
        reader, writer = await self._open()
        try:
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
            return await asyncio.wait_for(self._response(reader), TIMEOUT_SECONDS)
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            await self.close()
            raise

    async def _response(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            return status, await reader.readexactly(int(headers["content-length"]))
        chunks: list[bytes] = []
        while True:  # chunked
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(chunks)
            chunks.append(chunk[:-2])

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()


Step = Callable[[HttpConnection], Awaitable[bool]]
"""One unit of work on a connection; True when every answer was right."""


def _percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run_steps(host: str, port: int, step: Step, *, concurrency: int, seconds: float) -> Result:
    """The built-in closed loop: ``concurrency`` connections repeat ``step`` until time is up."""
    latencies: list[float] = []
    errors = 0
    budget = int(MAX_RATE * seconds)
    started = time.perf_counter()
    deadline = started + seconds

    async def user() -> None:
        nonlocal errors, budget
        conn = HttpConnection(host, port)
        try:
            while budget > 0 and time.perf_counter() < deadline:
                budget -= 1
                begun = time.perf_counter()
                try:
                    ok = await step(conn)
                except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                    ok = False
                latencies.append((time.perf_counter() - begun) * 1000)
                if not ok:
                    errors += 1
        finally:
            await conn.close()

    await asyncio.gather(*(user() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ok_count = len(latencies) - errors
    return Result(
        completed=ok_count,
        errors=errors,
        seconds=elapsed,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
    )


def fixed_step(target: Target, check: Callable[[int, bytes], bool]) -> Step:
    async def step(conn: HttpConnection) -> bool:
        status, body = await conn.request(target)
        return check(status, body)

    return step


_WRK_SCRIPT = """
wrk.method = {method}
wrk.body = {body}
{headers}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + t:get("bad") end
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %f %f\\n", summary.requests, summary.duration,
    bad_total, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def run_wrk(base_url: str, target: Target, *, concurrency: int, seconds: float) -> Result:
    """wrk with ``concurrency`` connections on two threads; a response with errors counts as one."""
    headers = "\n".join(
        f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}" for name, value in target.headers.items()
    )
    script = _WRK_SCRIPT.format(
        method=_lua_string(target.method), body=_lua_string(target.body.decode()), headers=headers
    )
    with tempfile.TemporaryDirectory(prefix="alliance-wrk-") as folder:
        path = Path(folder) / "bench.lua"
        path.write_text(script)
        command = [
            str(shutil.which("wrk")),
            "-t2",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            f"{int(TIMEOUT_SECONDS)}s",
            "-s",
            str(path),
            base_url + target.path,
        ]
        finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 60)  # noqa: S603
    found = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)$", finished.stdout, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"wrk gave no figures: {finished.stdout}{finished.stderr}")
    requests, micros, bad, socket_errors = (int(found.group(i)) for i in range(1, 5))
    errors = bad + socket_errors
    return Result(
        completed=requests - bad,
        errors=errors,
        seconds=micros / 1e6,
        p50_ms=float(found.group(5)) / 1000,
        p99_ms=float(found.group(6)) / 1000,
    )
