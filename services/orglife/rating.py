"""Star rating (星级创评、分类定级) and demonstration sites (党建示范点).

The tenant keeps a catalogue of criteria (code, name, weight, maximum score) and the minimum
total of each star level. Each year evaluators score a private enterprise or social
organisation per criterion; the total is the weighted share of the maximum, 0–100 (a
criterion not scored counts 0), and the level is the highest whose minimum it reaches. The
organisation's ``starRating`` shows the level of its latest year, set through the directory's
declared interface in the rating's transaction.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import uuid
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from services.core.errors import BadUserInput, NotFound
from services.core.records import from_record
from services.core.validation import clean_text
from services.directory.intake import record_star_level
from services.events.changes import Actor, record_change
from services.orglife.events import CriterionDefined, OrganizationRated, SiteMarked, ThresholdsSet
from services.orglife.models import (
    CONSTRAINTS,
    RATED_KINDS,
    Criterion,
    DemonstrationSite,
    ListPage,
    Rating,
    Score,
)

DEFAULT_THRESHOLDS = (Decimal(0), Decimal(60), Decimal(70), Decimal(80), Decimal(90))
_CENT = Decimal("0.01")
_CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _amount(value: float, *, field: str, most: Decimal) -> Decimal:
    if not math.isfinite(value) or value < 0 or Decimal(str(value)) > most:
        raise BadUserInput(f"{field} must be between 0 and {most}", field=field)
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


async def define_criterion(
    conn: asyncpg.Connection, *, actor: Actor, code: str, name: str, weight: float, max_score: float
) -> Criterion:
    """Add a criterion to the catalogue, or change the one with that code (评分细则)."""
    code = code.strip().upper()
    if not code or len(code) > 40 or not set(code) <= _CODE_CHARS or not code[0].isalpha():
        raise BadUserInput("code: letters, digits and _, starting with a letter, at most 40", field="code")
    name = clean_text(name, field="name", max_length=100)
    weight_value = _amount(weight, field="weight", most=Decimal(1000))
    most = _amount(max_score, field="maxScore", most=Decimal(1000))
    if weight_value == 0:
        raise BadUserInput("weight must be above 0", field="weight")
    if most == 0:
        raise BadUserInput("maxScore must be above 0", field="maxScore")
    before = await conn.fetchrow(
        "SELECT name, weight, max_score FROM star_rating_criteria WHERE code = $1", code
    )
    row = await CONSTRAINTS.fetchrow(
        conn,
        """
        INSERT INTO star_rating_criteria (tenant_id, code, name, weight, max_score)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (tenant_id, code) DO UPDATE
            SET name = EXCLUDED.name, weight = EXCLUDED.weight, max_score = EXCLUDED.max_score,
                updated_at = now()
        RETURNING id, code, name, weight, max_score
        """,
        actor.tenant_id,
        code,
        name,
        weight_value,
        most,
    )
    criterion = from_record(Criterion, row)
    await record_change(
        conn,
        actor,
        CriterionDefined(
            id=str(criterion.id),
            code=code,
            name=name,
            weight=str(criterion.weight),
            max_score=str(criterion.max_score),
        ),
        before={k: str(v) for k, v in before.items()} if before else None,
        after={"name": name, "weight": str(criterion.weight), "max_score": str(criterion.max_score)},
    )
    return criterion


_CRITERION_COLUMNS = "id, code, name, weight, max_score"


async def criteria(conn: asyncpg.Connection) -> list[Criterion]:
    """The criteria catalogue, by code (row-level security alone: every role that reads ratings
    reads it whole)."""
    rows = await conn.fetch(f"SELECT {_CRITERION_COLUMNS} FROM star_rating_criteria ORDER BY code")
    return [from_record(Criterion, row) for row in rows]


async def get_criterion(conn: asyncpg.Connection, *, criterion_id: uuid.UUID) -> Criterion:
    """One criterion, as ``criteria`` lists it; NOT_FOUND otherwise (also for another tenant's id)."""
    row = await conn.fetchrow(
        f"SELECT {_CRITERION_COLUMNS} FROM star_rating_criteria WHERE id = $1", criterion_id
    )
    if row is None:
        raise NotFound("no such star rating criterion", field="id")
    return from_record(Criterion, row)


async def thresholds(conn: asyncpg.Connection) -> list[Decimal]:
    """Minimum total of levels 1…5: the tenant's, or the defaults."""
    found = await conn.fetchval(
        "SELECT min_scores FROM star_rating_thresholds ORDER BY set_at DESC, id DESC LIMIT 1"
    )
    return list(found) if found else list(DEFAULT_THRESHOLDS)


async def set_thresholds(
    conn: asyncpg.Connection, *, actor: Actor, min_scores: Sequence[float]
) -> list[Decimal]:
    """The minimum total of each level, 1 to 5 (定级标准): level 1 from 0, rising."""
    if len(min_scores) != 5:
        raise BadUserInput("give the minimum of each of the five levels", field="minScores")
    values = [_amount(v, field="minScores", most=Decimal(100)) for v in min_scores]
    if values[0] != 0 or any(b <= a for a, b in itertools.pairwise(values)):
        raise BadUserInput(
            "level 1 starts at 0 and each level needs more than the one below", field="minScores"
        )
    before = await thresholds(conn)
    await conn.execute(
        "INSERT INTO star_rating_thresholds (tenant_id, min_scores) VALUES ($1, $2)", actor.tenant_id, values
    )
    await record_change(
        conn,
        actor,
        ThresholdsSet(tenant=str(actor.tenant_id), min_scores=[str(v) for v in values]),
        before={"minScores": [str(v) for v in before]},
        after={"minScores": [str(v) for v in values]},
    )
    return values


def level_of(total: Decimal, minimums: Sequence[Decimal]) -> int:
    return max(level for level, least in enumerate(minimums, start=1) if total >= least)


async def rate_organization(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    organization_id: uuid.UUID,
    year: int,
    scores: Sequence[tuple[str, float]],
) -> Rating:
    """Score an organisation for a year (年度星级评定); the level follows from the thresholds."""
    kind = await conn.fetchval("SELECT kind FROM organizations WHERE id = $1", organization_id)
    if kind is None:
        raise NotFound("no such organization")
    if kind not in RATED_KINDS:
        raise BadUserInput(
            "only private enterprises and social organisations are rated", field="organizationId"
        )
    if not 1900 <= year <= 2200:
        raise BadUserInput("year out of range", field="year")
    catalogue = {c.code: c for c in await criteria(conn)}
    if not catalogue:
        raise BadUserInput("define the criteria first", field="scores")
    given: dict[str, Decimal] = {}
    for code, value in scores:
        criterion = catalogue.get(code.strip().upper())
        if criterion is None or criterion.code in given:
            raise BadUserInput(f"unknown or repeated criterion {code!r}", field="scores")
        given[criterion.code] = _amount(value, field="scores", most=criterion.max_score)
    weights = sum(c.weight for c in catalogue.values())
    share = sum(catalogue[code].weight * score / catalogue[code].max_score for code, score in given.items())
    total = (Decimal(100) * share / weights).quantize(_CENT, rounding=ROUND_HALF_UP)
    level = level_of(total, await thresholds(conn))
    row = await CONSTRAINTS.fetchrow(
        conn,
        "INSERT INTO star_ratings (tenant_id, organization_id, year, total, level, rated_by)"
        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, organization_id, year, total, level, rated_at",
        actor.tenant_id,
        organization_id,
        year,
        total,
        level,
        actor.account_id,
    )
    await conn.execute(
        "INSERT INTO star_rating_scores (tenant_id, rating_id, criterion_id, score)"
        " SELECT $1, $2, c, s FROM unnest($3::uuid[], $4::numeric[]) AS t (c, s)",
        actor.tenant_id,
        row["id"],
        [catalogue[code].id for code in given],
        list(given.values()),
    )
    rating = Rating(**dict(row), scores=tuple(Score(code, score) for code, score in given.items()))
    await record_change(
        conn, actor, OrganizationRated.of(rating), after={"total": str(total), "level": level}
    )
    latest = await conn.fetchval(
        "SELECT level FROM star_ratings WHERE organization_id = $1 ORDER BY year DESC LIMIT 1",
        organization_id,
    )
    await record_star_level(conn, actor=actor, organization_id=organization_id, level=int(latest))
    return rating


_RATING_COLUMNS = "r.id, r.organization_id, r.year, r.total, r.level, r.rated_at"


async def list_ratings(
    conn: asyncpg.Connection,
    *,
    organization_id: uuid.UUID | None,
    year: int | None,
    level: int | None,
    first: int,
    after: uuid.UUID | None,
    count: bool,
) -> ListPage[Rating]:
    """Ratings, newest organisation-year first within id order (the level history: filter by organisation)."""
    where = """($1::uuid IS NULL OR r.organization_id = $1) AND ($2::integer IS NULL OR r.year = $2)
        AND ($3::integer IS NULL OR r.level = $3)"""
    rows = await conn.fetch(
        f"SELECT {_RATING_COLUMNS} FROM star_ratings r WHERE {where}"
        " AND ($4::uuid IS NULL OR r.id > $4) ORDER BY r.id LIMIT $5",
        organization_id,
        year,
        level,
        after,
        first + 1,
    )
    total = (
        int(
            await conn.fetchval(
                f"SELECT count(*) FROM star_ratings r WHERE {where}", organization_id, year, level
            )
        )
        if count
        else None
    )
    items = await _with_scores(conn, list(rows[:first]))
    return ListPage(items=items, total=total, has_next=len(rows) > first)


async def get_rating(conn: asyncpg.Connection, *, rating_id: uuid.UUID) -> Rating:
    """One rating, as ``list_ratings`` shows it (row-level security alone: every role that reads
    ratings reads them all); NOT_FOUND otherwise (also for another tenant's id)."""
    row = await conn.fetchrow(f"SELECT {_RATING_COLUMNS} FROM star_ratings r WHERE r.id = $1", rating_id)
    if row is None:
        raise NotFound("no such star rating", field="id")
    [found] = await _with_scores(conn, [row])
    return found


async def _with_scores(conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> list[Rating]:
    marks = await conn.fetch(
        "SELECT s.rating_id, c.code, s.score FROM star_rating_scores s JOIN star_rating_criteria c"
        " ON c.id = s.criterion_id WHERE s.rating_id = ANY($1::uuid[]) ORDER BY c.code",
        [row["id"] for row in rows],
    )
    by_rating: dict[uuid.UUID, list[Score]] = {row["id"]: [] for row in rows}
    for mark in marks:
        by_rating[mark["rating_id"]].append(Score(mark["code"], mark["score"]))
    return [Rating(**dict(row), scores=tuple(by_rating[row["id"]])) for row in rows]


async def mark_demonstration_site(
    conn: asyncpg.Connection,
    *,
    actor: Actor,
    organization_id: uuid.UUID,
    brand_name: str,
    designated_on: dt.date,
) -> DemonstrationSite:
    """Mark an organisation a demonstration site with its brand (党建示范点, 一社一特色)."""
    if not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)", organization_id):
        raise NotFound("no such organization")
    brand = clean_text(brand_name, field="brandName", max_length=100)
    before = await conn.fetchrow(
        "SELECT brand_name, designated_on FROM demonstration_sites WHERE organization_id = $1",
        organization_id,
    )
    row = await CONSTRAINTS.fetchrow(
        conn,
        """
        INSERT INTO demonstration_sites (tenant_id, organization_id, brand_name, designated_on)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (tenant_id, organization_id) DO UPDATE
            SET brand_name = EXCLUDED.brand_name, designated_on = EXCLUDED.designated_on
        RETURNING organization_id, brand_name, designated_on
        """,
        actor.tenant_id,
        organization_id,
        brand,
        designated_on,
    )
    site = from_record(DemonstrationSite, row)
    await record_change(
        conn,
        actor,
        SiteMarked.of(site),
        before={k: str(v) for k, v in before.items()} if before else None,
        after={"brand_name": brand, "designated_on": designated_on.isoformat()},
    )
    return site


async def demonstration_sites(conn: asyncpg.Connection) -> list[DemonstrationSite]:
    rows = await conn.fetch(
        "SELECT organization_id, brand_name, designated_on FROM demonstration_sites"
        " ORDER BY designated_on, organization_id"
    )
    return [from_record(DemonstrationSite, row) for row in rows]
