"""The resources domain's event types.

Aggregates: ``resource`` (created, updated, published, archived, menu_changed) and
``booking`` (requested, approved, rejected, cancelled, completed, no_show). A booking's events
are keyed by the booking, so one booking's history stays in order on its topic.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from services.events.types import Audience, DomainEvent, Permission
from services.resources.models import Booking, Resource, ResourceStatus, ResourceVisibility


@dataclass(frozen=True, kw_only=True)
class ResourceEvent(DomainEvent, aggregate="resource"):
    """What followers of a resource see (no photos or hours: they read those by query)."""

    source: ClassVar[str] = "alliance/resources"
    read_permission: ClassVar[Permission] = ("resource", "read")

    id: str
    kind: str
    title: str
    owner_org_id: str
    capacity: int | None
    quantity: int | None
    tags: list[str]
    status: str
    visibility: str

    @classmethod
    def of(cls, resource: Resource, **more: Any) -> Self:
        """The event of ``resource`` now; ``more`` fills a subclass's own fields."""
        return cls(
            id=str(resource.id),
            kind=resource.kind,
            title=resource.title,
            owner_org_id=str(resource.owner_org_id),
            capacity=resource.capacity,
            quantity=resource.quantity,
            tags=list(resource.tags),
            status=resource.status,
            visibility=resource.visibility,
            **more,
        )

    def audience(self) -> Audience:
        """As ``resources`` reads them: partners only published, partner-visible ones;
        drafts only their owner's admins (and those who see every organisation)."""
        return Audience(
            permission=self.read_permission,
            partners=self.status == ResourceStatus.PUBLISHED
            and self.visibility == ResourceVisibility.PARTNERS,
            managers_of=uuid.UUID(self.owner_org_id) if self.status == ResourceStatus.DRAFT else None,
            actor_permission=self.actor_permission,
        )


@dataclass(frozen=True, kw_only=True)
class ResourceCreated(ResourceEvent, change="created"):
    pass


@dataclass(frozen=True, kw_only=True)
class ResourceUpdated(ResourceEvent, change="updated"):
    pass


@dataclass(frozen=True, kw_only=True)
class ResourcePublished(ResourceEvent, change="published"):
    pass


@dataclass(frozen=True, kw_only=True)
class ResourceArchived(ResourceEvent, change="archived"):
    pass


@dataclass(frozen=True, kw_only=True)
class ResourceMenuChanged(ResourceEvent, change="menu_changed"):
    """An item of a base's activity menu was added, updated or removed (audited as the item)."""

    audit_entity: ClassVar[str] = "resource_menu_item"

    menu_item_id: str
    menu_change: str  # add, update, remove
    menu_item_name: str


@dataclass(frozen=True, kw_only=True)
class BookingEvent(DomainEvent, aggregate="booking"):
    """Read by those who may read bookings (not partners)."""

    source: ClassVar[str] = "alliance/resources"
    read_permission: ClassVar[Permission] = ("booking", "read")

    id: str
    resource_id: str
    requester_org_id: str
    start: str
    end: str
    attendees: int | None
    quantity: int
    menu_item_id: str | None
    status: str
    reason: str | None

    @classmethod
    def of(cls, booking: Booking) -> Self:
        return cls(
            id=str(booking.id),
            resource_id=str(booking.resource_id),
            requester_org_id=str(booking.requester_org_id),
            start=booking.starts_at.isoformat(),
            end=booking.ends_at.isoformat(),
            attendees=booking.attendees,
            quantity=booking.quantity,
            menu_item_id=str(booking.menu_item_id) if booking.menu_item_id else None,
            status=booking.status,
            reason=booking.decision_reason,
        )


@dataclass(frozen=True, kw_only=True)
class BookingRequested(BookingEvent, change="requested"):
    pass


@dataclass(frozen=True, kw_only=True)
class BookingApproved(BookingEvent, change="approved"):
    pass


@dataclass(frozen=True, kw_only=True)
class BookingRejected(BookingEvent, change="rejected"):
    pass


@dataclass(frozen=True, kw_only=True)
class BookingCancelled(BookingEvent, change="cancelled"):
    pass


@dataclass(frozen=True, kw_only=True)
class BookingCompleted(BookingEvent, change="completed"):
    pass


@dataclass(frozen=True, kw_only=True)
class BookingNoShow(BookingEvent, change="no_show"):
    pass


EVENTS: tuple[type[DomainEvent], ...] = (
    ResourceCreated,
    ResourceUpdated,
    ResourcePublished,
    ResourceArchived,
    ResourceMenuChanged,
    BookingRequested,
    BookingApproved,
    BookingRejected,
    BookingCancelled,
    BookingCompleted,
    BookingNoShow,
)
