"""Mutations of projects (共建项目) and their contributions (资源投入)."""

from __future__ import annotations

import strawberry

from schema.cobuilding.inputs import (
    AddMilestoneInput,
    CreateCobuildingProjectInput,
    RecordContributionInput,
    SetCobuildingProjectStatusInput,
)
from schema.cobuilding.types import CobuildingProject, Contribution, Milestone
from schema.context import Info
from schema.pagination import parse_id
from schema.permissions import requires
from services.cobuilding import contributions, milestones, projects


@strawberry.type
class CobuildingProjectPayload:
    project: CobuildingProject


@strawberry.type
class ContributionPayload:
    contribution: Contribution


@strawberry.type
class MilestonePayload:
    milestone: Milestone


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(
        description="Start a project under a signed agreement and one dimension (创建共建项目).",
        extensions=requires("cobuilding", "run"),
    )
    async def create_cobuilding_project(
        self, info: Info, input: CreateCobuildingProjectInput
    ) -> CobuildingProjectPayload:
        async with info.context.db() as conn:
            found = await projects.create_project(
                conn,
                actor=info.context.principal,
                agreement_id=parse_id(input.agreement_id, "agreementId"),
                dimension_code=input.dimension_code,
                title=input.title,
                lead_org_id=parse_id(input.lead_organization_id, "leadOrganizationId"),
                participant_org_ids=[
                    parse_id(o, "participantOrganizationIds")
                    for o in input.participant_organization_ids or []
                ],
                budget=input.budget,
                start_date=input.start_date,
                end_date=input.end_date,
            )
        return CobuildingProjectPayload(project=CobuildingProject.from_model(found))

    @strawberry.mutation(
        description="Move a project on: PLANNED → RUNNING → DONE, or DROPPED (项目状态).",
        extensions=requires("cobuilding", "run"),
    )
    async def set_cobuilding_project_status(
        self, info: Info, input: SetCobuildingProjectStatusInput
    ) -> CobuildingProjectPayload:
        async with info.context.db() as conn:
            found = await projects.set_project_status(
                conn, actor=info.context.principal, project_id=parse_id(input.id), status=input.status
            )
        return CobuildingProjectPayload(project=CobuildingProject.from_model(found))

    @strawberry.mutation(
        description=(
            "Record who put in what for a project (记录资源投入); a negative entry corrects, with a reason."
        ),
        extensions=requires("cobuilding", "run"),
    )
    async def record_contribution(self, info: Info, input: RecordContributionInput) -> ContributionPayload:
        async with info.context.db() as conn:
            found = await contributions.record_contribution(
                conn,
                actor=info.context.principal,
                project_id=parse_id(input.project_id, "projectId"),
                organization_id=parse_id(input.organization_id, "organizationId"),
                kind=input.kind,
                amount=input.amount,
                unit=input.unit,
                resource_id=parse_id(input.resource_id, "resourceId") if input.resource_id else None,
                note=input.note,
                reason=input.reason,
                date=input.date,
            )
        return ContributionPayload(contribution=Contribution.from_model(found))

    @strawberry.mutation(
        description="Add a milestone; it becomes a ledger task (添加项目节点, 纳入台账).",
        extensions=requires("cobuilding", "run"),
    )
    async def add_milestone(self, info: Info, input: AddMilestoneInput) -> MilestonePayload:
        async with info.context.db() as conn:
            found = await milestones.add_milestone(
                conn,
                actor=info.context.principal,
                project_id=parse_id(input.project_id, "projectId"),
                title=input.title,
                due_date=input.due_date,
                responsible_org_id=parse_id(input.responsible_organization_id, "responsibleOrganizationId"),
            )
        return MilestonePayload(milestone=Milestone.from_model(found))
