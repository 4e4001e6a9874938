"""Every figure of cobuildingFigures equals SQL over the same data (数据化考核 from the data)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import asyncpg

from tests.conftest import GraphQLClient

FIGURES = """
query($year: Int) {
  cobuildingFigures(year: $year) {
    agreementsByStatus { status count }
    projects { dimensionCode status count }
    contributions { kind side unit total entries }
    milestones { onTime late overdue open }
    evaluations { dimensionCode enterpriseAverage localAverage divergentAgreements }
  }
}
"""
ACROSS = "query($year: Int) { viewer { cobuildingFiguresAcrossTenants(year: $year) { contributions { kind side total } } } }"


async def test_figures_equal_sql(
    gql: GraphQLClient, admin_conn: asyncpg.Connection, cob: dict[str, str], demo: dict[str, uuid.UUID]
) -> None:
    year = dt.date.today().year
    tenant = demo["demo"]
    body = await gql(FIGURES, {"year": year}, login="alliance-admin")
    assert "errors" not in body, body
    f = body["data"]["cobuildingFigures"]  # type: ignore[index]
    statuses = await admin_conn.fetch(
        """
        SELECT CASE WHEN a.status <> 'SIGNED' THEN a.status WHEN current_date < v.start_date THEN 'SIGNED'
                    WHEN current_date <= v.end_date THEN 'ACTIVE' ELSE 'EXPIRED' END AS status, count(*) AS n
        FROM cobuilding_agreements a JOIN cobuilding_agreement_versions v
          ON v.agreement_id = a.id AND v.version = coalesce(a.signed_version, a.latest_version)
        WHERE a.tenant_id = $1 AND extract(year FROM v.start_date) <= $2 AND extract(year FROM v.end_date) >= $2
        GROUP BY 1
        """,
        tenant,
        year,
    )
    assert {r["status"]: r["count"] for r in f["agreementsByStatus"]} == {
        r["status"]: r["n"] for r in statuses
    }
    projects = await admin_conn.fetch(
        "SELECT d.code, p.status, count(*) AS n FROM cobuilding_projects p JOIN cobuilding_dimensions d"
        " ON d.id = p.dimension_id WHERE p.tenant_id = $1 AND extract(year FROM p.start_date) <= $2"
        " AND extract(year FROM p.end_date) >= $2 GROUP BY 1, 2",
        tenant,
        year,
    )
    assert {(r["dimensionCode"], r["status"]): r["count"] for r in f["projects"]} == {
        (r["code"], r["status"]): r["n"] for r in projects
    }
    sums = await admin_conn.fetch(
        "SELECT kind, side, unit, sum(amount) AS total, count(*) AS n FROM cobuilding_contributions"
        " WHERE tenant_id = $1 AND extract(year FROM contributed_on) = $2 GROUP BY 1, 2, 3",
        tenant,
        year,
    )
    assert {
        (r["kind"], r["side"], r["unit"]): (decimal.Decimal(r["total"]), r["entries"])
        for r in f["contributions"]
    } == {(r["kind"], r["side"], r["unit"]): (r["total"], r["n"]) for r in sums}
    assert {k for k, _, _ in ((r["kind"], 0, 0) for r in f["contributions"])} >= {
        "FUNDING",
        "VOLUNTEER_HOURS",
        "MATERIALS",
        "VENUE",
        "SERVICE",
        "TRAINING",
    }
    m = await admin_conn.fetchrow(
        """
        SELECT count(*) FILTER (WHERE completed_at IS NOT NULL
                                AND (completed_at AT TIME ZONE 'Asia/Shanghai')::date <= due_date) AS on_time,
               count(*) FILTER (WHERE completed_at IS NOT NULL
                                AND (completed_at AT TIME ZONE 'Asia/Shanghai')::date > due_date) AS late,
               count(*) FILTER (WHERE completed_at IS NULL AND due_date < current_date) AS overdue,
               count(*) FILTER (WHERE completed_at IS NULL AND due_date >= current_date) AS open
        FROM cobuilding_milestones WHERE tenant_id = $1 AND extract(year FROM due_date) = $2
        """,
        tenant,
        year,
    )
    assert m is not None
    assert f["milestones"] == {
        "onTime": m["on_time"],
        "late": m["late"],
        "overdue": m["overdue"],
        "open": m["open"],
    }
    assert m["overdue"] >= 1  # the demo has overdue milestones
    averages = await admin_conn.fetch(
        "SELECT d.code, e.side, round(avg(s.score), 2) AS average FROM cobuilding_evaluations e"
        " JOIN cobuilding_evaluation_scores s ON s.evaluation_id = e.id JOIN cobuilding_dimensions d"
        " ON d.id = s.dimension_id WHERE e.tenant_id = $1 AND e.period = $2 GROUP BY 1, 2",
        tenant,
        year,
    )
    expected = {(r["code"], r["side"]): float(r["average"]) for r in averages}
    got = {}
    for row in f["evaluations"]:
        if row["enterpriseAverage"] is not None:
            got[(row["dimensionCode"], "ENTERPRISE")] = row["enterpriseAverage"]
        if row["localAverage"] is not None:
            got[(row["dimensionCode"], "LOCAL")] = row["localAverage"]
    assert got == expected
    divergent = await admin_conn.fetch(
        "SELECT d.code, count(*) AS n FROM cobuilding_evaluations e JOIN cobuilding_evaluation_scores es"
        " ON es.evaluation_id = e.id JOIN cobuilding_evaluations l ON l.agreement_id = e.agreement_id"
        " AND l.period = e.period AND l.side = 'LOCAL' JOIN cobuilding_evaluation_scores ls"
        " ON ls.evaluation_id = l.id AND ls.dimension_id = es.dimension_id JOIN cobuilding_dimensions d"
        " ON d.id = es.dimension_id WHERE e.tenant_id = $1 AND e.period = $2 AND e.side = 'ENTERPRISE'"
        " AND abs(es.score - ls.score) >= 2 GROUP BY 1",
        tenant,
        year,
    )
    assert {
        r["dimensionCode"]: r["divergentAgreements"] for r in f["evaluations"] if r["divergentAgreements"]
    } == {r["code"]: r["n"] for r in divergent}

    # The SOE's view sums its organisation's contributions in both districts.
    across = await gql(ACROSS, {"year": year}, login="soe-admin")
    assert "errors" not in across, across
    funding = {
        (r["kind"], r["side"]): decimal.Decimal(r["total"])
        for r in across["data"]["viewer"]["cobuildingFiguresAcrossTenants"]["contributions"]  # type: ignore[index]
    }
    sql_total = await admin_conn.fetchval(
        "SELECT coalesce(sum(c.amount), 0) FROM cobuilding_contributions c JOIN cobuilding_projects p"
        " ON p.id = c.project_id JOIN cobuilding_agreements a ON a.id = p.agreement_id JOIN organizations o"
        " ON o.id = a.enterprise_org_id WHERE o.kind = 'SOE' AND c.kind = 'FUNDING' AND c.side = 'ENTERPRISE'"
        " AND extract(year FROM c.contributed_on) = $1 AND a.signed_version IS NOT NULL",
        year,
    )
    assert funding.get(("FUNDING", "ENTERPRISE"), decimal.Decimal(0)) == sql_total
