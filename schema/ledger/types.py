"""Ledger types: items (台账条目), their history (过程记录), responsibility letters (目标责任书), figures."""

from __future__ import annotations

import datetime as dt
import uuid

import strawberry
from strawberry.permission import PermissionExtension

from schema.context import Info
from schema.directory.loaders import organization_loader
from schema.directory.types import Organization
from schema.ledger.loaders import answers_loader, history_loader
from schema.nodes import Node
from schema.permissions import Quietly
from services.ledger import models

strawberry.enum(
    models.LedgerList,
    name="LedgerList",
    description="The three lists (三单): PROBLEM 问题清单, TASK 任务清单, RESPONSIBILITY 责任清单.",
)
strawberry.enum(
    models.LedgerStatus,
    name="LedgerStatus",
    description=(
        "Life of a ledger item (台账状态): OPEN 未开始 → IN_PROGRESS 推进中 → SUBMITTED 待销号 → "
        "SIGNED_OFF 已销号 (or back to IN_PROGRESS 退回); CANCELLED 已撤销."
    ),
)
strawberry.enum(
    models.LedgerSource,
    name="LedgerSource",
    description=(
        "Where an item comes from (来源): REVIEW 述职评议, INSPECTION 督查, COUNCIL_RESOLUTION 联席会议决议, "
        "COBUILDING_MILESTONE 共建项目节点, PLAN 年度计划, OTHER 其他."
    ),
)
LedgerList = models.LedgerList
# Logins only for callers who may read them (as Booking.requestedBy); null for the others.
LOGIN_ONLY = [
    PermissionExtension(permissions=[Quietly("role", "read")], use_directives=False, fail_silently=True)
]
LedgerStatus = models.LedgerStatus
LedgerSource = models.LedgerSource


def _id(value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(str(value))


async def _load_organization(info: Info, organization_id: strawberry.ID) -> Organization | None:
    return Organization.or_none(await organization_loader(info.context).load(uuid.UUID(organization_id)))


@strawberry.type(description="Where an item comes from (来源), with the source object when there is one.")
class LedgerItemSource:
    kind: LedgerSource = strawberry.field(description="Kind of source (来源类型).")
    id: strawberry.ID | None = strawberry.field(description="The council resolution or milestone (来源对象).")
    key: str | None = strawberry.field(description="The task's key within its source (序号).")


@strawberry.type(description="One step of an item's history (过程记录): who, when and what.")
class LedgerStep:
    action: str = strawberry.field(
        description=(
            "What was done (操作): CREATED, PROGRESSED, SUBMITTED, SIGNED_OFF, RETURNED, CANCELLED, "
            "DUE_DATE_CHANGED."
        )
    )
    status: LedgerStatus = strawberry.field(description="Status after the step (状态).")
    note: str | None = strawberry.field(description="Progress note, evidence, comment or reason (说明).")
    percent: int | None = strawberry.field(description="Percentage reported (完成进度).")
    due_date: dt.date | None = strawberry.field(description="Due date after the step (时间节点).")
    at: dt.datetime = strawberry.field(description="When (时间).")
    _by: strawberry.Private[str]

    @strawberry.field(
        description="Who took the step (经办人); null for callers who may not read logins.",
        extensions=[
            PermissionExtension(
                permissions=[Quietly("role", "read")], use_directives=False, fail_silently=True
            )
        ],
    )
    def by(self) -> str | None:
        return self._by

    @classmethod
    def from_model(cls, step: models.LedgerStep) -> LedgerStep:
        return cls(
            action=step.action,
            status=LedgerStatus(step.status),
            note=step.note,
            percent=step.percent,
            due_date=step.due_date,
            at=step.at,
            _by=step.actor_login,
        )


@strawberry.type(description="An item of the three-lists work ledger (三单制 台账条目).")
class LedgerItem(Node):
    id: strawberry.ID
    list_: LedgerList = strawberry.field(name="list", description="Which list (清单).")
    organization_id: strawberry.ID = strawberry.field(description="Whose ledger holds it (所属单位).")
    assigning_organization_id: strawberry.ID = strawberry.field(
        description="Who assigned it; its admins, or those above, sign it off (交办单位)."
    )
    year: int = strawberry.field(description="Year of the ledger (年度).")
    title: str = strawberry.field(description="Title (事项).")
    description: str = strawberry.field(description="Description (内容).")
    source: LedgerItemSource = strawberry.field(description="Source (来源).")
    responsible_organization_id: strawberry.ID = strawberry.field(
        description="Responsible organisation (责任单位)."
    )
    responsible_person: str | None = strawberry.field(description="Responsible person (责任人).")
    holder_role: str | None = strawberry.field(
        description="The post holding a responsibility (一岗双责 岗位)."
    )
    due_date: dt.date = strawberry.field(description="Due date (时间节点).")
    status: LedgerStatus = strawberry.field(description="Status (状态).")
    percent: int = strawberry.field(description="Progress in percent (完成进度).")
    evidence: str | None = strawberry.field(description="Evidence submitted for sign-off (佐证材料).")
    evidence_links: list[str] = strawberry.field(description="Links to evidence (佐证链接).")
    overdue: bool = strawberry.field(description="Past its due date and not signed off or cancelled (逾期).")
    submitted_at: dt.datetime | None = strawberry.field(description="When submitted for sign-off (提交时间).")
    signed_off_at: dt.datetime | None = strawberry.field(description="When signed off (销号时间).")
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_model(cls, item: models.LedgerItem) -> LedgerItem:
        return cls(
            id=_id(item.id),
            list_=LedgerList(item.list),
            organization_id=_id(item.organization_id),
            assigning_organization_id=_id(item.assigning_organization_id),
            year=item.year,
            title=item.title,
            description=item.description,
            source=LedgerItemSource(
                kind=LedgerSource(item.source),
                id=_id(item.source_id) if item.source_id else None,
                key=item.source_key,
            ),
            responsible_organization_id=_id(item.responsible_organization_id),
            responsible_person=item.responsible_person,
            holder_role=item.holder_role,
            due_date=item.due_date,
            status=LedgerStatus(item.status),
            percent=item.percent,
            evidence=item.evidence,
            evidence_links=list(item.evidence_links),
            overdue=item.overdue,
            submitted_at=item.submitted_at,
            signed_off_at=item.signed_off_at,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )

    @strawberry.field(description="Organisation whose ledger holds it (所属单位).")
    async def organization(self, info: Info) -> Organization | None:
        return await _load_organization(info, self.organization_id)

    @strawberry.field(description="Responsible organisation (责任单位).")
    async def responsible_organization(self, info: Info) -> Organization | None:
        return await _load_organization(info, self.responsible_organization_id)

    @strawberry.field(description="Problems this task answers (对应问题); empty for other lists.")
    async def answers(self, info: Info) -> list[LedgerItem]:
        if self.list_ != LedgerList.TASK:
            return []
        return [LedgerItem.from_model(p) for p in await answers_loader(info.context).load(uuid.UUID(self.id))]

    @strawberry.field(description="Every step, oldest first (过程记录): who, when and what.")
    async def history(self, info: Info) -> list[LedgerStep]:
        return [LedgerStep.from_model(s) for s in await history_loader(info.context).load(uuid.UUID(self.id))]


@strawberry.type(
    description="A target responsibility letter (党建目标责任书), issued level by level (层层签订)."
)
class ResponsibilityLetter(Node):
    id: strawberry.ID
    organization_id: strawberry.ID = strawberry.field(description="Recipient (签订单位).")
    issuer_organization_id: strawberry.ID = strawberry.field(description="Issuer (下达单位).")
    year: int = strawberry.field(description="Year (年度).")
    issued_at: dt.datetime = strawberry.field(description="When issued (下达时间).")
    acknowledged_at: dt.datetime | None = strawberry.field(
        description="When signed (签订时间); null if not yet."
    )
    item_ids: list[strawberry.ID] = strawberry.field(description="Responsibilities listed (责任事项).")
    _issued_by: strawberry.Private[str]
    _acknowledged_by: strawberry.Private[str | None]

    @strawberry.field(
        description="Who signed it (签订人); null for callers who may not read logins.",
        extensions=[
            PermissionExtension(
                permissions=[Quietly("role", "read")], use_directives=False, fail_silently=True
            )
        ],
    )
    def acknowledged_by(self) -> str | None:
        return self._acknowledged_by

    @strawberry.field(
        description="Who issued it (下达人); null for callers who may not read logins.",
        extensions=[
            PermissionExtension(
                permissions=[Quietly("role", "read")], use_directives=False, fail_silently=True
            )
        ],
    )
    def issued_by(self) -> str | None:
        return self._issued_by

    @classmethod
    def from_model(cls, letter: models.ResponsibilityLetter) -> ResponsibilityLetter:
        return cls(
            id=_id(letter.id),
            organization_id=_id(letter.organization_id),
            issuer_organization_id=_id(letter.issuer_organization_id),
            year=letter.year,
            issued_at=letter.issued_at,
            acknowledged_at=letter.acknowledged_at,
            item_ids=[_id(i) for i in letter.item_ids],
            _issued_by=letter.issued_by_login,
            _acknowledged_by=letter.acknowledged_by_login,
        )


@strawberry.type(description="Items of one list in one status (分类计数).")
class LedgerStatusCount:
    list_: LedgerList = strawberry.field(name="list")
    status: LedgerStatus
    count: int


@strawberry.type(description="述职评议 figures of one organisation's ledger for a year (台账统计).")
class OrganizationLedgerFigures:
    organization_id: strawberry.ID
    counts: list[LedgerStatusCount] = strawberry.field(description="Items per list and status (分类计数).")
    total: int = strawberry.field(description="Items not cancelled (事项总数).")
    signed_off: int = strawberry.field(description="Items signed off (已销号).")
    sign_off_rate: float | None = strawberry.field(description="signedOff / total (销号率); null if none.")
    on_time_rate: float | None = strawberry.field(
        description="Of the items whose deadline has come, those signed off by it (按期完成率)."
    )
    overdue_count: int = strawberry.field(description="Items overdue today (逾期数).")
    average_days_overdue: float | None = strawberry.field(
        description="Mean days past due of the overdue items (平均逾期天数)."
    )

    @classmethod
    def from_model(cls, figures: models.OrganizationFigures) -> OrganizationLedgerFigures:
        return cls(
            organization_id=_id(figures.organization_id),
            counts=[
                LedgerStatusCount(list_=LedgerList(c.list), status=LedgerStatus(c.status), count=c.count)
                for c in figures.counts
            ],
            total=figures.total,
            signed_off=figures.signed_off,
            sign_off_rate=figures.sign_off_rate,
            on_time_rate=figures.on_time_rate,
            overdue_count=figures.overdue_count,
            average_days_overdue=figures.average_days_overdue,
        )

    @strawberry.field(description="The organisation (单位).")
    async def organization(self, info: Info) -> Organization | None:
        return await _load_organization(info, self.organization_id)


@strawberry.type(description="Ledger figures for the annual debriefing (述职评议考核 台账统计).")
class LedgerFigures:
    year: int
    organizations: list[OrganizationLedgerFigures]
