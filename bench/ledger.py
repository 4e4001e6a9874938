"""Benchmark: importing a 10,000-row ledger workbook (issue #12 asks for under 30 s).

``make bench-ledger`` (or ``python -m bench.ledger``). Starts its own embedded PostgreSQL in a
temporary folder, loads the directory's demo organisations, writes a workbook of ROWS rows
(problems, tasks answering them, responsibilities) in the export's layout, then times what
``alliance ledger import`` does: reading and checking the file, checking every row against
the database, and writing each item with its history step, audit row and outbox event in one
transaction. A second import of the same file (every key already there) is timed too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import cast

import asyncpg

from services.core.db import create_pool
from services.core.embedded import embedded_services
from services.core.migrations import migrate
from services.core.settings import Settings
from services.core.tenancy import set_scope
from services.directory.demo import seed_directory
from services.events.changes import SystemActor
from services.ledger.import_file import read_workbook
from services.ledger.imports import import_ledger
from services.ledger.models import LedgerList
from services.ledger.workbook import COLUMNS, SHEETS

ROWS = 10_000
YEAR = 2027
ORGANIZATIONS = ("东城街道党工委", "花园社区党委", "滨河社区党支部")


def _write_workbook(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    per_list = {LedgerList.PROBLEM: ROWS * 3 // 10, LedgerList.TASK: ROWS // 2}
    per_list[LedgerList.RESPONSIBILITY] = ROWS - sum(per_list.values())
    for ledger_list, sheet_name in SHEETS.items():
        sheet = book.create_sheet(sheet_name)
        headings = [c.heading for c in COLUMNS[ledger_list] if c.imported]
        sheet.append(headings)
        for n in range(per_list[ledger_list]):
            values = {
                "导入键": f"{ledger_list.value[0]}-{n}",
                "所属组织": ORGANIZATIONS[n % 3],
                "年度": YEAR,
                "标题": f"{sheet_name} 第{n}项：基层党建重点工作",
                "具体内容": "按照年度党建工作要点推进落实",
                "来源": "工作计划",
                "责任人": "张三",
                "时间节点": dt.date(YEAR, 1 + n % 12, 1 + n % 28),
                # Every fourth task answers a problem (assigned by the district: any problem fits).
                "回应问题(导入键)": f"P-{n % per_list[LedgerList.PROBLEM]}"
                if ledger_list == LedgerList.TASK and n % 4 == 0
                else None,
                "岗位(一岗双责)": "社区党组织书记" if ledger_list == LedgerList.RESPONSIBILITY else None,
            }
            sheet.append([values.get(h) for h in headings])
    book.save(path)


async def _import(settings: Settings, path: Path) -> tuple[float, float, str]:
    pool = await create_pool(replace(settings, db_pool_min=1, db_pool_max=1))
    try:
        started = time.perf_counter()
        read = read_workbook(path)
        reading = time.perf_counter() - started
        async with pool.acquire() as proxy, proxy.transaction():
            conn = cast(asyncpg.Connection, proxy)
            tenant_id = await conn.fetchval("SELECT id FROM alliances WHERE slug = 'demo'")
            await set_scope(conn, tenant_id=tenant_id)
            report = await import_ledger(
                conn, actor=SystemActor(tenant_id=tenant_id), rows=read.rows, errors=read.errors
            )
        total = time.perf_counter() - started
    finally:
        await pool.close()
    return reading, total, f"created {report.created}, unchanged {report.unchanged}"


async def _bench(settings: Settings, folder: Path) -> None:
    admin = await asyncpg.connect(settings.database_url)
    try:
        await seed_directory(admin)
    finally:
        await admin.close()
    path = folder / "ledger-10000.xlsx"
    _write_workbook(path)
    print(f"workbook: {ROWS} rows, {path.stat().st_size / 1024:.0f} KiB", file=sys.stderr)
    for run in ("first import", "second import (no-op)"):
        reading, total, outcome = await _import(settings, path)
        print(f"{run}: {total:.2f} s in all (reading the file {reading:.2f} s); {outcome}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="alliance-bench-") as folder:
        settings = replace(Settings.from_env({}), data_dir=Path(folder), log_json=False)
        with embedded_services(settings, broker_needed=False) as running:
            migrate(running)
            asyncio.run(_bench(running, Path(folder)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
