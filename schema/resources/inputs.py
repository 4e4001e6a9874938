"""Resource inputs: list filters."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.resources.types import BookingStatus, ResourceKind, ResourceStatus


@strawberry.input(description="Filter of the resource list (资源筛选).")
class ResourceFilter:
    kind: ResourceKind | None = None
    owner_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owning organisation (所属单位)."
    )
    tag: str | None = strawberry.field(default=None, description="Carries this tag (标签).")
    search: str | None = strawberry.field(
        default=None, description="Text in the title or description, Chinese included (检索)."
    )
    min_capacity: int | None = strawberry.field(
        default=None, description="Takes at least this many (最少容纳)."
    )
    free_from: dt.datetime | None = strawberry.field(
        default=None, description="Free in a window (空闲时段) from this time: open then and not booked."
    )
    free_to: dt.datetime | None = strawberry.field(
        default=None, description="… to this time (with freeFrom)."
    )
    status: ResourceStatus | None = strawberry.field(
        default=None, description="Only this status; by default drafts you manage and published ones."
    )


@strawberry.input(description="Filter of the booking list (预约筛选).")
class BookingFilter:
    resource_id: strawberry.ID | None = None
    owner_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Bookings of this organisation's resources (收到的预约)."
    )
    requester_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Bookings this organisation asked for (提出的预约)."
    )
    status: BookingStatus | None = None
    overlaps_from: dt.datetime | None = strawberry.field(
        default=None, name="from", description="Window overlaps the period from … (时段起)."
    )
    overlaps_to: dt.datetime | None = strawberry.field(default=None, name="to", description="… to (时段止).")
