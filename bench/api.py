"""Benchmark: the GraphQL read and write paths against the raw-SQL limit of this machine.

``make bench`` (or ``python -m bench.api``); ``BENCH_SECONDS`` sets the length of each run
(default 10). Starts the embedded PostgreSQL and broker with the benchmark's own data folder
(``.alliance-bench/``), generates the data set once (``bench.dataset``), then serves the
platform (``alliance serve --workers 2``) and the baseline (``bench.baseline``, same worker
count) side by side and measures, at concurrency 16 and 64, twice in turn (A B C D A B C D):

1. read: the first 50 published resources of one tenant with title, capacity and the owner
   organisation's name, as an authenticated member (JWT, Casbin, row-level security on);
2. deep: the same with each resource's next three approved bookings and their requester;
3. write: a booking request by a member, then its approval by the owner's admin, on free
   slots picked at random;
4. baseline: the single best SQL for (1) in a plain Starlette endpoint, JSON by orjson.

The last line printed is one JSON object with the headline figures (concurrency 16).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx
import orjson

from bench.dataset import Dataset, data_dir, ensure_dataset
from bench.load import Result, Target, fixed_step, run_steps, run_wrk, wrk_available
from bench.servers import HOST, WORKERS, CpuMeter, Server, postmaster_pid, servers
from bench.statements import statements_per_request
from bench.writes import WriteFlow, check_writes, free_slots, graphql_target, ok_graphql
from services.core.auth import issue_token
from services.core.embedded import embedded_services
from services.core.settings import Settings

CONCURRENCIES = (16, 64)
REPETITIONS = 2
PAGE_SIZE = 50

READ = """
query Read($first: Int!) {
  resources(first: $first, filter: {status: PUBLISHED}) {
    edges { node { id title capacity owner { name } } }
  }
}
"""

DEEP = """
query Deep($first: Int!) {
  resources(first: $first, filter: {status: PUBLISHED}) {
    edges { node {
      id title capacity owner { name }
      upcomingBookings(first: 3) { start end requester { name } }
    } }
  }
}
"""


def say(line: str) -> None:
    print(line, flush=True)


def ok_json(status: int, body: bytes) -> bool:
    return status == 200


@dataclass
class Measured:
    scenario: str
    concurrency: int
    repetition: int
    result: Result
    server_cpu_ms: float
    database_cpu_ms: float


def _run_fixed(server: Server, target: Target, concurrency: int, seconds: float) -> Result:
    if wrk_available():
        return run_wrk(server.base_url, target, concurrency=concurrency, seconds=seconds)
    check = ok_json if target.method == "GET" else ok_graphql
    return asyncio.run(
        run_steps(HOST, server.port, fixed_step(target, check), concurrency=concurrency, seconds=seconds)
    )


def _measure(
    meter: CpuMeter, name: str, concurrency: int, repetition: int, run: Callable[[int], Result]
) -> Measured:
    server_before, database_before = meter.sample()
    result = run(concurrency)
    server_after, database_after = meter.sample()
    done = max(result.completed, 1)
    measured = Measured(
        name,
        concurrency,
        repetition,
        result,
        (server_after - server_before) * 1000 / done,
        (database_after - database_before) * 1000 / done,
    )
    unit = "pairs/s" if name == "write" else "req/s"
    say(
        f"  {name:<9} c={concurrency:<3} #{repetition}  {result.rate:8.1f} {unit:<7}"
        f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  errors {result.errors:<4}"
        f"  cpu/unit: server {measured.server_cpu_ms:5.2f} ms, postgres {measured.database_cpu_ms:5.2f} ms"
    )
    return measured


def _same_page(platform: Server, baseline: Server, read: Target) -> None:
    graphql = httpx.post(platform.base_url + read.path, content=read.body, headers=read.headers, timeout=10)
    plain = httpx.get(f"{baseline.base_url}/resources?first={PAGE_SIZE}", timeout=10)
    if orjson.loads(graphql.content) != orjson.loads(plain.content):
        raise RuntimeError("the baseline and the GraphQL read answer differently")


def _deep_shape(platform: Server, deep: Target) -> int:
    answer = orjson.loads(
        httpx.post(platform.base_url + deep.path, content=deep.body, headers=deep.headers).content
    )
    if "errors" in answer:
        raise RuntimeError(f"deep query failed: {answer['errors']}")
    return sum(len(edge["node"]["upcomingBookings"]) for edge in answer["data"]["resources"]["edges"])


def _summary(measured: list[Measured], name: str, concurrency: int) -> tuple[float, float, float]:
    runs = [m.result for m in measured if m.scenario == name and m.concurrency == concurrency]
    return (
        statistics.mean(r.rate for r in runs),
        statistics.mean(r.p50_ms for r in runs),
        max(r.p99_ms for r in runs),
    )


def _cpu(measured: list[Measured], name: str, concurrency: int) -> tuple[float, float]:
    """Mean server and PostgreSQL CPU milliseconds per request (per pair for write): unlike
    the rates, these hardly move when other work shares the machine."""
    runs = [m for m in measured if m.scenario == name and m.concurrency == concurrency]
    return (
        statistics.mean(m.server_cpu_ms for m in runs),
        statistics.mean(m.database_cpu_ms for m in runs),
    )


def bench(settings: Settings, dataset: Dataset, seconds: float) -> dict[str, object]:
    folder = settings.data_dir
    tenant = dataset.first

    def token(account_id: uuid.UUID, login: str) -> str:
        return issue_token(
            settings, account_id=account_id, login=login, tenant_id=tenant.id, tenant_slug=tenant.slug
        )

    member = token(tenant.member_id, "member")
    read = graphql_target(member, READ, {"first": PAGE_SIZE})
    deep = graphql_target(member, DEEP, {"first": PAGE_SIZE})
    plain = Target("GET", f"/resources?first={PAGE_SIZE}", {})
    assert settings.database_url
    statements = asyncio.run(statements_per_request(settings, {"read": read, "deep": deep}))
    slots = asyncio.run(free_slots(settings.database_url, dataset))
    flow = WriteFlow(
        token(tenant.requester_id, "requester"), token(tenant.approver_id, "street-admin"), slots
    )
    generator = "wrk" if wrk_available() else "built-in"
    measured: list[Measured] = []
    with servers(settings, tenant, folder) as (platform, baseline):
        _same_page(platform, baseline, read)
        bookings_on_page = _deep_shape(platform, deep)
        postmaster = postmaster_pid(folder / "pgdata")
        meter = CpuMeter(platform.process.pid, postmaster)
        base_meter = CpuMeter(baseline.process.pid, postmaster)
        say(
            f"machine: {os.cpu_count()} cores; {WORKERS} uvicorn workers per server; {seconds:.0f} s per run;"
            f" load generator: {generator} (write: built-in, each approval needs the request's answer)"
        )
        say(f"deep page: {PAGE_SIZE} resources, {bookings_on_page} upcoming bookings")
        # Warm-up: prepared statements, parse and validation caches, the tenant's roles.
        for target, server in ((read, platform), (deep, platform), (plain, baseline)):
            _run_fixed(server, target, 16, 2)
        scenarios: list[tuple[str, CpuMeter, Callable[[int], Result]]] = [
            ("read", meter, lambda c: _run_fixed(platform, read, c, seconds)),
            ("deep", meter, lambda c: _run_fixed(platform, deep, c, seconds)),
            (
                "write",
                meter,
                lambda c: asyncio.run(
                    run_steps(HOST, platform.port, flow.step, concurrency=c, seconds=seconds)
                ),
            ),
            ("baseline", base_meter, lambda c: _run_fixed(baseline, plain, c, seconds)),
        ]
        for concurrency in CONCURRENCIES:
            for repetition in range(1, REPETITIONS + 1):
                for name, cpu, run in scenarios:
                    measured.append(_measure(cpu, name, concurrency, repetition, run))
    lost, double = asyncio.run(check_writes(settings.database_url, flow.approved, flow.refused))
    say("")
    say(f"mean of {REPETITIONS} runs (p99: the worse run)")
    say(
        f"{'scenario':<9} {'conc':>4} {'mean rate':>10} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'cpu ms: server':>15} {'postgres':>9}"
    )
    for concurrency in CONCURRENCIES:
        for name in ("read", "deep", "write", "baseline"):
            rate, p50, p99 = _summary(measured, name, concurrency)
            server_cpu, database_cpu = _cpu(measured, name, concurrency)
            say(
                f"{name:<9} {concurrency:>4} {rate:>10.1f} {p50:>8.2f} {p99:>8.2f}"
                f" {server_cpu:>15.2f} {database_cpu:>9.2f}"
            )
    for concurrency in CONCURRENCIES:
        base = _summary(measured, "baseline", concurrency)[0]
        say(
            f"c={concurrency}: read/baseline {_summary(measured, 'read', concurrency)[0] / base:.3f},"
            f" deep/baseline {_summary(measured, 'deep', concurrency)[0] / base:.3f}"
        )
    for name, sent in statements.items():
        cold = f", compiled in {sent.cold_compile_ms:.1f} ms cold" if sent.cold_compile_ms is not None else ""
        say(f"statements per {name} request: {sent.count} ({sent.detail}); compiled: {sent.compiled}{cold}")
    say(f"write: {len(flow.approved)} approved, {len(flow.refused)} refused, lost {lost}, double {double}")
    errors = sum(m.result.errors for m in measured) + lost + double
    read_rps = _summary(measured, "read", 16)[0]
    deep_rps = _summary(measured, "deep", 16)[0]
    baseline_rps = _summary(measured, "baseline", 16)[0]
    return {
        "read_rps": round(read_rps, 1),
        "deep_rps": round(deep_rps, 1),
        "baseline_rps": round(baseline_rps, 1),
        "read_ratio": round(read_rps / baseline_rps, 3),
        "deep_ratio": round(deep_rps / baseline_rps, 3),
        "write_pairs_per_s": round(_summary(measured, "write", 16)[0], 1),
        "statements_per_request_read": statements["read"].count,
        "statements_per_request_deep": statements["deep"].count,
        # The baseline sends its one query and the pool's reset; writes go to the interpreter.
        "statements_per_request": {
            "read": statements["read"].count,
            "deep": statements["deep"].count,
            "baseline": 2,
        },
        "compiled": {
            "read": statements["read"].compiled,
            "deep": statements["deep"].compiled,
            "write": False,
        },
        "cold_compile_ms": {
            name: round(sent.cold_compile_ms, 2) if sent.cold_compile_ms is not None else None
            for name, sent in statements.items()
        },
        "cpu_ms_per_unit": {
            name: {"server": round(server_cpu, 2), "postgres": round(database_cpu, 2)}
            for name in ("read", "deep", "write", "baseline")
            for server_cpu, database_cpu in [_cpu(measured, name, 16)]
        },
        "errors": errors,
        "load_generator": generator,
    }


def main() -> int:
    seconds = float(os.environ.get("BENCH_SECONDS") or 10)
    folder = data_dir()
    folder.mkdir(exist_ok=True)
    base = replace(Settings.from_env({}), data_dir=folder, log_json=False)
    with embedded_services(base) as running:
        settings = running.with_jwt_secret_from_data_dir()
        dataset = ensure_dataset(settings, say)
        figures = bench(settings, dataset, seconds)
    print(orjson.dumps(figures).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
