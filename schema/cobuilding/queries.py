"""Co-building queries: dimensions, agreements, projects, figures (地企共建)."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.cobuilding.inputs import CobuildingAgreementFilter, CobuildingProjectFilter
from schema.cobuilding.types import (
    DETAIL,
    CobuildingAgreement,
    CobuildingDimension,
    CobuildingEvaluation,
    CobuildingFigures,
    CobuildingProject,
    Contribution,
    Milestone,
)
from schema.context import Info
from schema.pagination import Connection, Keyset, parse_id, uuid_key
from schema.permissions import requires
from services.cobuilding import figures, parts, reads
from services.cobuilding.access import Scope
from services.core.errors import BadUserInput

AGREEMENTS = Keyset("cobuilding_agreement", uuid_key)
PROJECTS = Keyset("cobuilding_project", uuid_key)


def check_year(year: int | None) -> int:
    year = dt.date.today().year if year is None else year
    if not 2000 <= year <= 2200:
        raise BadUserInput("year must be within 2000–2200", field="year")
    return year


@strawberry.type
class CobuildingQuery:
    @strawberry.field(
        description="The alliance's co-building dimensions (共建维度目录), retired ones included.",
        extensions=requires("cobuilding", "read"),
    )
    async def cobuilding_dimensions(self, info: Info) -> list[CobuildingDimension]:
        async with info.context.db() as conn:
            found = await reads.list_dimensions(conn)
        return [CobuildingDimension.from_model(d) for d in found]

    @strawberry.field(
        description=(
            "One co-building dimension (共建维度), retired or not, as cobuildingDimensions lists it; "
            "another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("cobuilding", "read"),
    )
    async def cobuilding_dimension(self, info: Info, id: strawberry.ID) -> CobuildingDimension:
        async with info.context.db() as conn:
            found = await reads.get_dimension(conn, dimension_id=parse_id(id))
        return CobuildingDimension.from_model(found)

    @strawberry.field(
        description="Co-building agreements the caller may see (共建协议列表); drafts only to their parties.",
        extensions=requires("cobuilding", "read"),
    )
    async def cobuilding_agreements(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: CobuildingAgreementFilter | None = None,
    ) -> Connection[CobuildingAgreement]:
        args = AGREEMENTS.args(info, first, after)
        async with info.context.db() as conn:
            page = await reads.list_agreements(
                conn,
                scope=Scope.of(info.context.principal),
                first=args.first,
                after=args.after,
                count=args.count,
                filter=(filter or CobuildingAgreementFilter()).to_filter(),
            )
        return AGREEMENTS.connection(page, CobuildingAgreement.from_model)

    @strawberry.field(
        description="One co-building agreement (共建协议); another alliance's id answers NOT_FOUND.",
        extensions=requires("cobuilding", "read"),
    )
    async def cobuilding_agreement(self, info: Info, id: strawberry.ID) -> CobuildingAgreement:
        async with info.context.db() as conn:
            found = await reads.get_agreement(
                conn, scope=Scope.of(info.context.principal), agreement_id=parse_id(id)
            )
        return CobuildingAgreement.from_model(found)

    @strawberry.field(
        description="Co-building projects (共建项目列表).", extensions=requires("cobuilding", "read_detail")
    )
    async def cobuilding_projects(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: CobuildingProjectFilter | None = None,
    ) -> Connection[CobuildingProject]:
        args = PROJECTS.args(info, first, after)
        async with info.context.db() as conn:
            page = await reads.list_projects(
                conn,
                scope=Scope.of(info.context.principal),
                first=args.first,
                after=args.after,
                count=args.count,
                filter=(filter or CobuildingProjectFilter()).to_filter(),
            )
        return PROJECTS.connection(page, CobuildingProject.from_model)

    @strawberry.field(
        description=(
            "One co-building project (共建项目), seen as cobuildingProjects shows it (with its "
            "agreement); another alliance's id answers NOT_FOUND."
        ),
        extensions=requires("cobuilding", "read_detail"),
    )
    async def cobuilding_project(self, info: Info, id: strawberry.ID) -> CobuildingProject:
        async with info.context.db() as conn:
            found = await reads.get_project(
                conn, scope=Scope.of(info.context.principal), project_id=parse_id(id), field="id"
            )
        return CobuildingProject.from_model(found)

    @strawberry.field(
        description=(
            "One milestone of a co-building project (项目节点), seen exactly when its project is "
            "(cobuildingProject); another alliance's id answers NOT_FOUND."
        ),
        extensions=DETAIL,
    )
    async def milestone(self, info: Info, id: strawberry.ID) -> Milestone:
        async with info.context.db() as conn:
            found = await parts.get_milestone(
                conn, scope=Scope.of(info.context.principal), milestone_id=parse_id(id)
            )
        return Milestone.from_model(found)

    @strawberry.field(
        description=(
            "One contribution to a co-building project (资源投入), seen exactly when its project is "
            "(cobuildingProject), never by partners; another alliance's id answers NOT_FOUND."
        ),
        extensions=DETAIL,
    )
    async def contribution(self, info: Info, id: strawberry.ID) -> Contribution:
        async with info.context.db() as conn:
            found = await parts.get_contribution(
                conn, scope=Scope.of(info.context.principal), contribution_id=parse_id(id)
            )
        return Contribution.from_model(found)

    @strawberry.field(
        description=(
            "One side's evaluation of a co-building agreement (双向评价), seen exactly as through its "
            "agreement (evaluations); another alliance's id answers NOT_FOUND."
        ),
        extensions=DETAIL,
    )
    async def cobuilding_evaluation(self, info: Info, id: strawberry.ID) -> CobuildingEvaluation:
        async with info.context.db() as conn:
            found = await parts.get_evaluation(
                conn, scope=Scope.of(info.context.principal), evaluation_id=parse_id(id)
            )
        return CobuildingEvaluation.from_model(found)

    @strawberry.field(
        description=(
            "Co-building figures of a year (地企共建 数据化考核), for the alliance or one organisation."
        ),
        extensions=requires("cobuilding", "figures"),
    )
    async def cobuilding_figures(
        self, info: Info, year: int | None = None, organization_id: strawberry.ID | None = None
    ) -> CobuildingFigures:
        year = check_year(year)
        organization = parse_id(organization_id, "organizationId") if organization_id else None
        async with info.context.db() as conn:
            found = await figures.cobuilding_figures(
                conn,
                scope=Scope.of(info.context.principal),
                year=year,
                organization_id=organization,
            )
        return CobuildingFigures.from_model(found)
