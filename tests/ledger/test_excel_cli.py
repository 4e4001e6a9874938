"""`alliance ledger export|import`, run as an operator would: the round trip reproduces the
items, a second import is a no-op, a broken file changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import asyncpg
import openpyxl
import pytest

from services.core.principal import Principal
from services.core.settings import Settings
from services.core.tenancy import tenant_transaction
from services.ledger.items import NewItem, create_ledger_item
from services.ledger.models import LedgerList, LedgerSource
from services.ledger.workbook import FIGURES_SHEET, SHEETS
from tests.ledger.conftest import local_today
from tests.ledger.excel_support import (
    Tenant,
    alliance,
    credit_codes,
    headings,
    new_tenant,
    read_sheets,
    workbook,
)
from tests.support.writes import WritesNothing

# Next year: nothing is overdue yet, whatever day the tests run.
YEAR = local_today().year + 1
PROBLEMS, TASKS, RESPONSIBILITIES = SHEETS.values()

# Each item as a user sees it, by names rather than ids (which differ between tenants).
_ITEMS = """
SELECT i.list, o.name AS organization, i.year, i.title, i.description, i.source, r.name AS responsible,
       i.responsible_person, i.holder_role, i.due_date, a.name AS assigner, i.status,
       ARRAY(SELECT p.title FROM ledger_item_answers x JOIN ledger_items p ON p.id = x.problem_id
             WHERE x.task_id = i.id ORDER BY p.title) AS answers
FROM ledger_items i
JOIN organizations o ON o.id = i.organization_id
JOIN organizations r ON r.id = i.responsible_organization_id
JOIN organizations a ON a.id = i.assigning_organization_id
WHERE i.tenant_id = $1 ORDER BY i.list, i.title
"""


async def _items(admin_conn: asyncpg.Connection, tenant: Tenant) -> list[tuple[object, ...]]:
    return [tuple(row.values()) for row in await admin_conn.fetch(_ITEMS, tenant.id)]


@pytest.fixture
async def twins(admin_conn: asyncpg.Connection) -> tuple[Tenant, Tenant]:
    """Two fresh tenants with the same organisations (same credit codes)."""
    codes = credit_codes()
    return await new_tenant(admin_conn, codes), await new_tenant(admin_conn, codes)


async def _seed(pool: asyncpg.Pool, tenant: Tenant) -> None:
    """A small ledger written through the normal write path, as the alliance admin."""
    actor = Principal(
        account_id=tenant.admin_id,
        login="xl-admin",
        tenant_id=tenant.id,
        tenant_slug=tenant.slug,
        roles=frozenset({"alliance_admin"}),
    )
    orgs = tenant.orgs
    async with tenant_transaction(pool, actor) as conn:
        problem = await create_ledger_item(
            conn,
            actor=actor,
            data=NewItem(
                list=LedgerList.PROBLEM,
                organization_id=orgs["garden"],
                year=YEAR,
                title="社区党员活动阵地面积不足",
                description="活动室不足 100 平方米",
                due_date=dt.date(YEAR, 6, 30),
                source=LedgerSource.REVIEW,
            ),
        )
        for data in (
            NewItem(
                list=LedgerList.TASK,
                organization_id=orgs["street"],
                year=YEAR,
                title="与驻区单位共建共享党员活动室",
                due_date=dt.date(YEAR, 9, 30),
                responsible_organization_id=orgs["garden"],
                responsible_person="张三",
                answers_problem_ids=[problem.id],
                source=LedgerSource.PLAN,
            ),
            NewItem(
                list=LedgerList.RESPONSIBILITY,
                organization_id=orgs["riverside"],
                year=YEAR,
                title="落实意识形态工作责任制",
                due_date=dt.date(YEAR + 1, 1, 15),
                holder_role="社区党支部书记",
            ),
            NewItem(
                list=LedgerList.TASK,
                organization_id=orgs["riverside"],
                year=YEAR,
                title="开展党员冬训专题学习",
                due_date=dt.date(YEAR, 12, 31),
                source=LedgerSource.INSPECTION,
            ),
        ):
            await create_ledger_item(conn, actor=actor, data=data)


async def test_round_trip_reproduces_the_items_and_a_second_import_writes_nothing(
    settings: Settings,
    pool: asyncpg.Pool,
    admin_conn: asyncpg.Connection,
    twins: tuple[Tenant, Tenant],
    writes_nothing: WritesNothing,
    tmp_path: Path,
) -> None:
    source, target = twins
    await _seed(pool, source)
    out = tmp_path / "ledger.xlsx"
    exported = await alliance(
        "ledger", "export", "--tenant", source.slug, "--year", str(YEAR), "--out", str(out), settings=settings
    )
    assert exported.returncode == 0, exported.stderr

    sheets = read_sheets(out)
    assert [len(sheets[name]) for name in (PROBLEMS, TASKS, RESPONSIBILITIES)] == [1, 2, 1]
    assert list(sheets[TASKS][0]) == headings(LedgerList.TASK)
    assert sheets[PROBLEMS][0]["来源"] == "述职评议" and sheets[PROBLEMS][0]["状态"] == "未开始"
    figures = openpyxl.load_workbook(out)[FIGURES_SHEET]
    assert len(figures._charts) == 1  # completion by organisation
    by_org = {row[0]: row[2:] for row in figures.iter_rows(min_row=2, values_only=True)}
    # Items (cancelled left out), signed off, overdue, completion rate.
    assert by_org == {
        "东城街道党工委": (1, 0, 0, 0),
        "滨河社区党支部": (2, 0, 0, 0),
        "花园社区党委": (1, 0, 0, 0),
    }

    imported = await alliance("ledger", "import", "--tenant", target.slug, str(out), settings=settings)
    assert imported.returncode == 0, imported.stderr
    assert "created 4 item(s); 0 already on the ledger" in imported.stdout
    assert await _items(admin_conn, target) == await _items(admin_conn, source)
    # Each created item has its history step, audit row and event, as any creation.
    counts = await admin_conn.fetchrow(
        "SELECT (SELECT count(*) FROM ledger_item_steps WHERE tenant_id = $1 AND action = 'IMPORTED') AS steps,"
        " (SELECT count(*) FROM audit_log WHERE tenant_id = $1 AND entity_type = 'ledger_item'"
        "  AND actor_login = 'alliance-cli') AS audits,"
        " (SELECT count(*) FROM outbox WHERE tenant_id = $1 AND event_type = 'ledger_item.created.v1') AS events",
        target.id,
    )
    assert dict(counts) == {"steps": 4, "audits": 4, "events": 4}

    async with writes_nothing():
        again = await alliance("ledger", "import", "--tenant", target.slug, str(out), settings=settings)
        assert again.returncode == 0, again.stderr
        assert "created 0 item(s); 4 already on the ledger" in again.stdout
        # The source's own export, imported into it, finds every item by its id.
        home = await alliance("ledger", "import", "--tenant", source.slug, str(out), settings=settings)
        assert "created 0 item(s); 4 already on the ledger" in home.stdout, home.stderr


async def test_dry_run_checks_and_writes_nothing(
    settings: Settings, twins: tuple[Tenant, Tenant], writes_nothing: WritesNothing, tmp_path: Path
) -> None:
    _, target = twins
    file = tmp_path / "plan.xlsx"
    file.write_bytes(
        workbook(
            {
                PROBLEMS: [
                    ["导入键", "所属组织", "年度", "标题", "时间节点"],
                    ["P-1", "花园社区党委", YEAR, "居民议事场所不足", dt.datetime(YEAR, 5, 1)],
                ]
            }
        )
    )
    async with writes_nothing():
        result = await alliance(
            "ledger", "import", "--tenant", target.slug, str(file), "--dry-run", settings=settings
        )
    assert result.returncode == 0, result.stderr
    assert "would create 1 item(s)" in result.stdout


async def test_one_bad_row_reports_row_column_reason_and_writes_nothing(
    settings: Settings, twins: tuple[Tenant, Tenant], writes_nothing: WritesNothing, tmp_path: Path
) -> None:
    _, target = twins
    file = tmp_path / "bad.xlsx"
    head = ["导入键", "所属组织", "年度", "标题", "来源", "时间节点"]
    file.write_bytes(
        workbook(
            {
                PROBLEMS: [
                    head,
                    ["P-1", "花园社区党委", YEAR, "居民议事场所不足", "督查", f"{YEAR}-05-01"],
                    ["P-2", "花园社区党委", YEAR, dt.datetime(YEAR, 3, 1), "督查", f"{YEAR}-05-01"],
                    ["P-1", "滨河社区党支部", YEAR, "重复的键", "督查", f"{YEAR}-05-01"],
                    ["P-3", "没有这个单位", YEAR, "单位不存在", "督查", f"{YEAR}-05-01"],
                    ["P-4", "花园社区党委", YEAR, "时间节点超出年度", "联席会议决议", f"{YEAR + 3}-01-01"],
                ]
            }
        )
    )
    async with writes_nothing():
        result = await alliance("ledger", "import", "--tenant", target.slug, str(file), settings=settings)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"{PROBLEMS} 第3行 [标题]: expected text, found a date" in lines
    assert any(line.startswith(f"{PROBLEMS} 第4行 [导入键]: duplicate key 'P-1'") for line in lines)
    assert any(line.startswith(f"{PROBLEMS} 第5行 [所属组织]: no organisation named") for line in lines)
    assert any(line.startswith(f"{PROBLEMS} 第6行 [") for line in lines)
    assert "nothing was imported" in result.stderr
    assert result.stdout == ""


async def test_a_file_that_is_not_an_xlsx_is_refused(
    settings: Settings, twins: tuple[Tenant, Tenant], writes_nothing: WritesNothing, tmp_path: Path
) -> None:
    _, target = twins
    file = tmp_path / "ledger.xlsx"
    file.write_text("导入键,标题\nP-1,不是 Excel\n", encoding="utf-8")
    async with writes_nothing():
        result = await alliance("ledger", "import", "--tenant", target.slug, str(file), settings=settings)
    assert result.returncode == 1
    assert "not an xlsx file" in result.stderr
