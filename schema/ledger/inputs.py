"""Ledger inputs: the list filters and what each mutation takes."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.ledger.types import LedgerList, LedgerSource, LedgerStatus


@strawberry.input(description="Filter of the ledger (台账筛选).")
class LedgerItemFilter:
    list_: LedgerList | None = strawberry.field(default=None, name="list", description="Which list (清单).")
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Items of this organisation's ledger (所属单位)."
    )
    include_descendants: bool = strawberry.field(
        default=False, description="With organizationId: the organisations below it too (含下级)."
    )
    status: LedgerStatus | None = strawberry.field(default=None, description="Status (状态).")
    overdue: bool | None = strawberry.field(default=None, description="Overdue or not (逾期).")
    year: int | None = strawberry.field(default=None, description="Year (年度).")
    source: LedgerSource | None = strawberry.field(default=None, description="Source (来源).")
    responsible_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Responsible organisation (责任单位)."
    )
    search: str | None = strawberry.field(
        default=None, description="Text in the title or description (检索)."
    )


@strawberry.input(description="Filter of the responsibility letters (目标责任书筛选).")
class ResponsibilityLetterFilter:
    year: int | None = None
    organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Recipient (签订单位)."
    )
    issuer_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Issuer (下达单位)."
    )
    acknowledged: bool | None = strawberry.field(default=None, description="Signed or not (已签订).")


@strawberry.input(description="A new ledger item (新增台账条目).")
class CreateLedgerItemInput:
    list_: LedgerList = strawberry.field(name="list", description="Which list (清单).")
    organization_id: strawberry.ID = strawberry.field(description="Whose ledger (所属单位).")
    year: int = strawberry.field(description="Year (年度).")
    title: str = strawberry.field(description="Title (事项).")
    due_date: dt.date = strawberry.field(description="Due date, within the year ±1 (时间节点).")
    description: str | None = strawberry.field(default=None, description="Description (内容).")
    responsible_organization_id: strawberry.ID | None = strawberry.field(
        default=None, description="Responsible organisation (责任单位); the ledger's organisation by default."
    )
    responsible_person: str | None = strawberry.field(
        default=None, description="Responsible person (责任人)."
    )
    answers_problem_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Problems a task answers (对应问题), at most 50."
    )
    source: LedgerSource | None = strawberry.field(
        default=None, description="Source (来源): REVIEW, INSPECTION, PLAN or OTHER (default)."
    )
    holder_role: str | None = strawberry.field(
        default=None, description="For a responsibility: the post that holds it (一岗双责 岗位)."
    )


@strawberry.input(description="Progress on an item (报告进展).")
class ReportProgressInput:
    id: strawberry.ID
    note: str = strawberry.field(description="What was done (进展情况).")
    percent: int | None = strawberry.field(default=None, description="Progress 0–100 (完成进度).")


@strawberry.input(description="Submit an item for sign-off (提交销号).")
class SubmitForSignOffInput:
    id: strawberry.ID
    evidence: str = strawberry.field(description="Evidence (佐证材料).")
    evidence_links: list[str] | None = strawberry.field(
        default=None, description="Links (佐证链接), at most 20."
    )


@strawberry.input(description="Sign off a submitted item (销号).")
class SignOffInput:
    id: strawberry.ID
    comment: str | None = strawberry.field(default=None, description="Comment (意见).")


@strawberry.input(description="Send a submitted item back (退回).")
class ReturnLedgerItemInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Why (退回原因).")


@strawberry.input(description="Cancel an item (撤销).")
class CancelLedgerItemInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Why (撤销原因).")


@strawberry.input(description="Move an item's due date (调整时间节点).")
class ChangeDueDateInput:
    id: strawberry.ID
    due_date: dt.date = strawberry.field(description="New due date, within the item's year ±1.")
    reason: str = strawberry.field(description="Why (调整原因).")


@strawberry.input(description="Issue a target responsibility letter (下达党建目标责任书).")
class IssueResponsibilityLetterInput:
    organization_id: strawberry.ID = strawberry.field(description="Recipient, below the issuer (签订单位).")
    year: int
    item_ids: list[strawberry.ID] = strawberry.field(
        description="Its responsibility items (责任事项), at most 200."
    )


@strawberry.input(description="Sign a responsibility letter (签订目标责任书).")
class AcknowledgeResponsibilityLetterInput:
    id: strawberry.ID
