"""The ledger as an Excel workbook (台账导出): one sheet per list, and a figures sheet with a
chart of completion by organisation. What a caller may read is what the file holds."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.core.errors import Forbidden, NotFound
from services.ledger import rules
from services.ledger.access import REACH_CTE, SCOPE_WHERE, ReadScope
from services.ledger.listing import organizations_of
from services.ledger.models import LedgerList, LedgerSource, LedgerStatus
from services.ledger.rows import OVERDUE
from services.ledger.workbook import (
    COLUMNS,
    FIGURE_HEADINGS,
    FIGURES_SHEET,
    SHEETS,
    SOURCE_LABELS,
    STATUS_LABELS,
    Column,
    Kind,
)

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Parameters $1–$3 the read scope, $4 the year, $5 the organisations (null: all).
_ROWS = f"""
WITH RECURSIVE {REACH_CTE}
SELECT i.list, coalesce(i.import_key, i.id::text) AS key, i.year, i.title, i.description, i.source,
       o.name AS organization, o.credit_code AS organization_code,
       r.name AS responsible, r.credit_code AS responsible_code, i.responsible_person,
       a.name AS assigner, a.credit_code AS assigner_code, i.holder_role, i.due_date, i.status,
       i.percent, {OVERDUE} AS overdue,
       (i.signed_off_at AT TIME ZONE 'Asia/Shanghai')::date AS signed_off_at, i.organization_id,
       ARRAY(SELECT coalesce(p.import_key, p.id::text) FROM ledger_item_answers x
             JOIN ledger_items p ON p.id = x.problem_id WHERE x.task_id = i.id ORDER BY p.id) AS answers
FROM ledger_items i
JOIN organizations o ON o.id = i.organization_id
JOIN organizations r ON r.id = i.responsible_organization_id
JOIN organizations a ON a.id = i.assigning_organization_id
WHERE {SCOPE_WHERE} AND i.year = $4 AND ($5::uuid[] IS NULL OR i.organization_id = ANY($5::uuid[]))
ORDER BY i.id
"""

_HEADING_FONT = Font(bold=True)
_HEADING_FILL = PatternFill("solid", start_color="FFDDE6F0")


async def export_rows(
    conn: asyncpg.Connection, *, scope: ReadScope, year: int, organization_id: uuid.UUID | None
) -> list[asyncpg.Record]:
    """The items of ``year`` the scope may read (of one organisation and those below it)."""
    rules.check_year(year)
    organizations = None
    if organization_id is not None:
        if not await conn.fetchval("SELECT true FROM organizations WHERE id = $1", organization_id):
            raise NotFound("no such organization", field="organizationId")
        if not scope.sees_organization(organization_id):
            raise Forbidden("this organisation's ledger is outside yours")
        organizations = await organizations_of(
            conn, organization_id=organization_id, include_descendants=True
        )
    rows: list[asyncpg.Record] = await conn.fetch(
        _ROWS, scope.sees_all, scope.subtree, scope.member_of, year, organizations
    )
    return rows


def _cell(column: Column, row: asyncpg.Record) -> Any:
    value = row[column.name]
    if column.name == "source":
        return SOURCE_LABELS[LedgerSource(value)]
    if column.name == "status":
        return STATUS_LABELS[LedgerStatus(value)]
    if column.name == "overdue":
        return "是" if value else "否"
    if column.name == "answers":
        return "、".join(value) or None
    if column.name == "description":
        return value or None
    return value


def _headings(sheet: Worksheet, columns: Sequence[Column | str], widths: Sequence[int]) -> None:
    sheet.append([c.heading if isinstance(c, Column) else c for c in columns])
    for n, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
        heading = sheet.cell(row=1, column=n)
        heading.font = _HEADING_FONT
        heading.fill = _HEADING_FILL
    sheet.freeze_panes = "A2"


def _list_sheet(book: Workbook, ledger_list: LedgerList, rows: Sequence[asyncpg.Record]) -> None:
    sheet = book.create_sheet(SHEETS[ledger_list])
    columns = COLUMNS[ledger_list]
    _headings(sheet, columns, [c.width for c in columns])
    for row in rows:
        sheet.append([_cell(column, row) for column in columns])
    for n, column in enumerate(columns, start=1):
        if column.kind is Kind.DATE:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = "yyyy-mm-dd"
    sheet.auto_filter.ref = sheet.dimensions


def _figures_sheet(book: Workbook, year: int, rows: Sequence[asyncpg.Record]) -> None:
    """Per organisation: items (cancelled ones left out), signed off, overdue, completion."""
    sheet = book.create_sheet(FIGURES_SHEET)
    _headings(sheet, FIGURE_HEADINGS, (28, 22, 14, 10, 10, 10))
    per_org: dict[uuid.UUID, list[Any]] = {}
    for row in rows:
        if row["status"] == LedgerStatus.CANCELLED:
            continue
        found = per_org.setdefault(
            row["organization_id"], [row["organization"], row["organization_code"], 0, 0, 0]
        )
        found[2] += 1
        found[3] += row["status"] == LedgerStatus.SIGNED_OFF
        found[4] += bool(row["overdue"])
    for name, code, total, signed_off, overdue in sorted(per_org.values(), key=lambda f: (f[0], f[1] or "")):
        sheet.append([name, code, total, signed_off, overdue, round(signed_off / total, 4)])
    for (cell,) in sheet.iter_rows(min_row=2, min_col=6, max_col=6):
        cell.number_format = "0.0%"
    if not per_org:
        return
    last = len(per_org) + 1
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"{year}年 各单位台账完成情况"
    chart.y_axis.title = "条目数"
    chart.add_data(Reference(sheet, min_col=3, max_col=4, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.height = max(7.5, 0.8 * len(per_org))
    chart.width = 18
    sheet.add_chart(chart, "H2")


def build_workbook(year: int, rows: Sequence[asyncpg.Record]) -> bytes:
    """The .xlsx file of these rows (from ``export_rows``)."""
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for ledger_list in SHEETS:
        _list_sheet(book, ledger_list, [row for row in rows if row["list"] == ledger_list])
    _figures_sheet(book, year, rows)
    book.properties.title = f"{year}年 三单制工作台账"
    book.properties.created = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def ledger_workbook(
    conn: asyncpg.Connection, *, scope: ReadScope, year: int, organization_id: uuid.UUID | None
) -> bytes:
    """The year's ledger as an .xlsx file; the workbook is built off the event loop."""
    rows = await export_rows(conn, scope=scope, year=year, organization_id=organization_id)
    return await asyncio.to_thread(build_workbook, year, rows)
