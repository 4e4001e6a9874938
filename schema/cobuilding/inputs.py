"""GraphQL inputs and filters of co-building (地企共建)."""

from __future__ import annotations

import datetime as dt
import decimal

import strawberry

from schema.pagination import parse_id
from services.cobuilding import models, reads


@strawberry.input(description="Filter of cobuildingAgreements (协议筛选).")
class CobuildingAgreementFilter:
    status: models.AgreementStatus | None = None
    enterprise_organization_id: strawberry.ID | None = None
    local_organization_id: strawberry.ID | None = None
    dimension_code: str | None = None
    search: str | None = strawberry.field(default=None, description="Words of the title (标题检索).")

    def to_filter(self) -> reads.AgreementFilter:
        """The service's filter (read by the interpreter and the compiled reads alike)."""
        return reads.AgreementFilter(
            status=models.AgreementStatus(self.status) if self.status is not None else None,
            enterprise_org_id=(
                parse_id(self.enterprise_organization_id, "enterpriseOrganizationId")
                if self.enterprise_organization_id
                else None
            ),
            local_org_id=(
                parse_id(self.local_organization_id, "localOrganizationId")
                if self.local_organization_id
                else None
            ),
            dimension_code=self.dimension_code.strip().upper() if self.dimension_code else None,
            search=self.search.strip() if self.search and self.search.strip() else None,
        )


@strawberry.input(description="Filter of cobuildingProjects (项目筛选).")
class CobuildingProjectFilter:
    agreement_id: strawberry.ID | None = None
    dimension_code: str | None = None
    status: models.ProjectStatus | None = None
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Lead, participant or party (参与单位)."
    )

    def to_filter(self) -> reads.ProjectFilter:
        """The service's filter (read by the interpreter and the compiled reads alike)."""
        return reads.ProjectFilter(
            agreement_id=parse_id(self.agreement_id, "agreementId") if self.agreement_id else None,
            dimension_code=self.dimension_code.strip().upper() if self.dimension_code else None,
            status=models.ProjectStatus(self.status).value if self.status is not None else None,
            organization_id=parse_id(self.organization_id, "organizationId")
            if self.organization_id
            else None,
        )


@strawberry.input
class DefineCobuildingDimensionInput:
    code: str
    name: str
    description: str | None = None
    position: int | None = None


@strawberry.input
class RetireCobuildingDimensionInput:
    code: str


@strawberry.input(description="A target figure (目标指标).")
class CommitmentTargetInput:
    name: str
    value: decimal.Decimal
    unit: str | None = None


@strawberry.input(description="What each side commits to under one dimension (共建承诺).")
class CommitmentInput:
    dimension_code: str
    enterprise_commitment: str
    local_commitment: str
    targets: list[CommitmentTargetInput] | None = None


@strawberry.input
class DraftCobuildingAgreementInput:
    title: str
    enterprise_organization_id: strawberry.ID
    local_organization_id: strawberry.ID
    start_date: dt.date
    end_date: dt.date
    commitments: list[CommitmentInput]


@strawberry.input(description="A new version; fields left out keep the latest version's (修订).")
class ReviseCobuildingAgreementInput:
    id: strawberry.ID
    title: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    commitments: list[CommitmentInput] | None = None


@strawberry.input
class SignCobuildingAgreementInput:
    id: strawberry.ID
    side: models.Side | None = strawberry.field(
        default=None, description="Needed only by a caller who administers both parties."
    )


@strawberry.input
class TerminateCobuildingAgreementInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class CreateCobuildingProjectInput:
    agreement_id: strawberry.ID
    dimension_code: str
    title: str
    lead_organization_id: strawberry.ID
    participant_organization_ids: list[strawberry.ID] | None = None
    budget: decimal.Decimal | None = None
    start_date: dt.date
    end_date: dt.date


@strawberry.input
class SetCobuildingProjectStatusInput:
    id: strawberry.ID
    status: models.ProjectStatus


@strawberry.input
class AddMilestoneInput:
    project_id: strawberry.ID
    title: str
    due_date: dt.date
    responsible_organization_id: strawberry.ID


@strawberry.input
class RecordContributionInput:
    project_id: strawberry.ID
    organization_id: strawberry.ID
    kind: models.ContributionKind
    amount: decimal.Decimal
    unit: str | None = None
    resource_id: strawberry.ID | None = None
    note: str | None = None
    reason: str | None = strawberry.field(
        default=None, description="Required for a negative entry (更正原因)."
    )
    date: dt.date


@strawberry.input
class ScoreInput:
    dimension_code: str
    score: int
    comment: str | None = None


@strawberry.input
class SubmitCobuildingEvaluationInput:
    agreement_id: strawberry.ID
    period: int | None = strawberry.field(
        default=None, description="The year evaluated (default: this year)."
    )
    scores: list[ScoreInput]
    side: models.Side | None = None
