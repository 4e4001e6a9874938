"""The co-building domain's event types, each with its read rule.

Aggregates: ``cobuilding_dimension``, ``cobuilding_agreement`` (drafted, revised, signature
added, signed, terminated), ``cobuilding_project``, ``milestone``, ``contribution`` and
``evaluation``. Partners read agreements once signed (titles and dimensions, as by query) and
nothing of projects, milestones, contributions or evaluations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from services.events.types import Audience, DomainEvent, Permission

_SOURCE = "alliance/cobuilding"
_DETAIL: Permission = ("cobuilding", "read_detail")


@dataclass(frozen=True, kw_only=True)
class DimensionEvent(DomainEvent, aggregate="cobuilding_dimension"):
    source: ClassVar[str] = _SOURCE
    read_permission: ClassVar[Permission] = ("cobuilding", "read")

    id: str
    code: str
    name: str
    active: bool


@dataclass(frozen=True, kw_only=True)
class DimensionDefined(DimensionEvent, change="defined"):
    pass


@dataclass(frozen=True, kw_only=True)
class DimensionRetired(DimensionEvent, change="retired"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgreementEvent(DomainEvent, aggregate="cobuilding_agreement"):
    """Drafts only to those who see every organisation or manage the enterprise party (the
    feed's rule names one organisation); signed agreements to every reader, partners too."""

    source: ClassVar[str] = _SOURCE
    read_permission: ClassVar[Permission] = ("cobuilding", "read")

    id: str
    title: str
    status: str
    agreement_version: int
    enterprise_org_id: str
    local_org_id: str

    def audience(self) -> Audience:
        draft = self.status == "DRAFT"
        return Audience(
            permission=self.read_permission,
            partners=not draft,
            managers_of=uuid.UUID(self.enterprise_org_id) if draft else None,
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class AgreementDrafted(AgreementEvent, change="drafted"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgreementRevised(AgreementEvent, change="revised"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgreementSignatureAdded(AgreementEvent, change="signature_added"):
    audit_entity: ClassVar[str] = "cobuilding_signature"

    side: str
    organization_id: str


@dataclass(frozen=True, kw_only=True)
class AgreementSigned(AgreementEvent, change="signed"):
    pass


@dataclass(frozen=True, kw_only=True)
class AgreementTerminated(AgreementEvent, change="terminated"):
    reason: str


@dataclass(frozen=True, kw_only=True)
class ProjectEvent(DomainEvent, aggregate="cobuilding_project"):
    source: ClassVar[str] = _SOURCE
    read_permission: ClassVar[Permission] = _DETAIL

    id: str
    agreement_id: str
    dimension_code: str
    title: str
    lead_org_id: str
    status: str

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class ProjectCreated(ProjectEvent, change="created"):
    pass


@dataclass(frozen=True, kw_only=True)
class ProjectStatusChanged(ProjectEvent, change="status_changed"):
    pass


@dataclass(frozen=True, kw_only=True)
class MilestoneEvent(DomainEvent, aggregate="milestone"):
    source: ClassVar[str] = _SOURCE
    read_permission: ClassVar[Permission] = _DETAIL

    id: str
    project_id: str
    title: str
    due_date: str
    responsible_org_id: str

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class MilestoneAdded(MilestoneEvent, change="added"):
    ledger_item_id: str | None


@dataclass(frozen=True, kw_only=True)
class MilestoneCompleted(MilestoneEvent, change="completed"):
    completed_at: str


@dataclass(frozen=True, kw_only=True)
class ContributionEvent(DomainEvent, aggregate="contribution"):
    """Amounts per contribution: never to partners (they read only the figures)."""

    source: ClassVar[str] = _SOURCE
    read_permission: ClassVar[Permission] = _DETAIL

    id: str
    project_id: str
    organization_id: str
    side: str
    kind: str
    amount: str
    unit: str
    reason: str | None

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class ContributionRecorded(ContributionEvent, change="recorded"):
    pass


@dataclass(frozen=True, kw_only=True)
class EvaluationEvent(DomainEvent, aggregate="evaluation"):
    source: ClassVar[str] = _SOURCE
    read_permission: ClassVar[Permission] = _DETAIL

    id: str
    agreement_id: str
    period: int
    side: str
    organization_id: str

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission, partners=False, actor_permission=self.actor_permission
        )


@dataclass(frozen=True, kw_only=True)
class EvaluationSubmitted(EvaluationEvent, change="submitted"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    DimensionDefined,
    DimensionRetired,
    AgreementDrafted,
    AgreementRevised,
    AgreementSignatureAdded,
    AgreementSigned,
    AgreementTerminated,
    ProjectCreated,
    ProjectStatusChanged,
    MilestoneAdded,
    MilestoneCompleted,
    ContributionRecorded,
    EvaluationSubmitted,
)
