"""Mutations of agreements (共建协议): draft, revise, sign, terminate; and evaluations."""

from __future__ import annotations

import strawberry

from schema.cobuilding.inputs import (
    CommitmentInput,
    DraftCobuildingAgreementInput,
    ReviseCobuildingAgreementInput,
    SignCobuildingAgreementInput,
    SubmitCobuildingEvaluationInput,
    TerminateCobuildingAgreementInput,
)
from schema.cobuilding.types import CobuildingAgreement, CobuildingEvaluation
from schema.context import Info
from schema.pagination import parse_id
from schema.permissions import requires
from services.cobuilding import agreements, evaluations, signing
from services.cobuilding.models import Target


@strawberry.type
class CobuildingAgreementPayload:
    agreement: CobuildingAgreement


@strawberry.type
class CobuildingEvaluationPayload:
    evaluation: CobuildingEvaluation


def _commitments(given: list[CommitmentInput]) -> list[agreements.CommitmentInput]:
    return [
        agreements.CommitmentInput(
            dimension_code=c.dimension_code,
            enterprise_commitment=c.enterprise_commitment,
            local_commitment=c.local_commitment,
            targets=[Target(name=t.name, value=t.value, unit=t.unit) for t in c.targets or []],
        )
        for c in given
    ]


@strawberry.type
class AgreementMutation:
    @strawberry.mutation(
        description="Draft an agreement between an SOE and a local organisation (草拟共建协议).",
        extensions=requires("cobuilding", "draft"),
    )
    async def draft_cobuilding_agreement(
        self, info: Info, input: DraftCobuildingAgreementInput
    ) -> CobuildingAgreementPayload:
        async with info.context.db() as conn:
            found = await agreements.draft_agreement(
                conn,
                actor=info.context.principal,
                title=input.title,
                enterprise_org_id=parse_id(input.enterprise_organization_id, "enterpriseOrganizationId"),
                local_org_id=parse_id(input.local_organization_id, "localOrganizationId"),
                start_date=input.start_date,
                end_date=input.end_date,
                commitments=_commitments(input.commitments),
            )
        return CobuildingAgreementPayload(agreement=CobuildingAgreement.from_model(found))

    @strawberry.mutation(
        description="Revise an agreement: a new version both sides sign again (修订协议).",
        extensions=requires("cobuilding", "draft"),
    )
    async def revise_cobuilding_agreement(
        self, info: Info, input: ReviseCobuildingAgreementInput
    ) -> CobuildingAgreementPayload:
        async with info.context.db() as conn:
            found = await agreements.revise_agreement(
                conn,
                actor=info.context.principal,
                agreement_id=parse_id(input.id),
                title=input.title,
                start_date=input.start_date,
                end_date=input.end_date,
                commitments=_commitments(input.commitments) if input.commitments is not None else None,
            )
        return CobuildingAgreementPayload(agreement=CobuildingAgreement.from_model(found))

    @strawberry.mutation(
        description="Sign the latest version for your side (签署协议); both sides' signatures sign it.",
        extensions=requires("cobuilding", "sign"),
    )
    async def sign_cobuilding_agreement(
        self, info: Info, input: SignCobuildingAgreementInput
    ) -> CobuildingAgreementPayload:
        async with info.context.db() as conn:
            found = await signing.sign_agreement(
                conn, actor=info.context.principal, agreement_id=parse_id(input.id), side=input.side
            )
        return CobuildingAgreementPayload(agreement=CobuildingAgreement.from_model(found))

    @strawberry.mutation(
        description="Terminate a signed agreement early, with the reason (终止协议).",
        extensions=requires("cobuilding", "terminate"),
    )
    async def terminate_cobuilding_agreement(
        self, info: Info, input: TerminateCobuildingAgreementInput
    ) -> CobuildingAgreementPayload:
        async with info.context.db() as conn:
            found = await signing.terminate_agreement(
                conn, actor=info.context.principal, agreement_id=parse_id(input.id), reason=input.reason
            )
        return CobuildingAgreementPayload(agreement=CobuildingAgreement.from_model(found))

    @strawberry.mutation(
        description="Submit your side's evaluation of a period; sealed once submitted (两促进两提升 评价).",
        extensions=requires("cobuilding", "evaluate"),
    )
    async def submit_cobuilding_evaluation(
        self, info: Info, input: SubmitCobuildingEvaluationInput
    ) -> CobuildingEvaluationPayload:
        async with info.context.db() as conn:
            found = await evaluations.submit_evaluation(
                conn,
                actor=info.context.principal,
                agreement_id=parse_id(input.agreement_id, "agreementId"),
                period=input.period,
                scores=[
                    evaluations.ScoreInput(dimension_code=s.dimension_code, score=s.score, comment=s.comment)
                    for s in input.scores
                ],
                side=input.side,
            )
        return CobuildingEvaluationPayload(evaluation=CobuildingEvaluation.from_model(found))
