"""GraphQL types of co-building (地企共建 "十联十共")."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import strawberry

from schema.cobuilding.loaders import (
    commitments_loader,
    contributions_loader,
    evaluations_loader,
    milestones_loader,
    projects_loader,
    signatures_loader,
    versions_loader,
)
from schema.context import Info
from schema.nodes import Node
from schema.permissions import requires
from services.cobuilding import figures as figures_service
from services.cobuilding import models

strawberry.enum(
    models.AgreementStatus,
    name="CobuildingAgreementStatus",
    description=(
        "Status of a co-building agreement (共建协议状态): DRAFT 草拟, SIGNED 已签约 (term not begun), "
        "ACTIVE 履行中, EXPIRED 已到期, TERMINATED 已终止."
    ),
)
strawberry.enum(
    models.Side,
    name="CobuildingSide",
    description="A party's side (协议方): ENTERPRISE 企业方, LOCAL 属地方.",
)
strawberry.enum(
    models.ProjectStatus,
    name="CobuildingProjectStatus",
    description="Project status (项目状态): PLANNED 计划, RUNNING 实施中, DONE 已完成, DROPPED 已撤销.",
)
strawberry.enum(
    models.ContributionKind,
    name="CobuildingContributionKind",
    description=(
        "Kind of contribution (投入类型): FUNDING 资金 (yuan, exact), VOLUNTEER_HOURS 志愿时长, "
        "MATERIALS 物资, VENUE 场地, SERVICE 服务, TRAINING 培训."
    ),
)

DETAIL = requires("cobuilding", "read_detail")


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


@strawberry.type(description="A co-building dimension (共建维度, one of the 联/共 items), per alliance.")
class CobuildingDimension(Node):
    id: strawberry.ID
    code: str
    name: str
    description: str
    position: int
    active: bool = strawberry.field(description="False once retired (已停用); history keeps it.")

    @classmethod
    def from_model(cls, d: models.Dimension) -> CobuildingDimension:
        return cls(
            id=_id(d.id),
            code=d.code,
            name=d.name,
            description=d.description,
            position=d.position,
            active=d.active,
        )


@strawberry.type(description="A target figure of a commitment (目标指标).")
class CommitmentTarget:
    name: str
    value: decimal.Decimal
    unit: str | None


@strawberry.type(description="What each side commits to under one dimension (共建承诺).")
class CobuildingCommitment:
    dimension_code: str
    dimension_name: str
    enterprise_commitment: str
    local_commitment: str
    targets: list[CommitmentTarget]

    @classmethod
    def from_model(cls, c: models.Commitment) -> CobuildingCommitment:
        return cls(
            dimension_code=c.dimension_code,
            dimension_name=c.dimension_name,
            enterprise_commitment=c.enterprise_commitment,
            local_commitment=c.local_commitment,
            targets=[CommitmentTarget(name=t.name, value=t.value, unit=t.unit) for t in c.targets],
        )


@strawberry.type(description="One side's signature of a version (签署记录): who and when.")
class CobuildingSignature:
    side: models.Side
    organization_id: strawberry.ID
    login: str
    signed_at: dt.datetime


@strawberry.type(description="One version of an agreement (协议版本); signed versions never change.")
class CobuildingAgreementVersion:
    agreement_id: strawberry.Private[uuid.UUID]
    version: int
    title: str
    start_date: dt.date
    end_date: dt.date
    signed_at: dt.datetime | None

    @strawberry.field(description="Commitments of this version (承诺).", extensions=DETAIL)
    async def commitments(self, info: Info) -> list[CobuildingCommitment]:
        found = await commitments_loader(info.context).load((self.agreement_id, self.version))
        return [CobuildingCommitment.from_model(c) for c in found]

    @strawberry.field(description="Signatures of this version (签署).", extensions=DETAIL)
    async def signatures(self, info: Info) -> list[CobuildingSignature]:
        found = await signatures_loader(info.context).load((self.agreement_id, self.version))
        return [
            CobuildingSignature(
                side=models.Side(s.side),
                organization_id=_id(s.organization_id),
                login=s.login,
                signed_at=s.signed_at,
            )
            for s in found
        ]


@strawberry.type(description="A milestone of a project (项目节点), followed up as a ledger task (台账任务).")
class Milestone(Node):
    id: strawberry.ID
    project_id: strawberry.ID
    title: str
    due_date: dt.date
    responsible_organization_id: strawberry.ID
    ledger_item_id: strawberry.ID | None
    completed_at: dt.datetime | None = strawberry.field(
        description="Set when its ledger task is signed off (销号)."
    )
    overdue: bool = strawberry.field(description="Past due and not completed (逾期).")

    @classmethod
    def from_model(cls, m: models.Milestone) -> Milestone:
        return cls(
            id=_id(m.id),
            project_id=_id(m.project_id),
            title=m.title,
            due_date=m.due_date,
            responsible_organization_id=_id(m.responsible_org_id),
            ledger_item_id=_id(m.ledger_item_id) if m.ledger_item_id else None,
            completed_at=m.completed_at,
            overdue=m.overdue(dt.date.today()),
        )


@strawberry.type(description="A contribution to a project (资源投入); append-only, corrections are negative.")
class Contribution(Node):
    id: strawberry.ID
    project_id: strawberry.ID
    organization_id: strawberry.ID
    side: models.Side
    kind: models.ContributionKind
    amount: decimal.Decimal = strawberry.field(description="Exact decimal (yuan for FUNDING).")
    unit: str
    resource_id: strawberry.ID | None
    note: str | None
    reason: str | None = strawberry.field(
        description="Why a negative entry corrects an earlier one (更正原因)."
    )
    date: dt.date
    recorded_by: str

    @classmethod
    def from_model(cls, c: models.Contribution) -> Contribution:
        return cls(
            id=_id(c.id),
            project_id=_id(c.project_id),
            organization_id=_id(c.organization_id),
            side=models.Side(c.side),
            kind=models.ContributionKind(c.kind),
            amount=c.amount,
            unit=c.unit,
            resource_id=_id(c.resource_id) if c.resource_id else None,
            note=c.note,
            reason=c.reason,
            date=c.contributed_on,
            recorded_by=c.recorded_by_login,
        )


@strawberry.type(description="A co-building project (共建项目) under an agreement and one dimension.")
class CobuildingProject(Node):
    id: strawberry.ID
    agreement_id: strawberry.ID
    dimension_code: str
    title: str
    lead_organization_id: strawberry.ID
    participant_organization_ids: list[strawberry.ID]
    budget: decimal.Decimal | None
    start_date: dt.date
    end_date: dt.date
    status: models.ProjectStatus
    key: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, p: models.Project) -> CobuildingProject:
        return cls(
            id=_id(p.id),
            agreement_id=_id(p.agreement_id),
            dimension_code=p.dimension_code,
            title=p.title,
            lead_organization_id=_id(p.lead_org_id),
            participant_organization_ids=[_id(o) for o in p.participant_org_ids],
            budget=p.budget,
            start_date=p.start_date,
            end_date=p.end_date,
            status=models.ProjectStatus(p.status),
            key=p.id,
        )

    @strawberry.field(description="Milestones (项目节点).", extensions=DETAIL)
    async def milestones(self, info: Info) -> list[Milestone]:
        return [Milestone.from_model(m) for m in await milestones_loader(info.context).load(self.key)]

    @strawberry.field(
        description="Contributions, one by one (资源投入明细); never to partners.", extensions=DETAIL
    )
    async def contributions(self, info: Info) -> list[Contribution]:
        return [Contribution.from_model(c) for c in await contributions_loader(info.context).load(self.key)]


@strawberry.type(description="One dimension's score by one side (维度评分).")
class CobuildingScore:
    dimension_code: str
    score: int
    comment: str | None


@strawberry.type(description="One side's evaluation for a period (两促进两提升 评价); sealed once submitted.")
class CobuildingEvaluation(Node):
    id: strawberry.ID
    agreement_id: strawberry.ID
    period: int
    side: models.Side
    organization_id: strawberry.ID
    submitted_by: str
    submitted_at: dt.datetime
    scores: list[CobuildingScore]

    @classmethod
    def from_model(cls, e: models.Evaluation) -> CobuildingEvaluation:
        return cls(
            id=_id(e.id),
            agreement_id=_id(e.agreement_id),
            period=e.period,
            side=models.Side(e.side),
            organization_id=_id(e.organization_id),
            submitted_by=e.submitted_by_login,
            submitted_at=e.submitted_at,
            scores=[
                CobuildingScore(dimension_code=s.dimension_code, score=s.score, comment=s.comment)
                for s in e.scores
            ],
        )


@strawberry.type(description="Both sides' scores of one dimension, side by side (双向评价对照).")
class CobuildingScoreComparison:
    period: int
    dimension_code: str
    enterprise_score: int | None
    local_score: int | None
    differs: bool = strawberry.field(description="The sides are two points or more apart (分歧≥2分).")


@strawberry.type(
    description="A co-building agreement (共建协议) between an SOE and a local Party organisation."
)
class CobuildingAgreement(Node):
    id: strawberry.ID
    title: str
    status: models.AgreementStatus
    version: int = strawberry.field(description="The version shown: the signed one, else the draft (版本).")
    latest_version: int
    signed_version: int | None
    start_date: dt.date
    end_date: dt.date
    enterprise_organization_id: strawberry.ID
    local_organization_id: strawberry.ID
    termination_reason: str | None
    key: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, a: models.Agreement) -> CobuildingAgreement:
        return cls(
            id=_id(a.id),
            title=a.title,
            status=a.status,
            version=a.version,
            latest_version=a.latest_version,
            signed_version=a.signed_version,
            start_date=a.start_date,
            end_date=a.end_date,
            enterprise_organization_id=_id(a.enterprise_org_id),
            local_organization_id=_id(a.local_org_id),
            termination_reason=a.termination_reason,
            key=a.id,
        )

    @strawberry.field(
        description="Codes of the dimensions the shown version commits to (共建维度).",
        extensions=requires("cobuilding", "read"),
    )
    async def dimensions(self, info: Info) -> list[str]:
        found = await commitments_loader(info.context).load((self.key, self.version))
        return [c.dimension_code for c in found]

    @strawberry.field(description="Commitments of the shown version (共建承诺).", extensions=DETAIL)
    async def commitments(self, info: Info) -> list[CobuildingCommitment]:
        found = await commitments_loader(info.context).load((self.key, self.version))
        return [CobuildingCommitment.from_model(c) for c in found]

    @strawberry.field(description="Every version, oldest first (历次版本).", extensions=DETAIL)
    async def versions(self, info: Info) -> list[CobuildingAgreementVersion]:
        found = await versions_loader(info.context).load(self.key)
        return [
            CobuildingAgreementVersion(
                agreement_id=v.agreement_id,
                version=v.version,
                title=v.title,
                start_date=v.start_date,
                end_date=v.end_date,
                signed_at=v.signed_at,
            )
            for v in found
        ]

    @strawberry.field(description="Projects under the agreement (共建项目).", extensions=DETAIL)
    async def projects(self, info: Info) -> list[CobuildingProject]:
        return [CobuildingProject.from_model(p) for p in await projects_loader(info.context).load(self.key)]

    @strawberry.field(description="Both sides' evaluations (双向评价).", extensions=DETAIL)
    async def evaluations(self, info: Info) -> list[CobuildingEvaluation]:
        return [
            CobuildingEvaluation.from_model(e) for e in await evaluations_loader(info.context).load(self.key)
        ]

    @strawberry.field(
        description="Both sides' scores per period and dimension, and where they differ by ≥2 (评价对照).",
        extensions=DETAIL,
    )
    async def evaluation_comparison(self, info: Info) -> list[CobuildingScoreComparison]:
        found = await evaluations_loader(info.context).load(self.key)
        table: dict[tuple[int, str], dict[str, int]] = {}
        for evaluation in found:
            for s in evaluation.scores:
                table.setdefault((evaluation.period, s.dimension_code), {})[evaluation.side] = s.score
        rows = []
        for (period, code), sides in sorted(table.items()):
            enterprise, local = sides.get("ENTERPRISE"), sides.get("LOCAL")
            rows.append(
                CobuildingScoreComparison(
                    period=period,
                    dimension_code=code,
                    enterprise_score=enterprise,
                    local_score=local,
                    differs=enterprise is not None and local is not None and abs(enterprise - local) >= 2,
                )
            )
        return rows


@strawberry.type(description="A count of projects for one dimension and status (项目数).")
class CobuildingProjectCount:
    dimension_code: str
    status: models.ProjectStatus
    count: int


@strawberry.type(description="Contributions summed by kind and side (投入合计).")
class CobuildingContributionSum:
    kind: models.ContributionKind
    side: models.Side
    unit: str
    total: decimal.Decimal
    entries: int


@strawberry.type(description="Milestones due in the year (节点完成情况).")
class CobuildingMilestoneCounts:
    on_time: int = strawberry.field(description="Completed by the due date (按时).")
    late: int = strawberry.field(description="Completed after it (逾期完成).")
    overdue: int = strawberry.field(description="Past due, not completed (逾期未完成).")
    open: int = strawberry.field(description="Not yet due (未到期).")


@strawberry.type(description="Both sides' average score for one dimension (双向评价均分).")
class CobuildingEvaluationAverage:
    dimension_code: str
    enterprise_average: float | None
    local_average: float | None
    divergent_agreements: int = strawberry.field(description="Agreements whose sides differ by ≥2 (分歧).")


@strawberry.type(description="Agreements with one status (协议数).")
class CobuildingStatusCount:
    status: models.AgreementStatus
    count: int


@strawberry.type(description="Co-building figures (地企共建 数据化考核), computed from the data.")
class CobuildingFigures:
    year: int
    agreements_by_status: list[CobuildingStatusCount]
    projects: list[CobuildingProjectCount]
    contributions: list[CobuildingContributionSum]
    milestones: CobuildingMilestoneCounts
    evaluations: list[CobuildingEvaluationAverage]

    @classmethod
    def from_model(cls, f: figures_service.Figures) -> CobuildingFigures:
        return cls(
            year=f.year,
            agreements_by_status=[
                CobuildingStatusCount(status=models.AgreementStatus(s), count=n)
                for s, n in sorted(f.agreements_by_status.items())
            ],
            projects=[
                CobuildingProjectCount(
                    dimension_code=c.key[0], status=models.ProjectStatus(c.key[1]), count=c.count
                )
                for c in f.projects
            ],
            contributions=[
                CobuildingContributionSum(
                    kind=models.ContributionKind(s.kind),
                    side=models.Side(s.side),
                    unit=s.unit,
                    total=s.total,
                    entries=s.entries,
                )
                for s in f.contributions
            ],
            milestones=CobuildingMilestoneCounts(
                on_time=f.milestones.on_time,
                late=f.milestones.late,
                overdue=f.milestones.overdue,
                open=f.milestones.open,
            ),
            evaluations=[
                CobuildingEvaluationAverage(
                    dimension_code=a.dimension_code,
                    enterprise_average=a.enterprise_average,
                    local_average=a.local_average,
                    divergent_agreements=a.divergent,
                )
                for a in f.evaluations
            ],
        )
