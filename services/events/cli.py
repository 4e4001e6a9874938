"""Command-line entries for the event backbone: ``relay``, ``worker``, ``dlq list|replay``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace

from prometheus_client import start_http_server

from services.core.db import create_pool
from services.core.embedded import embedded_services
from services.core.metrics import exposition_registry
from services.core.settings import Settings
from services.core.tracing import configure_tracing
from services.domain import Platform
from services.events.consumer import run_workers
from services.events.inbox import DeadLetterError, dlq_list, dlq_replay
from services.events.registry import UnknownServiceError
from services.events.relay import run_relay

_NO_BROKER = (
    "{command} needs KAFKA_BOOTSTRAP_SERVERS: the embedded broker lives inside `alliance serve`, "
    "and events sent to a private one would be lost to everyone else"
)


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the event commands to a command-line parser's subcommands."""
    relay = subparsers.add_parser("relay", help="send committed events from the outbox to Kafka")
    relay.add_argument("--batch-size", type=int, default=500, help="rows per batch (500)")
    relay.add_argument(
        "--poll-interval", type=float, default=5.0, help="seconds between polls without notice (5)"
    )
    relay.set_defaults(handler=_relay)

    worker = subparsers.add_parser(
        "worker", help="run services' event handlers as consumer groups, and domains' background jobs"
    )
    worker.add_argument("services", nargs="+", metavar="SERVICE", help="service or job names to run")
    worker.set_defaults(handler=_worker)

    dlq = subparsers.add_parser("dlq", help="inspect and replay dead letters")
    dlq_commands = dlq.add_subparsers(dest="dlq_command", required=True)
    listing = dlq_commands.add_parser("list", help="newest dead letters first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--consumer", help="only this service's")
    listing.add_argument("--all", action="store_true", help="include replayed ones")
    listing.set_defaults(handler=_dlq_list)
    replay = dlq_commands.add_parser("replay", help="run the service's handlers on it again")
    replay.add_argument("id", type=int, help="dead letter id (from `dlq list`)")
    replay.set_defaults(handler=_dlq_replay)


def _relay(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.kafka_bootstrap_servers:
        return _fail(_NO_BROKER.format(command="relay"), code=2)
    _observe("alliance-relay", settings)
    with embedded_services(settings) as running:
        asyncio.run(
            _until_signalled(
                lambda stop: run_relay(
                    running,
                    stop,
                    batch_size=args.batch_size,
                    poll_interval=args.poll_interval,
                    topics=Platform.default().topics(),
                )
            )
        )
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    platform = Platform.default()
    registry, jobs = platform.registry(), platform.jobs()
    unknown = [name for name in args.services if name not in registry.services and name not in jobs]
    if unknown:
        known = ", ".join([*registry.services, *jobs]) or "none registered yet"
        return _fail(f"unknown service(s): {', '.join(unknown)} (known: {known})", code=2)
    if not settings.kafka_bootstrap_servers:
        return _fail(_NO_BROKER.format(command="worker"), code=2)
    services = [name for name in args.services if name in registry.services]

    async def run(running: Settings, stop: asyncio.Event) -> None:
        async with asyncio.TaskGroup() as tasks:
            if services:
                tasks.create_task(run_workers(running, registry, services, stop))
            for name in args.services:
                if name in jobs:
                    tasks.create_task(jobs[name](running, stop), name=name)

    _observe("alliance-worker", settings)
    with embedded_services(settings) as running:
        asyncio.run(_until_signalled(lambda stop: run(running, stop)))
    return 0


def _observe(service_name: str, settings: Settings) -> None:
    """Traces as the OTEL_* variables say; /metrics on METRICS_PORT if set."""
    configure_tracing(service_name)
    if settings.metrics_port is not None:
        start_http_server(settings.metrics_port, registry=exposition_registry())


def _dlq_list(args: argparse.Namespace, settings: Settings) -> int:
    async def show(running: Settings) -> None:
        pool = await create_pool(replace(running, db_pool_min=1, db_pool_max=1))
        try:
            letters = await dlq_list(
                pool, limit=args.limit, consumer=args.consumer, include_replayed=args.all
            )
        finally:
            await pool.close()
        for letter in letters:
            event_type = (letter.envelope or {}).get("type", "-")
            state = f"replayed {letter.replayed_at:%Y-%m-%d %H:%M:%S}" if letter.replayed_at else "open"
            print(
                f"{letter.id}\t{letter.created_at:%Y-%m-%d %H:%M:%S}\t{letter.consumer}\t{event_type}\t"
                f"{letter.event_id or '-'}\tattempts={letter.attempts}\t{state}\t{letter.error[:200]}"
            )
        if not letters:
            print("no dead letters", file=sys.stderr)

    with embedded_services(settings, broker_needed=False) as running:
        asyncio.run(show(running))
    return 0


def _dlq_replay(args: argparse.Namespace, settings: Settings) -> int:
    async def replay(running: Settings) -> bool:
        pool = await create_pool(replace(running, db_pool_min=1, db_pool_max=1))
        try:
            return await dlq_replay(pool, dead_letter_id=args.id, registry=Platform.default().registry())
        finally:
            await pool.close()

    with embedded_services(settings, broker_needed=False) as running:
        try:
            handled = asyncio.run(replay(running))
        except (DeadLetterError, UnknownServiceError) as exc:
            return _fail(str(exc))
        except Exception as exc:
            return _fail(f"replay of dead letter {args.id} failed again: {type(exc).__name__}: {exc}")
    outcome = "handled" if handled else "already handled (the inbox had it); marked replayed"
    print(f"dead letter {args.id}: {outcome}", file=sys.stderr)
    return 0


async def _until_signalled(run: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await run(stop)


def _fail(message: str, *, code: int = 1) -> int:
    print(f"alliance: {message}", file=sys.stderr)
    return code
