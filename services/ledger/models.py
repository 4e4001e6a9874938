"""What the ledger services hand back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass

from services.core.constraints import Collision, Constraints, Invalid


class LedgerList(enum.StrEnum):
    PROBLEM = "PROBLEM"  # 问题清单
    TASK = "TASK"  # 任务清单
    RESPONSIBILITY = "RESPONSIBILITY"  # 责任清单


class LedgerStatus(enum.StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    SUBMITTED = "SUBMITTED"
    SIGNED_OFF = "SIGNED_OFF"  # 销号
    CANCELLED = "CANCELLED"


class LedgerSource(enum.StrEnum):
    REVIEW = "REVIEW"  # 述职评议
    INSPECTION = "INSPECTION"  # 督查
    COUNCIL_RESOLUTION = "COUNCIL_RESOLUTION"  # 联席会议决议
    COBUILDING_MILESTONE = "COBUILDING_MILESTONE"  # 共建项目节点
    PLAN = "PLAN"
    OTHER = "OTHER"


# Sources whose items other domains open through ``services.ledger.intake``.
SOURCED = frozenset({LedgerSource.COUNCIL_RESOLUTION, LedgerSource.COBUILDING_MILESTONE})
# Statuses still being worked on: they can fall overdue and get deadline notices.
OPEN_STATUSES = frozenset({LedgerStatus.OPEN, LedgerStatus.IN_PROGRESS, LedgerStatus.SUBMITTED})


# Named before ``LedgerItem``, whose field ``list`` (the list it is on) hides the builtin there.
UuidList = list[uuid.UUID]
TextList = list[str]


@dataclass(frozen=True, slots=True)
class LedgerItem:
    id: uuid.UUID
    tenant_id: uuid.UUID
    list: str
    organization_id: uuid.UUID
    assigning_organization_id: uuid.UUID
    year: int
    title: str
    description: str
    source: str
    source_id: uuid.UUID | None
    source_key: str | None
    responsible_organization_id: uuid.UUID
    responsible_person: str | None
    supporting_organization_ids: UuidList
    holder_role: str | None
    due_date: dt.date
    due_revision: int
    status: str
    percent: int
    evidence: str | None
    evidence_links: TextList
    submitted_by: uuid.UUID | None
    submitted_at: dt.datetime | None
    signed_off_by: uuid.UUID | None
    signed_off_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    import_key: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    overdue: bool  # derived: past its due date and neither signed off nor cancelled


@dataclass(frozen=True, slots=True)
class LedgerStep:
    """One step of an item's history: who, when and what."""

    id: uuid.UUID
    item_id: uuid.UUID
    action: str
    status: str
    note: str | None
    percent: int | None
    due_date: dt.date | None
    actor_login: str
    at: dt.datetime


_RULE = "the item breaks a rule: {detail}"
# What the ledger tables' constraints mean to a caller (see the migration).
CONSTRAINTS = Constraints(
    {
        "ledger_items_due_date": Invalid("dueDate", "the due date must lie within the item's year ±1"),
        "ledger_items_percent": Invalid("percent", "percent must be 0–100"),
        "ledger_items_own_sign_off": Invalid("id", "nobody signs off their own submission"),
        "ledger_items_source_key": Collision("this source's task is already in the ledger"),
        "ledger_items_import_key": Collision("an item with that import key exists"),
        "ledger_items_signed_off": Collision(_RULE),
        "ledger_items_submitted": Collision(_RULE),
        "ledger_items_cancelled": Collision(_RULE),
        "responsibility_letters_one_per_year": Collision(
            "the organisation already has a responsibility letter for that year"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class ResponsibilityLetter:
    """A target responsibility letter (党建目标责任书) from one level to the one below."""

    id: uuid.UUID
    organization_id: uuid.UUID
    issuer_organization_id: uuid.UUID
    year: int
    issued_by_login: str
    issued_at: dt.datetime
    acknowledged_by_login: str | None
    acknowledged_at: dt.datetime | None
    item_ids: UuidList


@dataclass(frozen=True, slots=True)
class StatusCount:
    list: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class OrganizationFigures:
    """述职评议 figures of one organisation's ledger for one year, computed from its items.

    Cancelled items count in ``counts`` only. ``on_time_rate``: of the items whose deadline has
    come (signed off, or past due), those signed off by their due date. ``average_days_overdue``:
    over the items overdue today."""

    organization_id: uuid.UUID
    counts: tuple[StatusCount, ...]
    total: int
    signed_off: int
    sign_off_rate: float | None
    on_time_rate: float | None
    overdue_count: int
    average_days_overdue: float | None
