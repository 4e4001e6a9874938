"""Reading co-building data as far as the caller may see it; batch reads for the loaders.

Also the module other domains would import (the domain's read interface).
"""

from __future__ import annotations

import dataclasses
import decimal
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import orjson

from services.cobuilding.access import OWN_ORGS, VISIBLE, Scope
from services.cobuilding.models import (
    STATUS_SQL,
    Agreement,
    AgreementStatus,
    AgreementVersion,
    Commitment,
    Dimension,
    Project,
    Signature,
    Target,
)
from services.core.errors import NotFound
from services.core.records import Page, from_record

AGREEMENT_FROM = """
FROM cobuilding_agreements a
JOIN cobuilding_agreement_versions v
  ON v.agreement_id = a.id AND v.version = coalesce(a.signed_version, a.latest_version)
"""
AGREEMENT_COLUMNS = f"""
a.id, a.tenant_id, a.enterprise_org_id, a.local_org_id, a.status AS stored_status, a.latest_version,
a.signed_version, v.version, v.title, v.start_date, v.end_date, a.termination_reason, a.terminated_at,
a.created_at, ({STATUS_SQL}) AS status
"""


def agreement_from_record(row: Mapping[str, Any] | asyncpg.Record) -> Agreement:
    return dataclasses.replace(from_record(Agreement, row), status=AgreementStatus(row["status"]))


DIMENSION_COLUMNS = "id, code, name, description, position, retired_at"


async def list_dimensions(conn: asyncpg.Connection, *, include_retired: bool = True) -> list[Dimension]:
    rows = await conn.fetch(
        f"SELECT {DIMENSION_COLUMNS} FROM cobuilding_dimensions"
        " WHERE $1 OR retired_at IS NULL ORDER BY position, code",
        include_retired,
    )
    return [from_record(Dimension, row) for row in rows]


async def get_dimension(conn: asyncpg.Connection, *, dimension_id: uuid.UUID) -> Dimension:
    """One dimension of the catalogue, retired or not, as ``list_dimensions`` lists it to every
    reader; NOT_FOUND otherwise (also for other tenants' ids, hidden by row-level security)."""
    row = await conn.fetchrow(
        f"SELECT {DIMENSION_COLUMNS} FROM cobuilding_dimensions WHERE id = $1", dimension_id
    )
    if row is None:
        raise NotFound("no such dimension", field="id")
    return from_record(Dimension, row)


# One agreement by id ($5) or ids ($5 uuid[]), as far as the scope ($1–$4) sees.
AGREEMENT_BY_ID_SQL = (
    f"SELECT {AGREEMENT_COLUMNS} {AGREEMENT_FROM} WHERE a.id = ANY($5::uuid[]) AND {VISIBLE}"
)

# The filter of the agreements list: the scope ($1–$4), $5 status, $6 enterprise party,
# $7 local party, $8 only the caller's own agreements (a party is one of its organisations),
# $9 a dimension code of the shown version, $10 a LIKE pattern of the title.
_AGREEMENT_WHERE = f"""
WHERE {VISIBLE}
AND ($5::text IS NULL OR ({STATUS_SQL}) = $5)
AND ($6::uuid IS NULL OR a.enterprise_org_id = $6)
AND ($7::uuid IS NULL OR a.local_org_id = $7)
AND ($8::boolean IS NOT TRUE OR ARRAY[a.enterprise_org_id, a.local_org_id] && {OWN_ORGS})
AND ($9::text IS NULL OR EXISTS (
    SELECT 1 FROM cobuilding_commitments c JOIN cobuilding_dimensions d ON d.id = c.dimension_id
    WHERE c.agreement_id = a.id AND c.version = v.version AND d.code = $9))
AND ($10::text IS NULL OR v.title ILIKE '%' || $10 || '%')
"""
# A page, newest first ($11 the id after which it starts, $12 its size plus one), and the total.
AGREEMENTS_PAGE_SQL = (
    f"SELECT {AGREEMENT_COLUMNS} {AGREEMENT_FROM} {_AGREEMENT_WHERE}"
    " AND ($11::uuid IS NULL OR a.id < $11) ORDER BY a.id DESC LIMIT $12"
)
AGREEMENTS_COUNT_SQL = f"SELECT count(*) {AGREEMENT_FROM} {_AGREEMENT_WHERE}"


@dataclasses.dataclass(frozen=True, slots=True)
class AgreementFilter:
    status: AgreementStatus | None = None
    enterprise_org_id: uuid.UUID | None = None
    local_org_id: uuid.UUID | None = None
    own_only: bool = False
    dimension_code: str | None = None
    search: str | None = None


def agreement_filter_params(*, scope: Scope, filter: AgreementFilter) -> list[Any]:
    """``$1``–``$10`` of ``AGREEMENTS_PAGE_SQL`` and ``AGREEMENTS_COUNT_SQL``."""
    search = filter.search
    return [
        *scope.args(),
        filter.status.value if filter.status else None,
        filter.enterprise_org_id,
        filter.local_org_id,
        filter.own_only,
        filter.dimension_code,
        search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") if search else None,
    ]


async def get_agreement(conn: asyncpg.Connection, *, scope: Scope, agreement_id: uuid.UUID) -> Agreement:
    """One agreement the caller may see; NOT_FOUND otherwise (also for other tenants' ids)."""
    row = await conn.fetchrow(AGREEMENT_BY_ID_SQL, *scope.args(), [agreement_id])
    if row is None:
        raise NotFound("no such agreement", field="id")
    return agreement_from_record(row)


async def agreements_by_id(
    conn: asyncpg.Connection, *, scope: Scope, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Agreement]:
    rows = await conn.fetch(AGREEMENT_BY_ID_SQL, *scope.args(), list(ids))
    return {row["id"]: agreement_from_record(row) for row in rows}


async def list_agreements(
    conn: asyncpg.Connection,
    *,
    scope: Scope,
    first: int,
    after: uuid.UUID | None,
    count: bool,
    filter: AgreementFilter,
) -> Page[Agreement]:
    """Agreements the caller may see, newest first, filtered."""
    args = agreement_filter_params(scope=scope, filter=filter)
    rows = await conn.fetch(AGREEMENTS_PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(AGREEMENTS_COUNT_SQL, *args) if count else None
    items = [agreement_from_record(row) for row in rows[:first]]
    return Page(items=items, total=int(total or 0), has_next=len(rows) > first)


async def versions_of(
    conn: asyncpg.Connection, *, agreement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[AgreementVersion]]:
    rows = await conn.fetch(
        "SELECT agreement_id, version, title, start_date, end_date, signed_at, created_at"
        " FROM cobuilding_agreement_versions WHERE agreement_id = ANY($1::uuid[]) ORDER BY version",
        list(agreement_ids),
    )
    found: dict[uuid.UUID, list[AgreementVersion]] = defaultdict(list)
    for row in rows:
        found[row["agreement_id"]].append(from_record(AgreementVersion, row))
    return found


VersionKey = tuple[uuid.UUID, int]


async def commitments_of(
    conn: asyncpg.Connection, *, keys: Sequence[VersionKey]
) -> dict[VersionKey, list[Commitment]]:
    rows = await conn.fetch(
        """
        SELECT c.agreement_id, c.version, c.dimension_id, d.code AS dimension_code, d.name AS dimension_name,
               c.enterprise_commitment, c.local_commitment, c.targets::text AS targets
        FROM cobuilding_commitments c JOIN cobuilding_dimensions d ON d.id = c.dimension_id
        JOIN unnest($1::uuid[], $2::int[]) AS k (agreement_id, version)
          ON k.agreement_id = c.agreement_id AND k.version = c.version
        ORDER BY d.position, d.code
        """,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    found: dict[VersionKey, list[Commitment]] = defaultdict(list)
    for row in rows:
        targets = tuple(
            Target(name=t["name"], value=decimal.Decimal(t["value"]), unit=t.get("unit"))
            for t in orjson.loads(row["targets"])
        )
        found[(row["agreement_id"], row["version"])].append(
            Commitment(
                dimension_id=row["dimension_id"],
                dimension_code=row["dimension_code"],
                dimension_name=row["dimension_name"],
                enterprise_commitment=row["enterprise_commitment"],
                local_commitment=row["local_commitment"],
                targets=targets,
            )
        )
    return found


async def signatures_of(
    conn: asyncpg.Connection, *, keys: Sequence[VersionKey]
) -> dict[VersionKey, list[Signature]]:
    rows = await conn.fetch(
        """
        SELECT s.agreement_id, s.version, s.side, s.organization_id, s.login, s.signed_at
        FROM cobuilding_signatures s
        JOIN unnest($1::uuid[], $2::int[]) AS k (agreement_id, version)
          ON k.agreement_id = s.agreement_id AND k.version = s.version
        ORDER BY s.signed_at
        """,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    found: dict[VersionKey, list[Signature]] = defaultdict(list)
    for row in rows:
        found[(row["agreement_id"], row["version"])].append(from_record(Signature, row))
    return found


PROJECT_COLUMNS = """
p.id, p.tenant_id, p.agreement_id, p.dimension_id, d.code AS dimension_code, p.title, p.lead_org_id,
p.participant_org_ids, p.budget, p.start_date, p.end_date, p.status, p.created_at
"""
PROJECT_FROM = """
FROM cobuilding_projects p JOIN cobuilding_dimensions d ON d.id = p.dimension_id
JOIN cobuilding_agreements a ON a.id = p.agreement_id
"""

# The filter of the projects list: the scope ($1–$4; a project is seen with its agreement),
# $5 agreement, $6 dimension code, $7 status, $8 an organisation leading, taking part or a party.
_PROJECT_WHERE = f"""
WHERE {VISIBLE}
AND ($5::uuid IS NULL OR p.agreement_id = $5)
AND ($6::text IS NULL OR d.code = $6)
AND ($7::text IS NULL OR p.status = $7)
AND ($8::uuid IS NULL OR p.lead_org_id = $8 OR $8 = ANY(p.participant_org_ids)
     OR a.enterprise_org_id = $8 OR a.local_org_id = $8)
"""
# A page, newest first ($9 the id after which it starts, $10 its size plus one), and the total.
PROJECTS_PAGE_SQL = (
    f"SELECT {PROJECT_COLUMNS} {PROJECT_FROM} {_PROJECT_WHERE}"
    " AND ($9::uuid IS NULL OR p.id < $9) ORDER BY p.id DESC LIMIT $10"
)
PROJECTS_COUNT_SQL = f"SELECT count(*) {PROJECT_FROM} {_PROJECT_WHERE}"


@dataclasses.dataclass(frozen=True, slots=True)
class ProjectFilter:
    agreement_id: uuid.UUID | None = None
    dimension_code: str | None = None
    status: str | None = None
    organization_id: uuid.UUID | None = None


def project_filter_params(*, scope: Scope, filter: ProjectFilter) -> list[Any]:
    """``$1``–``$8`` of ``PROJECTS_PAGE_SQL`` and ``PROJECTS_COUNT_SQL``."""
    return [*scope.args(), filter.agreement_id, filter.dimension_code, filter.status, filter.organization_id]


async def get_project(
    conn: asyncpg.Connection, *, scope: Scope, project_id: uuid.UUID, field: str = "projectId"
) -> Project:
    """One project the caller may see, as the projects list shows it (with its agreement);
    NOT_FOUND on ``field`` otherwise (also for other tenants' ids)."""
    row = await conn.fetchrow(
        f"SELECT {PROJECT_COLUMNS} {PROJECT_FROM} WHERE p.id = $5 AND {VISIBLE}", *scope.args(), project_id
    )
    if row is None:
        raise NotFound("no such project", field=field)
    return from_record(Project, row)


async def list_projects(
    conn: asyncpg.Connection,
    *,
    scope: Scope,
    first: int,
    after: uuid.UUID | None,
    count: bool,
    filter: ProjectFilter,
) -> Page[Project]:
    args = project_filter_params(scope=scope, filter=filter)
    rows = await conn.fetch(PROJECTS_PAGE_SQL, *args, after, first + 1)
    total = await conn.fetchval(PROJECTS_COUNT_SQL, *args) if count else None
    return Page(
        items=[from_record(Project, row) for row in rows[:first]],
        total=int(total or 0),
        has_next=len(rows) > first,
    )


async def projects_of(
    conn: asyncpg.Connection, *, agreement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Project]]:
    rows = await conn.fetch(
        f"SELECT {PROJECT_COLUMNS} {PROJECT_FROM} WHERE p.agreement_id = ANY($1::uuid[]) ORDER BY"
        f" p.start_date, p.id",
        list(agreement_ids),
    )
    found: dict[uuid.UUID, list[Project]] = defaultdict(list)
    for row in rows:
        found[row["agreement_id"]].append(from_record(Project, row))
    return found
