"""What the resources services hand back: plain dataclasses, no GraphQL, no SQL."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from services.core.constraints import Collision, Constraints, Invalid
from services.resources.conflicts import count_collision


class ResourceKind(enum.StrEnum):
    VENUE = "VENUE"
    MATERIAL = "MATERIAL"
    BASE = "BASE"
    SERVICE = "SERVICE"
    LECTURER = "LECTURER"
    FUNDING = "FUNDING"


# One booking at a time: the database's exclusion constraint covers these kinds.
EXCLUSIVE_KINDS = frozenset({ResourceKind.VENUE, ResourceKind.BASE, ResourceKind.LECTURER})


class ResourceStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    PUBLISHED = "PUBLISHED"
    ARCHIVED = "ARCHIVED"


class ResourceVisibility(enum.StrEnum):
    ALLIANCE = "ALLIANCE"
    PARTNERS = "PARTNERS"


class BookingStatus(enum.StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    NO_SHOW = "NO_SHOW"


# Statuses that hold the resource (count against the exclusion constraint and the stock).
HELD_STATUSES = frozenset({BookingStatus.APPROVED, BookingStatus.COMPLETED})


class OpeningWindow(NamedTuple):
    """A weekly window, local time: ISO weekday (Monday = 1) and "HH:MM" bounds ("24:00" ends a day).

    A named tuple rather than a frozen dataclass: every resource read makes a handful, and a
    tuple is made several times faster.
    """

    weekday: int
    start: str
    end: str

    def to_json(self) -> dict[str, Any]:
        return {"weekday": self.weekday, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Resource:
    id: uuid.UUID
    tenant_id: uuid.UUID
    owner_org_id: uuid.UUID
    kind: str
    title: str
    description: str
    address: str | None
    capacity: int | None
    quantity: int | None
    tags: list[str]
    photo_urls: list[str]
    opening_hours: list[OpeningWindow]
    blackout_dates: list[dt.date]
    time_zone: str
    status: str
    visibility: str
    published_at: dt.datetime | None
    archived_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class MenuItem:
    id: uuid.UUID
    resource_id: uuid.UUID
    name: str
    duration_minutes: int
    capacity: int | None
    description: str
    removed_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Booking:
    id: uuid.UUID
    tenant_id: uuid.UUID
    resource_id: uuid.UUID
    requester_org_id: uuid.UUID
    requested_by_login: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    attendees: int | None
    quantity: int
    purpose: str | None
    menu_item_id: uuid.UUID | None
    batch: str | None
    status: str
    decision_reason: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Utilization:
    """Use of a resource over a period: held hours (× quantity for materials) against open hours."""

    resource_id: uuid.UUID
    period_from: dt.datetime
    period_to: dt.datetime
    booked_hours: float
    open_hours: float

    @property
    def rate(self) -> float | None:
        return round(self.booked_hours / self.open_hours, 4) if self.open_hours > 0 else None


@dataclass(frozen=True, slots=True)
class VenueUse:
    resource_id: uuid.UUID
    title: str
    kind: str
    booked_hours: float
    open_hours: float

    @property
    def rate(self) -> float | None:
        return round(self.booked_hours / self.open_hours, 4) if self.open_hours > 0 else None


@dataclass(frozen=True, slots=True)
class ResourceFigures:
    """数据化考核 figures for one organisation (or the whole alliance) and one period."""

    organization_id: uuid.UUID | None
    period_from: dt.datetime
    period_to: dt.datetime
    resources_by_kind: dict[str, int]
    bookings_by_status: dict[str, int]
    requests_by_status: dict[str, int]
    venues: list[VenueUse]

    @property
    def booked_hours(self) -> float:
        return round(sum(v.booked_hours for v in self.venues), 2)

    @property
    def open_hours(self) -> float:
        return round(sum(v.open_hours for v in self.venues), 2)

    @property
    def utilization_rate(self) -> float | None:
        total = sum(v.open_hours for v in self.venues)
        return round(sum(v.booked_hours for v in self.venues) / total, 4) if total > 0 else None


_BOOKING_RULE = "the booking breaks a rule: {detail}"
_LOST_RACE = "the change lost a race: {detail}"
# What the resources tables' constraints and triggers mean to a caller (see the migration).
CONSTRAINTS = Constraints(
    {
        "resource_menu_items_name": Invalid("name", "the menu already has an item of that name"),
        "bookings_window": Invalid("end", _BOOKING_RULE),
        "bookings_window_length": Invalid("end", _BOOKING_RULE),
        "bookings_not_in_past": Invalid("start", _BOOKING_RULE),
        "bookings_within_opening_hours": Invalid("start", _BOOKING_RULE),
        "bookings_attendees_within_capacity": Invalid("attendees", _BOOKING_RULE),
        "bookings_quantity_within_stock": Invalid("quantity", _BOOKING_RULE),
        "bookings_resource_published": Invalid("resourceId", _BOOKING_RULE),
        "bookings_no_overlap": Collision("another approved booking of this resource overlaps the window"),
        "bookings_within_stock": Collision(_LOST_RACE),
        "bookings_transition": Collision(_LOST_RACE),
    },
    on_collision=count_collision,
)
