"""Benchmark: one partner key bursting over its limit, and another key's latency (#16).

``make bench-burst`` (or ``python -m bench.burst``). Starts its own embedded PostgreSQL and
broker in a temporary folder, migrates, seeds the demo tenant and serves the platform as the
other benchmarks do (``alliance serve``, ``bench.servers.WORKERS`` workers). Two partner keys
of the tenant, each with a persisted operation (sent by hash, as in Apollo APQ) and limits of
its own, set through the API:

- key B, the neighbour: a steady ``BENCH_BURST_RATE`` requests per second (default 50, well
  within its limits), paced (each request has its time; latency counts from that time, so a
  stalled server is not hidden by a client that waits for it);
- key A, the burst: 60 requests a minute, 10 at once; it fires ``BENCH_BURST_COUNT`` bursts
  (default 1) of ``BENCH_BURST_REQUESTS`` (1,000) requests over ``BENCH_BURST_CONNECTIONS``
  (100) connections per phase, evenly spaced from the phase's start, from a process of its
  own, so nearly all are answered 429. ``BENCH_BURST_COUNT=0`` floods instead: one burst
  after the other for the whole phase (A sending as fast as its connections allow).

The server holds the answers of a key it already holds refused (``RATE_LIMIT_HOLD_MS``, 1 s by
default, read from this environment by the server too): once refused, each of A's connections
sends about one request per hold, and its burst spreads over seconds instead of taking the cores
at once. ``RATE_LIMIT_HOLD_MS=0`` measures without holding. ``BENCH_BURST_CONNECTIONS=1000``
sends the 1,000 requests at once, one per connection, which holding cannot spread.

Each repetition measures B alone for ``BENCH_BURST_SECONDS`` (default 8), then B again while
A bursts, in the same run (alone, burst, alone, burst: ``BENCH_BURST_REPETITIONS``, default 2).
The issue's target: B's latency changes by no more than 20% (p50 and p99). The last line is
one JSON object with the figures. Everything shares the machine's cores (servers, PostgreSQL,
both load generators): A's client work counts against B too, so the figure is an upper bound
of what the server lets one key do to another.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg
import httpx
import orjson

from bench.load import HttpConnection, Target
from bench.servers import HOST, WORKERS, CpuMeter, Server, platform_server, postmaster_pid
from services.core.auth import issue_token
from services.core.embedded import embedded_services
from services.core.migrations import migrate
from services.core.settings import Settings

SECONDS = float(os.environ.get("BENCH_BURST_SECONDS", "8"))
REPETITIONS = int(os.environ.get("BENCH_BURST_REPETITIONS", "2"))
RATE = float(os.environ.get("BENCH_BURST_RATE", "50"))
BURST = int(os.environ.get("BENCH_BURST_REQUESTS", "1000"))
CONNECTIONS = int(os.environ.get("BENCH_BURST_CONNECTIONS", "100"))
COUNT = int(os.environ.get("BENCH_BURST_COUNT", "1"))  # bursts per phase; 0: a flood
# BENCH_BURST_SPLIT=1: key A's load generator on the last core, everything else (servers,
# PostgreSQL, the broker, key B's client) on the others, as if A sent from another machine.
SPLIT = os.environ.get("BENCH_BURST_SPLIT", "") == "1"
STEADY_CONNECTIONS = 8
# The server's hold of a remembered refusal (the platform reads the same variable).
HOLD_MS = Settings.from_env(os.environ).rate_limit_hold_ms
TARGET = 1.2  # "no other key's latency changes by more than 20%"

OPERATION = "query Orgs { organizations(first: 5) { totalCount edges { node { name } } } }"
REGISTER = """
mutation ($input: RegisterPersistedOperationInput!) {
  registerPersistedOperation(input: $input) { persistedOperation { sha256 } }
}
"""
SET_LIMITS = """
mutation ($input: SetApiKeyLimitsInput!) {
  setApiKeyLimits(input: $input) { apiKeyLimits { apiKeyId } }
}
"""


def say(line: str) -> None:
    print(line, flush=True)


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0.0


def _persisted(key: str, sha256: str) -> Target:
    body = orjson.dumps({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}})
    return Target("POST", "/graphql", {"Content-Type": "application/json", "X-Api-Key": key}, body)


@dataclass(frozen=True, slots=True)
class Keys:
    steady: Target  # key B
    burst: Target  # key A


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    repetition: int
    p50_ms: float
    p99_ms: float
    sent: int
    errors: int
    burst: dict[str, float]  # A's figures (empty when alone)
    server_cpu_s: float
    database_cpu_s: float


async def _accounts(settings: Settings) -> tuple[dict[str, object], list[tuple[uuid.UUID, str]]]:
    """The demo tenant with an admin, and two fresh partner keys: (admin, [(key id, key)])."""
    from services.directory.demo import seed_directory
    from services.directory.operations import create_api_key

    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        await seed_directory(conn)
        keys = []
        for name in ("burst neighbour (B)", "burst (A)"):
            created = await create_api_key(conn, tenant_slug="demo", name=name)
            keys.append((created.id, created.plaintext))
        admin = await conn.fetchrow(
            "SELECT a.id AS account_id, t.id AS tenant_id FROM accounts a JOIN alliances t"
            " ON t.id = a.home_tenant_id WHERE t.slug = 'demo' AND a.login = 'alliance-admin'"
        )
        assert admin is not None
        return dict(admin), keys
    finally:
        await conn.close()


def _configure(
    settings: Settings, server: Server, admin: dict[str, object], keys: list[tuple[uuid.UUID, str]]
) -> Keys:
    """Through the API, as an admin would: each key's persisted operation and limits."""
    token = issue_token(
        settings,
        account_id=admin["account_id"],  # type: ignore[arg-type]
        login="alliance-admin",
        tenant_id=admin["tenant_id"],  # type: ignore[arg-type]
        tenant_slug="demo",
    )

    def call(query: str, variables: dict[str, object]) -> dict[str, object]:
        answer = httpx.post(
            server.base_url + "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        if answer.get("errors"):
            raise RuntimeError(f"setting up the keys failed: {answer['errors']}")
        data: dict[str, object] = answer["data"]
        return data

    (steady_id, steady_key), (burst_id, burst_key) = keys
    limits = {
        # B: far above its steady rate, so that it is never refused itself.
        steady_id: {"requestsPerMinute": int(RATE * 60 * 4), "burst": 1000},
        burst_id: {"requestsPerMinute": 60, "burst": 10},
    }
    hashes = {}
    for key_id, values in limits.items():
        registered = call(
            REGISTER,
            {"input": {"apiKeyId": str(key_id), "name": "Orgs", "version": 1, "document": OPERATION}},
        )
        hashes[key_id] = registered["registerPersistedOperation"]["persistedOperation"]["sha256"]  # type: ignore[index]
        call(SET_LIMITS, {"input": {"apiKeyId": str(key_id), **values}})
    return Keys(_persisted(steady_key, hashes[steady_id]), _persisted(burst_key, hashes[burst_id]))


async def _steady(port: int, target: Target, seconds: float) -> tuple[list[float], int]:
    """Key B at ``RATE`` requests a second: latencies (ms, from each request's due time) and errors."""
    total = int(RATE * seconds)
    start = time.perf_counter() + 0.05
    latencies: list[float] = []
    errors = 0
    upcoming = iter(range(total))

    async def user() -> None:
        nonlocal errors
        conn = HttpConnection(HOST, port)
        try:
            for index in upcoming:
                due = start + index / RATE
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    status, body = await conn.request(target)
                    ok = status == 200 and b'"errors"' not in body
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    ok = False
                latencies.append((time.perf_counter() - due) * 1000)
                errors += not ok
        finally:
            await conn.close()

    await asyncio.gather(*(user() for _ in range(STEADY_CONNECTIONS)))
    return latencies, errors


async def _flood(port: int, target: Target, seconds: float) -> dict[str, float]:
    """Key A: ``COUNT`` bursts of ``BURST`` requests over ``CONNECTIONS`` connections, evenly
    spaced over ``seconds`` (a flood until time is up when ``COUNT`` is 0)."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    bursts = 0
    deadline = time.perf_counter() + seconds
    conns = [HttpConnection(HOST, port) for _ in range(CONNECTIONS)]

    async def user(conn: HttpConnection, left: list[int]) -> None:
        while left[0] > 0:
            left[0] -= 1
            begun = time.perf_counter()
            try:
                status, _ = await conn.request(target)
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                status = 0
            latencies.append((time.perf_counter() - begun) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    busy = 0.0
    while bursts == 0 or (COUNT == 0 and time.perf_counter() < deadline) or bursts < COUNT:
        if COUNT:
            await asyncio.sleep(max(0.0, started + bursts * seconds / COUNT - time.perf_counter()))
        left = [BURST]
        begun = time.perf_counter()
        await asyncio.gather(*(user(conn, left) for conn in conns))
        busy += time.perf_counter() - begun
        bursts += 1
    elapsed = busy
    for conn in conns:
        await conn.close()
    sent = sum(statuses.values())
    return {
        "bursts": bursts,
        "sent": sent,
        "refused": statuses.get(429, 0),
        "admitted": statuses.get(200, 0),
        "failed": sent - statuses.get(429, 0) - statuses.get(200, 0),
        "per_second": sent / elapsed,  # while bursting
        "burst_seconds": elapsed / bursts,
        "client_cpu_s": time.process_time(),  # A's own load generator, on the same cores
        "p50_ms": _percentile(latencies, 50),
        "p99_ms": _percentile(latencies, 99),
    }


def _flood_process(port: int, target: Target, seconds: float) -> None:
    """``python -m bench.burst --flood``: key A's bursts, in a process of its own; prints one
    line "ready", then its figures as JSON."""
    say("ready")
    say(orjson.dumps(asyncio.run(_flood(port, target, seconds))).decode())


def _phase(name: str, repetition: int, server: Server, keys: Keys, meter: CpuMeter) -> Phase:
    flood: subprocess.Popen[bytes] | None = None
    if name == "burst":
        flood = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "bench.burst",
                "--flood",
                str(server.port),
                orjson.dumps(
                    {"headers": keys.burst.headers, "body": keys.burst.body.decode(), "seconds": SECONDS}
                ).decode(),
            ],
            stdout=subprocess.PIPE,
            preexec_fn=_on_last_core if SPLIT else None,
        )
        assert flood.stdout is not None
        if flood.stdout.readline().strip() != b"ready":
            raise RuntimeError("the burst process did not start")
    server_before, database_before = meter.sample()
    latencies, errors = asyncio.run(_steady(server.port, keys.steady, SECONDS))
    figures: dict[str, float] = {}
    if flood is not None:
        out, _ = flood.communicate(timeout=SECONDS * 10 + 60)
        figures = orjson.loads(out.strip().splitlines()[-1])
    server_after, database_after = meter.sample()
    phase = Phase(
        name,
        repetition,
        _percentile(latencies, 50),
        _percentile(latencies, 99),
        len(latencies),
        errors,
        figures,
        server_after - server_before,
        database_after - database_before,
    )
    line = (
        f"  {name:<6} #{repetition}  B: {phase.sent:5d} req  p50 {phase.p50_ms:7.2f} ms"
        f"  p99 {phase.p99_ms:7.2f} ms  errors {errors:<3}"
        f"  cpu: server {phase.server_cpu_s:5.2f} s, postgres {phase.database_cpu_s:5.2f} s"
    )
    if figures:
        line += (
            f"\n          A: {figures['bursts']:.0f} bursts, {figures['sent']:.0f} req"
            f" ({figures['per_second']:.0f}/s, {figures['burst_seconds']:.2f} s a burst),"
            f" 429: {figures['refused']:.0f},"
            f" 200: {figures['admitted']:.0f}, failed: {figures['failed']:.0f},"
            f" p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms;"
            f" A's client used {figures['client_cpu_s']:.2f} s CPU"
        )
    say(line)
    return phase


def _bench(settings: Settings) -> dict[str, object]:
    admin, keys = asyncio.run(_accounts(settings))
    with platform_server(settings, settings.data_dir) as server:
        configured = _configure(settings, server, admin, keys)
        meter = CpuMeter(server.process.pid, postmaster_pid(settings.data_dir / "pgdata"))
        say(
            f"burst isolation: {os.cpu_count()} cores, {WORKERS} workers; B at {RATE:g} req/s over"
            f" {STEADY_CONNECTIONS} connections; A: bursts of {BURST} over {CONNECTIONS} connections;"
            f" {SECONDS:g} s per phase; refusals held {HOLD_MS} ms (RATE_LIMIT_HOLD_MS)"
        )
        asyncio.run(_steady(server.port, configured.steady, 2))  # warm-up: caches, prepared statements
        phases = [
            _phase(name, repetition, server, configured, meter)
            for repetition in range(1, REPETITIONS + 1)
            for name in ("alone", "burst")
        ]
    alone = [p for p in phases if p.name == "alone"]
    burst = [p for p in phases if p.name == "burst"]
    p50_alone, p50_burst = statistics.mean(p.p50_ms for p in alone), statistics.mean(p.p50_ms for p in burst)
    p99_alone, p99_burst = statistics.mean(p.p99_ms for p in alone), statistics.mean(p.p99_ms for p in burst)
    refused = sum(p.burst["refused"] for p in burst)
    sent = sum(p.burst["sent"] for p in burst)
    # Server CPU a refusal costs: the burst phases' extra CPU over the alone phases', per A request.
    extra_cpu = sum(p.server_cpu_s for p in burst) - sum(p.server_cpu_s for p in alone)
    extra_pg = sum(p.database_cpu_s for p in burst) - sum(p.database_cpu_s for p in alone)
    say("")
    say(f"{'key B':<8} {'alone ms':>9} {'burst ms':>9} {'ratio':>6}")
    say(f"{'p50':<8} {p50_alone:9.2f} {p50_burst:9.2f} {p50_burst / p50_alone:6.2f}")
    say(f"{'p99':<8} {p99_alone:9.2f} {p99_burst:9.2f} {p99_burst / p99_alone:6.2f}")
    per_a = 1000 / max(sent, 1)
    client_cpu = sum(p.burst["client_cpu_s"] for p in burst)
    say(
        f"key A: {sent:.0f} requests, {refused:.0f} refused with 429; per request over the alone"
        f" phases: server {extra_cpu * per_a:.3f} ms CPU, postgres {extra_pg * per_a:.3f} ms;"
        f" A's own client {client_cpu * per_a:.3f} ms"
    )
    say(
        f"(A's load generator on core {_all_cores[-1]}, all else on the others)"
        if SPLIT
        else "(shared cores: A's load generator and other work on the machine move these figures)"
    )
    p50_ratio, p99_ratio = p50_burst / p50_alone, p99_burst / p99_alone
    return {
        "b_p50_alone_ms": round(p50_alone, 2),
        "b_p50_burst_ms": round(p50_burst, 2),
        "b_p99_alone_ms": round(p99_alone, 2),
        "b_p99_burst_ms": round(p99_burst, 2),
        "p50_ratio": round(p50_ratio, 3),
        "p99_ratio": round(p99_ratio, 3),
        "target_ratio": TARGET,
        "target_holds": p50_ratio <= TARGET and p99_ratio <= TARGET,
        "a_requests": int(sent),
        "a_refused": int(refused),
        "b_errors": sum(p.errors for p in phases),
        "server_cpu_ms_per_a_request": round(extra_cpu * 1000 / max(sent, 1), 3),
        "postgres_cpu_ms_per_a_request": round(extra_pg * 1000 / max(sent, 1), 3),
        "a_client_cpu_ms_per_request": round(client_cpu * per_a, 3),
        "split_cores": SPLIT,
        "hold_ms": HOLD_MS,
        "a_burst_seconds": round(statistics.mean(p.burst["burst_seconds"] for p in burst), 2),
    }


def _cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def _on_last_core() -> None:
    os.sched_setaffinity(0, {_all_cores[-1]})


_all_cores = _cores()


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--flood":
        spec = orjson.loads(sys.argv[3])
        target = Target("POST", "/graphql", spec["headers"], spec["body"].encode())
        _flood_process(int(sys.argv[2]), target, spec["seconds"])
        return 0
    if SPLIT:
        if len(_all_cores) < 2:
            raise SystemExit("BENCH_BURST_SPLIT needs two cores")
        # Before anything starts: every process of the run inherits it, but the burst's.
        os.sched_setaffinity(0, set(_all_cores[:-1]))
    with tempfile.TemporaryDirectory(prefix="alliance-bench-") as folder:
        settings = replace(Settings.from_env({}), data_dir=Path(folder), log_json=False)
        with embedded_services(settings) as running:
            migrate(running)
            say(orjson.dumps(_bench(running.with_jwt_secret_from_data_dir())).decode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
