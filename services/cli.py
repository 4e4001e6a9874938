"""The ``alliance`` command: serve, migrate, seed demo data."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence

from services.core.embedded import embedded_services
from services.core.logging import configure_logging
from services.core.migrations import MigrationError, migrate
from services.core.settings import Settings, SettingsError

log = logging.getLogger("alliance.cli")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from services.demo import seed_demo

    with embedded_services(settings) as running:
        running = running.with_jwt_secret_from_data_dir()
        if args.migrate:
            migrate(running)
        if args.demo:
            asyncio.run(seed_demo(running))
        # Workers (and the app factory) read the resolved settings from the environment.
        os.environ.update(running.to_env())
        url = f"http://{args.host}:{args.port}/graphql"
        print(f"\n  Alliance platform (区域化党建联盟平台) serving {url}", file=sys.stderr)
        print(
            "  GraphiQL opens at the same address in a browser. Ctrl-C stops everything.\n",
            file=sys.stderr,
        )
        uvicorn.run(
            "services.gateway.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_config=None,
            access_log=False,
            lifespan="on",
            ws="websockets-sansio",
        )
    return 0


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    with embedded_services(settings) as running:
        migrate(running)
    print("migrations applied", file=sys.stderr)
    return 0


def _seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from services.demo import seed_demo

    with embedded_services(settings) as running:
        migrate(running)
        asyncio.run(seed_demo(running.with_jwt_secret_from_data_dir()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance", description="Alliance platform (区域化党建联盟平台) command line."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the HTTP/GraphQL server")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
    serve.add_argument("--migrate", action="store_true", help="apply migrations first")
    serve.add_argument("--demo", action="store_true", help="load demo data if not loaded yet")
    serve.set_defaults(handler=_serve)

    commands.add_parser("migrate", help="apply pending migrations").set_defaults(handler=_migrate)
    commands.add_parser("seed-demo", help="load the demo data (once)").set_defaults(
        handler=_seed_demo
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"alliance: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        result: int = args.handler(args, settings)
    except MigrationError as exc:
        log.error("%s", exc)
        return 1
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
