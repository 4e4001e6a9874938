"""The ``alliance`` command: serve, migrate, seed demo data."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
import tempfile
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import asyncpg

from services.core.embedded import embedded_services
from services.core.errors import DomainError
from services.core.logging import configure_logging
from services.core.migrations import MigrationError, migrate
from services.core.pgserver import UnsupportedServerError, check_server
from services.core.settings import Settings, SettingsError
from services.domain import Platform
from services.events.cli import add_commands as add_event_commands

log = logging.getLogger("alliance.cli")

BANNER = """
  Alliance platform (区域化党建联盟平台) serving {url}
  GraphiQL opens at that address in a browser. Ctrl-C stops everything.

  Get a token (another terminal):  .venv/bin/alliance token --tenant demo --login alliance-admin
  then send it as the header       Authorization: Bearer <token>
  Demo logins in `demo`: alliance-admin, street-admin, soe-admin, member, auditor;
  in `other`: alliance-admin (and soe-admin, who works in both).
"""


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from services.demo import seed_demo

    with contextlib.ExitStack() as stack:
        running = stack.enter_context(embedded_services(settings)).with_jwt_secret_from_data_dir()
        if args.migrate:
            migrate(running)
        else:
            assert running.database_url
            check_server(running.database_url)
        if args.demo:
            asyncio.run(seed_demo(running))
        # Workers (and the app factory) read the resolved settings from the environment.
        os.environ.update(running.to_env())
        if args.workers > 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            stack.enter_context(shared_metrics_dir())
        url = f"http://{args.host}:{args.port}/graphql"
        print(BANNER.format(url=url), file=sys.stderr)
        # uvicorn re-raises the signal that stopped it once it has shut down; a SIGTERM
        # that kills at once would skip stopping the embedded servers, so make it an exit.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        uvicorn.run("services.gateway.app:create_app", **server_options(args, running))
    return 0


@contextlib.contextmanager
def shared_metrics_dir() -> Iterator[Path]:
    """Give the server's worker processes one folder of metric files (prometheus-client's
    multiprocess mode), so that /metrics on any worker answers for all of them.

    ``PROMETHEUS_MULTIPROC_DIR`` if set (emptied first: files of a previous run would be
    counted again), else a temporary folder removed at exit. Set before uvicorn starts the
    workers, which inherit it.
    """
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="alliance-metrics-") as created:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = created
        try:
            yield Path(created)
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def server_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """uvicorn's configuration for ``alliance serve``."""
    return {
        "factory": True,
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "log_config": None,
        "access_log": False,
        "lifespan": "on",
        "ws": "websockets-sansio",
        # A WebSocket message is held to the HTTP body limit (uvicorn's default is 16 MiB);
        # the app checks it too, whatever server runs it.
        "ws_max_size": settings.limits.max_body_bytes,
    }


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    with embedded_services(settings, broker_needed=False) as running:
        migrate(running)
    print("migrations applied", file=sys.stderr)
    return 0


def _seed_demo(args: argparse.Namespace, settings: Settings) -> int:
    from services.demo import seed_demo

    with embedded_services(settings, broker_needed=False) as running:
        migrate(running)
        asyncio.run(seed_demo(running.with_jwt_secret_from_data_dir()))
    return 0


async def _with_owner(settings: Settings, action: Callable[[asyncpg.Connection], Awaitable[int]]) -> int:
    assert settings.database_url
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await action(conn)
    finally:
        await conn.close()


def _token(args: argparse.Namespace, settings: Settings) -> int:
    from services.core.auth import issue_token
    from services.directory.operations import account_id_for, tenant_id_for

    async def issue(conn: asyncpg.Connection) -> int:
        tenant_id = await tenant_id_for(conn, args.tenant)
        account_id = await account_id_for(conn, tenant_id=tenant_id, login=args.login)
        print(
            issue_token(
                running,
                account_id=account_id,
                login=args.login,
                tenant_id=tenant_id,
                tenant_slug=args.tenant,
                ttl_seconds=args.ttl,
            )
        )
        return 0

    with embedded_services(settings, broker_needed=False) as resolved:
        running = resolved.with_jwt_secret_from_data_dir()
        return asyncio.run(_with_owner(running, issue))


def _apikey(args: argparse.Namespace, settings: Settings) -> int:
    from services.directory import operations

    async def act(conn: asyncpg.Connection) -> int:
        if args.apikey_command == "create":
            key = await operations.create_api_key(conn, tenant_slug=args.tenant, name=args.name)
            print(f"API key {key.id} for {key.tenant_slug} ({key.name}); shown once:", file=sys.stderr)
            print(key.plaintext)
        elif args.apikey_command == "revoke":
            await operations.revoke_api_key(conn, key_id=uuid.UUID(args.id))
            print(f"revoked {args.id}")
        else:
            for row in await operations.list_api_keys(conn, tenant_slug=args.tenant):
                print(
                    row["id"],
                    row["prefix"],
                    row["name"],
                    "created",
                    row["created_at"].isoformat(),
                    "revoked" if row["revoked_at"] else "active",
                    "last used",
                    row["last_used_at"].isoformat() if row["last_used_at"] else "never",
                )
        return 0

    with embedded_services(settings, broker_needed=False) as running:
        return asyncio.run(_with_owner(running, act))


def _operations(args: argparse.Namespace, settings: Settings) -> int:
    """Register every operation of a .graphql file for a key (each with the fragments it uses)."""
    from graphql import parse, print_ast, separate_operations

    from schema import build_schema
    from schema.partners.documents import checked_cost
    from services.core.tenancy import set_scope
    from services.directory.operations import tenant_id_for
    from services.events.changes import SystemActor
    from services.partners.operations import register_operation

    with open(args.file, encoding="utf-8") as source:
        text = source.read()
    schema = build_schema(settings)
    documents = {name: print_ast(doc) for name, doc in separate_operations(parse(text)).items()}
    if "" in documents:
        raise DomainError("every operation in the file needs a name")

    async def act(conn: asyncpg.Connection) -> int:
        async with conn.transaction():
            tenant_id = await tenant_id_for(conn, args.tenant)
            await set_scope(conn, tenant_id=tenant_id)
            for name, document in documents.items():
                registered = await register_operation(
                    conn,
                    actor=SystemActor(tenant_id=tenant_id),
                    api_key_id=uuid.UUID(args.key),
                    name=name,
                    version=args.version,
                    document=document,
                    cost=checked_cost(schema, document, settings),
                )
                print(registered.name, f"v{registered.version}", registered.sha256, f"cost {registered.cost}")
        return 0

    with embedded_services(settings, broker_needed=False) as running:
        return asyncio.run(_with_owner(running, act))


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
    commands.add_parser("seed-demo", help="load the demo data (once)").set_defaults(handler=_seed_demo)

    token = commands.add_parser("token", help="print a signed token (development, operations)")
    token.add_argument("--tenant", required=True, help="tenant slug, e.g. demo")
    token.add_argument("--login", required=True, help="account login, e.g. alliance-admin")
    token.add_argument("--ttl", type=int, default=None, help="lifetime in seconds")
    token.set_defaults(handler=_token)

    apikey = commands.add_parser("apikey", help="partner API keys")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_commands.add_parser("create", help="create a key (printed once)")
    create.add_argument("--tenant", required=True)
    create.add_argument("--name", required=True)
    revoke = apikey_commands.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id")
    listing = apikey_commands.add_parser("list", help="list a tenant's keys")
    listing.add_argument("--tenant", required=True)
    apikey.set_defaults(handler=_apikey)

    operations = commands.add_parser("operations", help="persisted operations of partner keys")
    operations_commands = operations.add_subparsers(dest="operations_command", required=True)
    push = operations_commands.add_parser("push", help="register a file's operations for a key")
    push.add_argument("file", help="a .graphql file; each named operation is registered")
    push.add_argument("--tenant", required=True)
    push.add_argument("--key", required=True, help="the API key's id")
    push.add_argument("--version", type=int, default=1)
    operations.set_defaults(handler=_operations)

    add_event_commands(commands)
    for module in Platform.default().cli_modules():
        importlib.import_module(module).add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); its fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"alliance: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, json=settings.log_json)
    try:
        result: int = args.handler(args, settings)
    except (MigrationError, UnsupportedServerError) as exc:
        log.error("%s", exc)
        return 1
    except DomainError as exc:
        print(f"alliance: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    raise SystemExit(main())
