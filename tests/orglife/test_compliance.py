"""Compliance: the figures compared with SQL counts over the records, and the ledger PROBLEM of
the branch that fell behind (source INSPECTION), created once however often the check runs."""

from __future__ import annotations

import uuid
from typing import cast

import asyncpg

from services.core.tenancy import set_scope
from services.orglife.compliance import open_compliance_problems
from tests.conftest import GraphQLClient
from tests.orglife.conftest import data

FIGURES = """
query($year: Int!, $org: ID, $below: Boolean!) {
  organisationalLifeFigures(year: $year, organizationId: $org, includeDescendants: $below) {
    organizationId kind held due dueForYear attendanceRate behind
  }
}
"""


async def _today(admin_conn: asyncpg.Connection) -> object:
    return await admin_conn.fetchval("SELECT orglife_today()")


async def test_figures_are_the_records_counted(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    today = await _today(admin_conn)
    year = today.year  # type: ignore[attr-defined]
    figures = cast(
        list[dict[str, object]],
        data(
            await gql(
                FIGURES, {"year": year, "org": str(orgs["street"]), "below": True}, login="alliance-admin"
            ),
            "organisationalLifeFigures",
        ),
    )
    assert figures
    for figure in figures:
        held = await admin_conn.fetchval(
            "SELECT count(*) FROM organisational_life_records WHERE organization_id = $1 AND kind = $2"
            " AND extract(year FROM held_on) = $3",
            uuid.UUID(str(figure["organizationId"])),
            figure["kind"],
            year,
        )
        present, absent = await admin_conn.fetchrow(
            "SELECT count(*) FILTER (WHERE a.present), count(*) FILTER (WHERE NOT a.present)"
            " FROM organisational_life_attendance a JOIN organisational_life_records l ON l.id = a.record_id"
            " WHERE l.organization_id = $1 AND l.kind = $2 AND extract(year FROM l.held_on) = $3",
            uuid.UUID(str(figure["organizationId"])),
            figure["kind"],
            year,
        )
        assert figure["held"] == held, figure
        assert figure["attendanceRate"] == (None if present + absent == 0 else present / (present + absent))
        assert figure["behind"] == (figure["held"] < figure["due"])  # type: ignore[operator]
    riverside = [f for f in figures if f["organizationId"] == str(orgs["riverside"])]
    garden = [f for f in figures if f["organizationId"] == str(orgs["garden"])]
    if today.month > 2:  # type: ignore[attr-defined]
        assert any(f["behind"] for f in riverside)
        assert not any(f["behind"] for f in garden if f["kind"] != "MEMBER_EVALUATION")


async def test_the_branch_behind_gets_one_inspection_problem(
    admin_conn: asyncpg.Connection, pool: asyncpg.Pool, demo: dict[str, uuid.UUID], orgs: dict[str, uuid.UUID]
) -> None:
    today = await _today(admin_conn)
    if today.month <= 2:  # type: ignore[attr-defined]
        return  # nothing is due yet in January
    problems = """SELECT count(*) FROM ledger_items WHERE tenant_id = $1 AND list = 'PROBLEM' AND source = 'INSPECTION'
                  AND source_id = $2"""
    first = await admin_conn.fetchval(problems, demo["demo"], orgs["riverside"])
    assert first >= 1  # the demo's compliance check opened it
    for _ in range(2):
        async with pool.acquire() as conn, conn.transaction():
            await set_scope(conn, tenant_id=demo["demo"])
            await open_compliance_problems(conn, tenant_id=demo["demo"])
    assert await admin_conn.fetchval(problems, demo["demo"], orgs["riverside"]) == first
    assert await admin_conn.fetchval(problems, demo["demo"], orgs["garden"]) == 0
