"""What the organisational-life services hand back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from services.core.constraints import Collision, Constraints, Invalid

T = TypeVar("T")


class MemberStatus(enum.StrEnum):
    PROBATIONARY = "PROBATIONARY"  # 预备党员
    FULL = "FULL"  # 正式党员


class TransferStatus(enum.StrEnum):
    REQUESTED = "REQUESTED"
    APPROVED_OUT = "APPROVED_OUT"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


OPEN_TRANSFER = frozenset({TransferStatus.REQUESTED, TransferStatus.APPROVED_OUT})


class TransferDirection(enum.StrEnum):
    IN = "IN"  # to a branch the caller looks after (转入)
    OUT = "OUT"  # from one (转出)


class LifeKind(enum.StrEnum):
    BRANCH_GENERAL_MEETING = "BRANCH_GENERAL_MEETING"  # 党员大会
    BRANCH_COMMITTEE = "BRANCH_COMMITTEE"  # 支委会
    PARTY_GROUP = "PARTY_GROUP"  # 党小组会
    PARTY_LECTURE = "PARTY_LECTURE"  # 党课
    THEMED_PARTY_DAY = "THEMED_PARTY_DAY"  # 主题党日
    DEMOCRATIC_LIFE = "DEMOCRATIC_LIFE"  # 组织生活会
    MEMBER_EVALUATION = "MEMBER_EVALUATION"  # 民主评议党员


class Period(enum.StrEnum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


# Organisation kinds that take part in star rating (两新组织).
RATED_KINDS = frozenset({"PRIVATE_ENTERPRISE", "SOCIAL_ORGANIZATION"})


@dataclass(frozen=True, slots=True)
class Member:
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    joined_on: dt.date
    status: str
    full_member_on: dt.date | None
    phone: str | None
    account_id: uuid.UUID | None
    birthday_opt_out: bool
    left_on: dt.date | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Membership:
    member_id: uuid.UUID
    organization_id: uuid.UUID
    from_on: dt.date
    to_on: dt.date | None
    transfer_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Transfer:
    id: uuid.UUID
    tenant_id: uuid.UUID
    member_id: uuid.UUID | None
    from_organization_id: uuid.UUID | None
    to_organization_id: uuid.UUID | None
    to_tenant: str
    to_credit_code: str
    origin_tenant_id: uuid.UUID | None
    origin_transfer_id: uuid.UUID | None
    origin_tenant: str | None
    origin_organization: str | None
    member_name: str
    joined_on: dt.date
    member_status: str
    full_member_on: dt.date | None
    letter_number: str | None
    reason: str | None
    status: str
    rejection_reason: str | None
    report_by: dt.date
    approved_out_at: dt.datetime | None
    accepted_on: dt.date | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def cross_tenant(self) -> bool:
        """Whether the other side is in another district (its half travels by events)."""
        return self.from_organization_id is None or self.to_organization_id is None


@dataclass(frozen=True, slots=True)
class Absence:
    member_id: uuid.UUID
    reason: str


@dataclass(frozen=True, slots=True)
class LifeRecord:
    id: uuid.UUID
    organization_id: uuid.UUID
    kind: str
    held_on: dt.date
    topic: str
    place: str | None
    resource_id: uuid.UUID | None
    minutes: str | None
    created_at: dt.datetime
    attendee_member_ids: tuple[uuid.UUID, ...]
    absentees: tuple[Absence, ...]


@dataclass(frozen=True, slots=True)
class Requirement:
    kind: str
    period: str
    times: int


@dataclass(frozen=True, slots=True)
class LifeFigure:
    """One branch's sessions of one kind in a year, against what was due (组织生活统计)."""

    organization_id: uuid.UUID
    kind: str
    held: int
    due: int  # due by today (periods ended so far; the whole year for a past year)
    due_for_year: int
    present: int
    absent: int

    @property
    def attendance_rate(self) -> float | None:
        seats = self.present + self.absent
        return None if seats == 0 else self.present / seats

    @property
    def behind(self) -> bool:
        return self.held < self.due


@dataclass(frozen=True, slots=True)
class UpcomingBirthday:
    member_id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    on: dt.date
    years: int
    opted_out: bool


@dataclass(frozen=True, slots=True)
class Criterion:
    id: uuid.UUID
    code: str
    name: str
    weight: Decimal
    max_score: Decimal


@dataclass(frozen=True, slots=True)
class Score:
    criterion_code: str
    score: Decimal


@dataclass(frozen=True, slots=True)
class Rating:
    id: uuid.UUID
    organization_id: uuid.UUID
    year: int
    total: Decimal
    level: int
    rated_at: dt.datetime
    scores: tuple[Score, ...]


@dataclass(frozen=True, slots=True)
class DemonstrationSite:
    organization_id: uuid.UUID
    brand_name: str
    designated_on: dt.date


CONSTRAINTS = Constraints(
    {
        "party_members_full_after_join": Invalid(
            "fullMemberOn", "the full-membership date cannot be before the join date"
        ),
        "party_members_one_account": Collision("that login already belongs to another member record"),
        "party_members_joined_on_check": Invalid("joinedOn", "the join date is not a plausible one"),
        "party_memberships_no_overlap": Collision("the member already belongs to a branch on that date"),
        "member_transfers_one_open": Collision("the member already has an open transfer"),
        "member_transfers_not_own_branch": Invalid(
            "toOrganizationCreditCode", "that is the member's own branch"
        ),
        "organisational_life_records_tenant_id_resource_id_fkey": Invalid(
            "resourceId", "no base or venue of this alliance has that id"
        ),
        "star_rating_criteria_code": Collision("a criterion with that code exists"),
        "star_ratings_one_per_year": Collision("the organisation is already rated for that year"),
    }
)


@dataclass(frozen=True, slots=True)
class ListPage(Generic[T]):
    """One page of a keyset-paged list (``total`` None when not asked for)."""

    items: list[T]
    total: int | None
    has_next: bool
