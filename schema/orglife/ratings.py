"""Star rating (星级创评、分类定级) and demonstration sites (党建示范点): types, queries, mutations."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry

from schema.context import Info
from schema.directory.loaders import organization_loader
from schema.directory.types import Organization
from schema.nodes import Node
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.permissions import requires
from services.core.errors import BadUserInput
from services.orglife import models, rating
from services.orglife.members import today

RATINGS = Keyset("star_rating", uuid_key)


@strawberry.type(description="A criterion of the catalogue (评分细则): weight and maximum score.")
class StarRatingCriterion(Node):
    id: strawberry.ID
    code: str = strawberry.field(description="Code (编码).")
    name: str = strawberry.field(description="Name (名称).")
    weight: float = strawberry.field(description="Weight (权重).")
    max_score: float = strawberry.field(description="Maximum score (满分).")

    @classmethod
    def from_model(cls, c: models.Criterion) -> StarRatingCriterion:
        return cls(
            id=strawberry.ID(str(c.id)),
            code=c.code,
            name=c.name,
            weight=float(c.weight),
            max_score=float(c.max_score),
        )


@strawberry.type(description="A criterion's score in a rating (得分).")
class StarRatingScore:
    criterion_code: str
    score: float


@strawberry.type(
    description="An organisation's rating for a year (年度星级评定): the weighted total maps to 1–5 stars."
)
class StarRating(Node):
    id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(description="The organisation (两新组织).")
    year: int = strawberry.field(description="Year (年度).")
    total: float = strawberry.field(description="Weighted total, 0–100 (综合得分).")
    level: int = strawberry.field(description="Star level 1–5 (星级).")
    rated_at: dt.datetime
    scores: list[StarRatingScore] = strawberry.field(description="Scores per criterion (分项得分).")

    @classmethod
    def from_model(cls, r: models.Rating) -> StarRating:
        return cls(
            id=strawberry.ID(str(r.id)),
            organization_id=strawberry.ID(str(r.organization_id)),
            year=r.year,
            total=float(r.total),
            level=r.level,
            rated_at=r.rated_at,
            scores=[StarRatingScore(criterion_code=s.criterion_code, score=float(s.score)) for s in r.scores],
        )

    @strawberry.field(description="The organisation (两新组织).")
    async def organization(self, info: Info) -> Organization | None:
        return Organization.or_none(
            await organization_loader(info.context).load(uuid.UUID(self.organization_id))
        )


@strawberry.type(description="A demonstration site (党建示范点) and its brand (一社一特色).")
class DemonstrationSite:
    organization_id: strawberry.ID
    brand_name: str = strawberry.field(description="Brand (党建品牌).")
    designated_on: dt.date = strawberry.field(description="Designated on (命名日期).")

    @classmethod
    def from_model(cls, s: models.DemonstrationSite) -> DemonstrationSite:
        return cls(
            organization_id=strawberry.ID(str(s.organization_id)),
            brand_name=s.brand_name,
            designated_on=s.designated_on,
        )

    @strawberry.field(description="The organisation (单位).")
    async def organization(self, info: Info) -> Organization | None:
        return Organization.or_none(
            await organization_loader(info.context).load(uuid.UUID(self.organization_id))
        )


@strawberry.input(description="Filter of ratings (星级筛选): one organisation's gives its level history.")
class StarRatingFilter:
    organization_id: strawberry.ID | None = None
    year: int | None = None
    level: int | None = None


@strawberry.input(description="A criterion, added or changed by code (评分细则).")
class DefineStarRatingCriterionInput:
    code: str
    name: str
    weight: float
    max_score: float


@strawberry.input(description="One criterion's score (分项得分).")
class StarRatingScoreInput:
    criterion_code: str
    score: float


@strawberry.input(description="Rate an organisation for a year (年度星级评定).")
class RateOrganizationInput:
    organization_id: strawberry.ID
    year: int
    scores: list[StarRatingScoreInput]


@strawberry.input(description="The minimum total of levels 1 to 5 (定级标准); level 1 starts at 0.")
class SetStarRatingThresholdsInput:
    min_scores: list[float]


@strawberry.input(description="Mark a demonstration site with its brand (命名党建示范点).")
class MarkDemonstrationSiteInput:
    organization_id: strawberry.ID
    brand_name: str
    designated_on: dt.date | None = None


@strawberry.type
class StarRatingCriterionPayload:
    criterion: StarRatingCriterion


@strawberry.type
class StarRatingPayload:
    rating: StarRating


@strawberry.type
class StarRatingThresholdsPayload:
    min_scores: list[float]


@strawberry.type
class DemonstrationSitePayload:
    demonstration_site: DemonstrationSite


@strawberry.type
class RatingQuery:
    @strawberry.field(
        description="The criteria catalogue (评分细则).", extensions=requires("star_rating", "read")
    )
    async def star_rating_criteria(self, info: Info) -> list[StarRatingCriterion]:
        async with info.context.db() as conn:
            found = await rating.criteria(conn)
        return [StarRatingCriterion.from_model(c) for c in found]

    @strawberry.field(
        description=(
            "One criterion of the catalogue (评分细则), as starRatingCriteria lists it; another "
            "alliance's id answers NOT_FOUND."
        ),
        extensions=requires("star_rating", "read"),
    )
    async def star_rating_criterion(self, info: Info, id: strawberry.ID) -> StarRatingCriterion:
        async with info.context.db() as conn:
            found = await rating.get_criterion(conn, criterion_id=parse_id(id))
        return StarRatingCriterion.from_model(found)

    @strawberry.field(
        description="Minimum total of star levels 1 to 5 (定级标准).",
        extensions=requires("star_rating", "read"),
    )
    async def star_rating_thresholds(self, info: Info) -> list[float]:
        async with info.context.db() as conn:
            found = await rating.thresholds(conn)
        return [float(v) for v in found]

    @strawberry.field(
        description="Ratings (星级评定) and their history.", extensions=requires("star_rating", "read")
    )
    async def star_ratings(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: StarRatingFilter | None = None,
    ) -> Connection[StarRating]:
        args = RATINGS.args(info, first, after)
        given = filter or StarRatingFilter()
        async with info.context.db() as conn:
            page = await rating.list_ratings(
                conn,
                organization_id=parse_id(given.organization_id, "organizationId")
                if given.organization_id
                else None,
                year=given.year,
                level=given.level,
                first=args.first,
                after=args.after,
                count=args.count,
            )
        return RATINGS.connection(page, StarRating.from_model)

    @strawberry.field(
        description=(
            "One rating (年度星级评定), as starRatings shows it; another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("star_rating", "read"),
    )
    async def star_rating(self, info: Info, id: strawberry.ID) -> StarRating:
        async with info.context.db() as conn:
            found = await rating.get_rating(conn, rating_id=parse_id(id))
        return StarRating.from_model(found)

    @strawberry.field(
        description="Demonstration sites (党建示范点) with their brands.",
        extensions=requires("demonstration_site", "read"),
    )
    async def demonstration_sites(self, info: Info) -> list[DemonstrationSite]:
        async with info.context.db() as conn:
            found = await rating.demonstration_sites(conn)
        return [DemonstrationSite.from_model(s) for s in found]


@strawberry.type
class RatingMutation:
    @strawberry.mutation(
        description="Add or change a criterion of the catalogue (评分细则).",
        extensions=requires("star_rating", "manage"),
    )
    async def define_star_rating_criterion(
        self, info: Info, input: DefineStarRatingCriterionInput
    ) -> StarRatingCriterionPayload:
        async with info.context.db() as conn:
            found = await rating.define_criterion(
                conn,
                actor=info.context.principal,
                code=input.code,
                name=input.name,
                weight=input.weight,
                max_score=input.max_score,
            )
        return StarRatingCriterionPayload(criterion=StarRatingCriterion.from_model(found))

    @strawberry.mutation(
        description="Set the minimum total of each star level (定级标准).",
        extensions=requires("star_rating", "manage"),
    )
    async def set_star_rating_thresholds(
        self, info: Info, input: SetStarRatingThresholdsInput
    ) -> StarRatingThresholdsPayload:
        async with info.context.db() as conn:
            found = await rating.set_thresholds(
                conn, actor=info.context.principal, min_scores=input.min_scores[:6]
            )
        return StarRatingThresholdsPayload(min_scores=[float(v) for v in found])

    @strawberry.mutation(
        description="Score a private enterprise or social organisation for a year (星级评定).",
        extensions=requires("star_rating", "manage"),
    )
    async def rate_organization(self, info: Info, input: RateOrganizationInput) -> StarRatingPayload:
        if len(input.scores) > 200:
            raise BadUserInput("at most 200 scores", field="scores")
        async with info.context.db() as conn:
            found = await rating.rate_organization(
                conn,
                actor=info.context.principal,
                organization_id=parse_id(input.organization_id, "organizationId"),
                year=input.year,
                scores=[(s.criterion_code, s.score) for s in input.scores],
            )
        return StarRatingPayload(rating=StarRating.from_model(found))

    @strawberry.mutation(
        description="Mark an organisation a demonstration site with its brand (命名党建示范点).",
        extensions=requires("demonstration_site", "manage"),
    )
    async def mark_demonstration_site(
        self, info: Info, input: MarkDemonstrationSiteInput
    ) -> DemonstrationSitePayload:
        async with info.context.db() as conn:
            on = input.designated_on or await today(conn)
            found = await rating.mark_demonstration_site(
                conn,
                actor=info.context.principal,
                organization_id=parse_id(input.organization_id, "organizationId"),
                brand_name=input.brand_name,
                designated_on=on,
            )
        return DemonstrationSitePayload(demonstration_site=DemonstrationSite.from_model(found))
