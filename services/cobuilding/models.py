"""What the co-building services hand back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from services.core.constraints import Collision, Constraints, Invalid


class AgreementStatus(enum.StrEnum):
    """DRAFT and TERMINATED are stored; SIGNED, ACTIVE and EXPIRED follow from the signed term."""

    DRAFT = "DRAFT"
    SIGNED = "SIGNED"  # signed, its term not begun
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    TERMINATED = "TERMINATED"


class Side(enum.StrEnum):
    ENTERPRISE = "ENTERPRISE"
    LOCAL = "LOCAL"


class ProjectStatus(enum.StrEnum):
    PLANNED = "PLANNED"
    RUNNING = "RUNNING"
    DONE = "DONE"
    DROPPED = "DROPPED"


class ContributionKind(enum.StrEnum):
    FUNDING = "FUNDING"
    VOLUNTEER_HOURS = "VOLUNTEER_HOURS"
    MATERIALS = "MATERIALS"
    VENUE = "VENUE"
    SERVICE = "SERVICE"
    TRAINING = "TRAINING"


# The unit a kind is counted in unless the caller says otherwise; FUNDING is always yuan.
DEFAULT_UNITS = {
    ContributionKind.FUNDING: "CNY",
    ContributionKind.VOLUNTEER_HOURS: "hours",
    ContributionKind.MATERIALS: "items",
    ContributionKind.VENUE: "hours",
    ContributionKind.SERVICE: "sessions",
    ContributionKind.TRAINING: "sessions",
}
# One entry's bound (also the database's): a yuan amount above it is a typing error.
MAX_AMOUNT = decimal.Decimal("100000000")

# The ledger source of milestones (三单制 工作台账).
MILESTONE_SOURCE = "COBUILDING_MILESTONE"


# The same rule in SQL, over an agreement ``a`` and its shown version ``v`` (the signed one).
STATUS_SQL = """
CASE WHEN a.status <> 'SIGNED' THEN a.status
     WHEN current_date < v.start_date THEN 'SIGNED'
     WHEN current_date <= v.end_date THEN 'ACTIVE'
     ELSE 'EXPIRED' END
"""


@dataclass(frozen=True, slots=True)
class Dimension:
    id: uuid.UUID
    code: str
    name: str
    description: str
    position: int
    retired_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: decimal.Decimal
    unit: str | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "value": str(self.value), "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Commitment:
    dimension_id: uuid.UUID
    dimension_code: str
    dimension_name: str
    enterprise_commitment: str
    local_commitment: str
    targets: tuple[Target, ...]


@dataclass(frozen=True, slots=True)
class Signature:
    side: str
    organization_id: uuid.UUID
    login: str
    signed_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AgreementVersion:
    agreement_id: uuid.UUID
    version: int
    title: str
    start_date: dt.date
    end_date: dt.date
    signed_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Agreement:
    """An agreement as a reader sees it: the signed version's content (the draft's if never signed)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    enterprise_org_id: uuid.UUID
    local_org_id: uuid.UUID
    stored_status: str
    status: AgreementStatus
    version: int  # the version shown
    latest_version: int
    signed_version: int | None
    title: str
    start_date: dt.date
    end_date: dt.date
    termination_reason: str | None
    terminated_at: dt.datetime | None
    created_at: dt.datetime

    @property
    def parties(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.enterprise_org_id, self.local_org_id)

    @property
    def signed(self) -> bool:
        return self.signed_version is not None


@dataclass(frozen=True, slots=True)
class Project:
    id: uuid.UUID
    agreement_id: uuid.UUID
    dimension_id: uuid.UUID
    dimension_code: str
    title: str
    lead_org_id: uuid.UUID
    participant_org_ids: list[uuid.UUID]
    budget: decimal.Decimal | None
    start_date: dt.date
    end_date: dt.date
    status: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Milestone:
    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    due_date: dt.date
    responsible_org_id: uuid.UUID
    ledger_item_id: uuid.UUID | None
    completed_at: dt.datetime | None

    def overdue(self, today: dt.date) -> bool:
        return self.completed_at is None and self.due_date < today


@dataclass(frozen=True, slots=True)
class Contribution:
    id: uuid.UUID
    project_id: uuid.UUID
    organization_id: uuid.UUID
    side: str
    kind: str
    amount: decimal.Decimal
    unit: str
    resource_id: uuid.UUID | None
    note: str | None
    reason: str | None
    contributed_on: dt.date
    recorded_by_login: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Score:
    dimension_id: uuid.UUID
    dimension_code: str
    score: int
    comment: str | None


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: uuid.UUID
    agreement_id: uuid.UUID
    period: int
    side: str
    organization_id: uuid.UUID
    submitted_by_login: str
    submitted_at: dt.datetime
    scores: tuple[Score, ...]


_LOST_RACE = "the change lost a race: {detail}"
# What the co-building tables' constraints and triggers mean to a caller (see the migration).
CONSTRAINTS = Constraints(
    {
        "cobuilding_dimensions_code_format": Invalid("code", "code must be A–Z, digits or _ (at most 40)"),
        "cobuilding_dimensions_name_length": Invalid("name", "name must be 1–50 characters"),
        "cobuilding_dimensions_position": Invalid("position", "position must be within 0–1000"),
        "cobuilding_dimensions_code": Collision("a dimension with that code exists: {detail}"),
        "cobuilding_agreements_parties": Invalid(
            "localOrganizationId", "both parties are the same organization"
        ),
        "cobuilding_agreements_enterprise_soe": Invalid(
            "enterpriseOrganizationId", "the enterprise party must be an SOE (国有企业) of this alliance"
        ),
        "cobuilding_agreements_local_kind": Invalid(
            "localOrganizationId", "the local party must be a street, community or district committee"
        ),
        "cobuilding_versions_title": Invalid("title", "title must be 1–200 characters"),
        "cobuilding_versions_term": Invalid("endDate", "the term must not end before it starts"),
        "cobuilding_versions_term_length": Invalid("endDate", "a term lasts at most ten years"),
        "cobuilding_versions_number": Collision(_LOST_RACE),
        "cobuilding_versions_sealed": Collision("a signed version never changes"),
        "cobuilding_commitments_dimension": Invalid("commitments", "a dimension is committed to twice"),
        "cobuilding_commitments_active_dimension": Invalid(
            "commitments", "a commitment names a retired dimension"
        ),
        "cobuilding_commitments_enterprise_text": Invalid(
            "commitments", "a commitment text is 1–2000 characters"
        ),
        "cobuilding_commitments_local_text": Invalid("commitments", "a commitment text is 1–2000 characters"),
        "cobuilding_signatures_once": Collision("that side has signed this version already"),
        "cobuilding_signatures_one_side": Collision("you have signed this version for the other side"),
        "cobuilding_projects_title": Invalid("title", "title must be 1–200 characters"),
        "cobuilding_projects_participants": Invalid("participantOrganizationIds", "at most 50 participants"),
        "cobuilding_projects_budget": Invalid(
            "budget", "budget must be 0–100,000,000 with at most 2 decimals"
        ),
        "cobuilding_projects_dates": Invalid("endDate", "the project must not end before it starts"),
        "cobuilding_projects_signed_agreement": Collision(
            "projects run only under a signed agreement in force"
        ),
        "cobuilding_projects_within_term": Invalid(
            "startDate", "the project lies outside the agreement's term"
        ),
        "cobuilding_projects_committed_dimension": Invalid(
            "dimensionCode", "the agreement commits to no such dimension"
        ),
        "cobuilding_milestones_title": Invalid("title", "title must be 1–200 characters"),
        "cobuilding_contributions_amount": Invalid(
            "amount", "amount must be non-zero, at most 100,000,000 and have at most 2 decimals"
        ),
        "cobuilding_contributions_unit": Invalid("unit", "unit must be 1–20 characters"),
        "cobuilding_contributions_note": Invalid("note", "note must be at most 1000 characters"),
        "cobuilding_contributions_reason_length": Invalid("reason", "reason must be 1–500 characters"),
        "cobuilding_contributions_correction": Invalid(
            "reason", "a negative entry (correction) needs a reason"
        ),
        "cobuilding_contributions_funding_unit": Invalid("unit", "funding is counted in yuan (CNY)"),
        "cobuilding_contributions_resource": Invalid(
            "resourceId", "resourceId names no resource of this alliance"
        ),
        "cobuilding_evaluations_period": Invalid("period", "period is a year within 2000–2200"),
        "cobuilding_evaluations_once": Collision("this side has submitted its evaluation for the period"),
        "cobuilding_scores_range": Invalid("scores", "a score is from 1 to 5"),
        "cobuilding_scores_comment": Invalid("scores", "a comment is at most 1000 characters"),
    }
)
