"""Mutations of ledger items: create, report progress, submit, sign off (销号), return, cancel,
change the due date."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.ledger.inputs import (
    CancelLedgerItemInput,
    ChangeDueDateInput,
    CreateLedgerItemInput,
    ReportProgressInput,
    ReturnLedgerItemInput,
    SignOffInput,
    SubmitForSignOffInput,
)
from schema.ledger.types import LedgerItem
from schema.pagination import parse_id
from schema.permissions import requires
from services.ledger import items, rules, transitions
from services.ledger.models import LedgerSource


@strawberry.type
class LedgerItemPayload:
    ledger_item: LedgerItem


def _payload(item: object) -> LedgerItemPayload:
    return LedgerItemPayload(ledger_item=LedgerItem.from_model(item))  # type: ignore[arg-type]


@strawberry.type
class LedgerItemMutation:
    @strawberry.mutation(
        description="Put a problem, task or responsibility on an organisation's ledger (新增台账条目).",
        extensions=requires("ledger", "create"),
    )
    async def create_ledger_item(self, info: Info, input: CreateLedgerItemInput) -> LedgerItemPayload:
        problems = rules.at_most(
            input.answers_problem_ids or [], rules.MAX_ANSWERS, field="answersProblemIds"
        )
        data = items.NewItem(
            list=input.list_,
            organization_id=parse_id(input.organization_id, "organizationId"),
            year=input.year,
            title=input.title,
            due_date=input.due_date,
            description=input.description,
            responsible_organization_id=(
                parse_id(input.responsible_organization_id, "responsibleOrganizationId")
                if input.responsible_organization_id
                else None
            ),
            responsible_person=input.responsible_person,
            answers_problem_ids=[parse_id(p, "answersProblemIds") for p in problems],
            source=input.source or LedgerSource.OTHER,
            holder_role=input.holder_role,
        )
        async with info.context.db() as conn:
            item = await items.create_ledger_item(conn, actor=info.context.principal, data=data)
        return _payload(item)

    @strawberry.mutation(
        description="Report progress on an item (报告进展): OPEN or IN_PROGRESS → IN_PROGRESS.",
        extensions=requires("ledger", "work"),
    )
    async def report_progress(self, info: Info, input: ReportProgressInput) -> LedgerItemPayload:
        async with info.context.db() as conn:
            item = await transitions.report_progress(
                conn,
                actor=info.context.principal,
                item_id=parse_id(input.id),
                note=input.note,
                percent=input.percent,
            )
        return _payload(item)

    @strawberry.mutation(
        description="Submit an item for sign-off with evidence (提交销号): → SUBMITTED.",
        extensions=requires("ledger", "work"),
    )
    async def submit_for_sign_off(self, info: Info, input: SubmitForSignOffInput) -> LedgerItemPayload:
        async with info.context.db() as conn:
            item = await transitions.submit_for_sign_off(
                conn,
                actor=info.context.principal,
                item_id=parse_id(input.id),
                evidence=input.evidence,
                evidence_links=(input.evidence_links or [])[: rules.MAX_EVIDENCE_LINKS + 1],
            )
        return _payload(item)

    @strawberry.mutation(
        description=(
            "Sign off a submitted item (销号), by an admin of the assigning organisation or one above it, "
            "never by its submitter. A second concurrent sign-off answers CONFLICT."
        ),
        extensions=requires("ledger", "sign_off"),
    )
    async def sign_off(self, info: Info, input: SignOffInput) -> LedgerItemPayload:
        async with info.context.db() as conn:
            item = await transitions.sign_off(
                conn, actor=info.context.principal, item_id=parse_id(input.id), comment=input.comment
            )
        return _payload(item)

    @strawberry.mutation(
        description="Send a submitted item back with a reason (退回): → IN_PROGRESS.",
        extensions=requires("ledger", "sign_off"),
    )
    async def return_ledger_item(self, info: Info, input: ReturnLedgerItemInput) -> LedgerItemPayload:
        async with info.context.db() as conn:
            item = await transitions.return_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), reason=input.reason
            )
        return _payload(item)

    @strawberry.mutation(
        description="Cancel an item with a reason (撤销), by its assigner.",
        extensions=requires("ledger", "assign"),
    )
    async def cancel_ledger_item(self, info: Info, input: CancelLedgerItemInput) -> LedgerItemPayload:
        async with info.context.db() as conn:
            item = await transitions.cancel_item(
                conn, actor=info.context.principal, item_id=parse_id(input.id), reason=input.reason
            )
        return _payload(item)

    @strawberry.mutation(
        description="Move an open item's due date (调整时间节点), by its assigner; deadline notices re-arm.",
        extensions=requires("ledger", "assign"),
    )
    async def change_due_date(self, info: Info, input: ChangeDueDateInput) -> LedgerItemPayload:
        async with info.context.db() as conn:
            item = await transitions.change_due_date(
                conn,
                actor=info.context.principal,
                item_id=parse_id(input.id),
                due_date=input.due_date,
                reason=input.reason,
            )
        return _payload(item)
