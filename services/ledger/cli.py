"""``alliance ledger export|import``: the ledger as the Excel workbook it lives in today.

An operator's commands: they act for the whole tenant (as ``SystemActor``, recorded in the
audit trail as ``alliance-cli``) through the application's role, so row-level security holds
them to the tenant named.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import cast

import asyncpg

from services.core.db import create_pool
from services.core.embedded import embedded_services
from services.core.errors import NotFound
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.events.changes import SystemActor
from services.ledger.access import ReadScope
from services.ledger.export import ledger_workbook
from services.ledger.import_file import RowErrors, read_workbook
from services.ledger.imports import import_ledger


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ledger export`` and ``ledger import`` to a command-line parser's subcommands."""
    ledger = subparsers.add_parser("ledger", help="the three-lists ledger (三单制台账) as Excel")
    commands = ledger.add_subparsers(dest="ledger_command", required=True)
    export = commands.add_parser("export", help="write a year's ledger to an .xlsx file")
    export.add_argument("--tenant", required=True, help="tenant slug, e.g. demo")
    export.add_argument("--year", required=True, type=int)
    export.add_argument("--org", type=uuid.UUID, help="only this organisation and those below it")
    export.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    export.set_defaults(handler=_export)
    load = commands.add_parser("import", help="add the items of an .xlsx file (the export's layout)")
    load.add_argument("--tenant", required=True, help="tenant slug, e.g. demo")
    load.add_argument("file", type=Path)
    load.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    load.set_defaults(handler=_import)


@contextlib.asynccontextmanager
async def _tenant_transaction(
    settings: Settings, slug: str
) -> AsyncIterator[tuple[asyncpg.Connection, uuid.UUID]]:
    pool = await create_pool(replace(settings, db_pool_min=1, db_pool_max=1))
    try:
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as a connection
            tenant_id = await conn.fetchval("SELECT id FROM alliances WHERE slug = $1", slug)
            if tenant_id is None:
                raise NotFound(f"no tenant {slug!r}", field="tenant")
            await set_scope(conn, tenant_id=tenant_id)
            yield conn, uuid.UUID(str(tenant_id))
    finally:
        await pool.close()


def _export(args: argparse.Namespace, settings: Settings) -> int:
    async def run(running: Settings) -> bytes:
        async with _tenant_transaction(running, args.tenant) as (conn, _):
            everything = ReadScope(sees_all=True, subtree=[], member_of=[])
            return await ledger_workbook(conn, scope=everything, year=args.year, organization_id=args.org)

    with embedded_services(settings, broker_needed=False) as running:
        content = asyncio.run(run(running))
    args.out.write_bytes(content)
    print(f"wrote {args.out} ({len(content)} bytes)", file=sys.stderr)
    return 0


@contextlib.contextmanager
def _progress_bar() -> Iterator[Callable[[str, int | None], Callable[[int], None]]]:
    """Stages with a progress bar when stdout is a terminal; silent otherwise."""
    if not sys.stdout.isatty():
        yield lambda description, total: lambda done: None
        return
    from rich.progress import Progress

    with Progress() as progress:

        def stage(description: str, total: int | None) -> Callable[[int], None]:
            task = progress.add_task(description, total=total)
            return lambda done: progress.advance(task, done)

        yield stage


def _import(args: argparse.Namespace, settings: Settings) -> int:
    with _progress_bar() as stage:
        read = read_workbook(args.file, progress=stage("读取 reading", None))

        async def run(running: Settings) -> str:
            async with _tenant_transaction(running, args.tenant) as (conn, tenant_id):
                report = await import_ledger(
                    conn,
                    actor=SystemActor(tenant_id=tenant_id),
                    rows=read.rows,
                    errors=read.errors,
                    dry_run=args.dry_run,
                    checked_rows=stage("检查 checking", len(read.rows)),
                    written_rows=None if args.dry_run else stage("写入 writing", None),
                )
            verb = "would create" if report.dry_run else "created"
            return f"{verb} {report.created} item(s); {report.unchanged} already on the ledger"

        with embedded_services(settings, broker_needed=False) as running:
            try:
                summary = asyncio.run(run(running))
            except RowErrors as exc:
                return _report(exc)
    print(summary)
    return 0


def _report(errors: RowErrors) -> int:
    for error in errors.errors:
        print(error, file=sys.stderr)
    print(f"alliance: {errors.message}", file=sys.stderr)
    return 1
