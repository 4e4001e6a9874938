"""Organisational life's event types and their read rules.

Member events carry ids and the status only, never personal fields: the feed and the live
stream would otherwise hand names to readers whose reads are not audited. A transfer's
hand-over event carries what the receiving district needs to take the member on (name, join
date, status, full-membership date): it is the letter of introduction (介绍信) itself. Members,
transfers and records are never read by partners; partners read star ratings and
demonstration sites.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar, Self

from services.events.types import Audience, DomainEvent, Permission
from services.orglife.models import DemonstrationSite, LifeRecord, Member, Rating, Transfer


@dataclass(frozen=True, kw_only=True)
class MemberEvent(DomainEvent, aggregate="member"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("member", "read")

    id: str
    organization_id: str
    status: str

    @classmethod
    def of(cls, member: Member) -> Self:
        return cls(id=str(member.id), organization_id=str(member.organization_id), status=member.status)

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission,
            partners=False,
            managers_of=uuid.UUID(self.organization_id),
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class MemberRegistered(MemberEvent, change="registered"):
    pass


@dataclass(frozen=True, kw_only=True)
class MemberUpdated(MemberEvent, change="updated"):
    pass


@dataclass(frozen=True, kw_only=True)
class MemberAccountLinked(MemberEvent, change="account_linked"):
    """A login now reads this member record as its own (the account id, never the login)."""

    account_id: str


@dataclass(frozen=True, kw_only=True)
class MemberAccountUnlinked(MemberEvent, change="account_unlinked"):
    """The login that read this record as its own no longer does."""

    account_id: str


@dataclass(frozen=True, kw_only=True)
class MemberPoliticalBirthday(MemberEvent, change="political_birthday"):
    """政治生日: the anniversary of joining the Party, once per member and year."""

    year: int
    years: int  # years in the Party (党龄)


@dataclass(frozen=True, kw_only=True)
class TransferEvent(DomainEvent, aggregate="member_transfer"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("member_transfer", "read")

    id: str
    status: str
    member_id: str | None
    from_organization_id: str | None
    to_organization_id: str | None
    to_tenant: str
    to_credit_code: str
    origin_tenant_id: str | None
    origin_transfer_id: str | None
    rejection_reason: str | None
    accepted_on: str | None

    @classmethod
    def fields_of(cls, transfer: Transfer) -> dict[str, str | None]:
        def text(value: object) -> str | None:
            return None if value is None else str(value)

        return {
            "id": str(transfer.id),
            "status": transfer.status,
            "member_id": text(transfer.member_id),
            "from_organization_id": text(transfer.from_organization_id),
            "to_organization_id": text(transfer.to_organization_id),
            "to_tenant": transfer.to_tenant,
            "to_credit_code": transfer.to_credit_code,
            "origin_tenant_id": text(transfer.origin_tenant_id),
            "origin_transfer_id": text(transfer.origin_transfer_id),
            "rejection_reason": transfer.rejection_reason,
            "accepted_on": text(transfer.accepted_on),
        }

    @classmethod
    def of(cls, transfer: Transfer) -> Self:
        return cls(**cls.fields_of(transfer))  # type: ignore[arg-type]

    def audience(self) -> Audience:
        # The branch on this tenant's side: the sender on an OUT row, the receiver on an IN row.
        local = self.from_organization_id or self.to_organization_id
        return Audience(
            permission=self.read_permission,
            partners=False,
            managers_of=uuid.UUID(local) if local else None,
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class TransferRequested(TransferEvent, change="requested"):
    pass


@dataclass(frozen=True, kw_only=True)
class TransferApprovedOut(TransferEvent, change="approved_out"):
    """The sending side let the member go; across districts this is the hand-over."""

    member_name: str
    joined_on: str
    member_status: str
    full_member_on: str | None
    letter_number: str | None
    report_by: str
    origin_tenant: str
    origin_organization: str

    @classmethod
    def handing_over(cls, transfer: Transfer, *, origin_tenant: str, origin_organization: str) -> Self:
        return cls(
            **cls.fields_of(transfer),  # type: ignore[arg-type]
            member_name=transfer.member_name,
            joined_on=transfer.joined_on.isoformat(),
            member_status=transfer.member_status,
            full_member_on=transfer.full_member_on.isoformat() if transfer.full_member_on else None,
            letter_number=transfer.letter_number,
            report_by=transfer.report_by.isoformat(),
            origin_tenant=origin_tenant,
            origin_organization=origin_organization,
        )


@dataclass(frozen=True, kw_only=True)
class TransferReceived(TransferEvent, change="received"):
    """The receiving district holds the transfer (its IN row)."""


@dataclass(frozen=True, kw_only=True)
class TransferAccepted(TransferEvent, change="accepted"):
    pass


@dataclass(frozen=True, kw_only=True)
class TransferRejected(TransferEvent, change="rejected"):
    pass


@dataclass(frozen=True, kw_only=True)
class TransferCancelled(TransferEvent, change="cancelled"):
    pass


@dataclass(frozen=True, kw_only=True)
class LifeRecordEvent(DomainEvent, aggregate="organisational_life_record"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("organisational_life", "read")

    id: str
    organization_id: str
    kind: str
    held_on: str
    attendees: int
    absentees: int

    @classmethod
    def of(cls, record: LifeRecord) -> Self:
        return cls(
            id=str(record.id),
            organization_id=str(record.organization_id),
            kind=record.kind,
            held_on=record.held_on.isoformat(),
            attendees=len(record.attendee_member_ids),
            absentees=len(record.absentees),
        )

    def audience(self) -> Audience:
        return Audience(
            permission=self.read_permission,
            partners=False,
            managers_of=uuid.UUID(self.organization_id),
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class LifeRecorded(LifeRecordEvent, change="recorded"):
    pass


@dataclass(frozen=True, kw_only=True)
class RequirementEvent(DomainEvent, aggregate="organisational_life_requirement"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("organisational_life", "figures")
    subject_field: ClassVar[str] = "kind"

    kind: str
    period: str
    times: int


@dataclass(frozen=True, kw_only=True)
class RequirementSet(RequirementEvent, change="set"):
    pass


@dataclass(frozen=True, kw_only=True)
class CriterionEvent(DomainEvent, aggregate="star_rating_criterion"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("star_rating", "read")

    id: str
    code: str
    name: str
    weight: str
    max_score: str


@dataclass(frozen=True, kw_only=True)
class CriterionDefined(CriterionEvent, change="defined"):
    pass


@dataclass(frozen=True, kw_only=True)
class ThresholdsEvent(DomainEvent, aggregate="star_rating_thresholds"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("star_rating", "read")
    subject_field: ClassVar[str] = "tenant"

    tenant: str
    min_scores: list[str]  # level 1…5


@dataclass(frozen=True, kw_only=True)
class ThresholdsSet(ThresholdsEvent, change="set"):
    pass


@dataclass(frozen=True, kw_only=True)
class RatingEvent(DomainEvent, aggregate="star_rating"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("star_rating", "read")

    id: str
    organization_id: str
    year: int
    total: str
    level: int

    @classmethod
    def of(cls, rating: Rating) -> Self:
        return cls(
            id=str(rating.id),
            organization_id=str(rating.organization_id),
            year=rating.year,
            total=str(rating.total),
            level=rating.level,
        )


@dataclass(frozen=True, kw_only=True)
class OrganizationRated(RatingEvent, change="rated"):
    pass


@dataclass(frozen=True, kw_only=True)
class SiteEvent(DomainEvent, aggregate="demonstration_site"):
    source: ClassVar[str] = "alliance/orglife"
    read_permission: ClassVar[Permission] = ("demonstration_site", "read")
    subject_field: ClassVar[str] = "organization_id"

    organization_id: str
    brand_name: str
    designated_on: str

    @classmethod
    def of(cls, site: DemonstrationSite) -> Self:
        return cls(
            organization_id=str(site.organization_id),
            brand_name=site.brand_name,
            designated_on=site.designated_on.isoformat(),
        )


@dataclass(frozen=True, kw_only=True)
class SiteMarked(SiteEvent, change="marked"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    MemberRegistered,
    MemberUpdated,
    MemberAccountLinked,
    MemberAccountUnlinked,
    MemberPoliticalBirthday,
    TransferRequested,
    TransferApprovedOut,
    TransferReceived,
    TransferAccepted,
    TransferRejected,
    TransferCancelled,
    LifeRecorded,
    RequirementSet,
    CriterionDefined,
    ThresholdsSet,
    OrganizationRated,
    SiteMarked,
)
