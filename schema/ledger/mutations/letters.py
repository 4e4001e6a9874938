"""Mutations of target responsibility letters (党建目标责任书): issue, acknowledge."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.ledger.inputs import AcknowledgeResponsibilityLetterInput, IssueResponsibilityLetterInput
from schema.ledger.types import ResponsibilityLetter
from schema.pagination import parse_id
from schema.permissions import requires
from services.ledger import letters, rules


@strawberry.type
class ResponsibilityLetterPayload:
    letter: ResponsibilityLetter


@strawberry.type
class LetterMutation:
    @strawberry.mutation(
        description="Issue a letter for a year to an organisation below one's own (下达目标责任书).",
        extensions=requires("responsibility_letter", "issue"),
    )
    async def issue_responsibility_letter(
        self, info: Info, input: IssueResponsibilityLetterInput
    ) -> ResponsibilityLetterPayload:
        item_ids = [parse_id(i, "itemIds") for i in input.item_ids[: rules.MAX_LETTER_ITEMS + 1]]
        async with info.context.db() as conn:
            letter = await letters.issue_letter(
                conn,
                actor=info.context.principal,
                organization_id=parse_id(input.organization_id, "organizationId"),
                year=input.year,
                item_ids=item_ids,
            )
        return ResponsibilityLetterPayload(letter=ResponsibilityLetter.from_model(letter))

    @strawberry.mutation(
        description="Sign a letter one's organisation received (签订目标责任书).",
        extensions=requires("responsibility_letter", "acknowledge"),
    )
    async def acknowledge_responsibility_letter(
        self, info: Info, input: AcknowledgeResponsibilityLetterInput
    ) -> ResponsibilityLetterPayload:
        async with info.context.db() as conn:
            letter = await letters.acknowledge_letter(
                conn, actor=info.context.principal, letter_id=parse_id(input.id)
            )
        return ResponsibilityLetterPayload(letter=ResponsibilityLetter.from_model(letter))
