"""Resource inputs: list filters, and what the resource, menu and booking mutations take."""

from __future__ import annotations

import datetime as dt

import strawberry

from schema.resources.types import BookingStatus, ResourceKind, ResourceStatus, ResourceVisibility


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


@strawberry.input(description="A weekly opening window (开放时段), local time.")
class OpeningWindowInput:
    weekday: int = strawberry.field(description="ISO weekday, 1 = Monday … 7 = Sunday.")
    start: str = strawberry.field(description='"HH:MM".')
    end: str = strawberry.field(description='"HH:MM", or "24:00" for midnight.')


@strawberry.input(description="A new shared resource, posted as a draft (发布共享资源).")
class CreateResourceInput:
    kind: ResourceKind
    title: str
    description: str | None = None
    owner_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Owning organisation (所属单位); by default the caller's own."
    )
    address: str | None = None
    capacity: int | None = strawberry.field(default=None, description="Most attendees at once (容纳人数).")
    quantity: int | None = strawberry.field(
        default=None, description="Stock; required for a MATERIAL (库存)."
    )
    tags: list[str] | None = None
    photo_urls: list[str] | None = strawberry.field(default=None, description="http(s) URLs (照片).")
    opening_hours: list[OpeningWindowInput] | None = strawberry.field(
        default=None, description="Weekly windows (开放时间); none given means bookable at any time."
    )
    blackout_dates: list[dt.date] | None = strawberry.field(
        default=None, description="Closed dates (不开放日期)."
    )
    visibility: ResourceVisibility = ResourceVisibility.ALLIANCE


@strawberry.input(
    description="Changes to a resource; omitted fields stay, an empty list clears (修改共享资源)."
)
class UpdateResourceInput:
    id: strawberry.ID
    title: str | None = None
    description: str | None = None
    address: str | None = None
    capacity: int | None = None
    quantity: int | None = None
    tags: list[str] | None = None
    photo_urls: list[str] | None = None
    opening_hours: list[OpeningWindowInput] | None = None
    blackout_dates: list[dt.date] | None = None
    visibility: ResourceVisibility | None = None


@strawberry.input(description="A new activity on a base's menu (新增活动菜单项).")
class AddMenuItemInput:
    resource_id: strawberry.ID
    name: str
    duration_minutes: int
    capacity: int | None = None
    description: str | None = None


@strawberry.input(description="Changes to a menu item; omitted fields stay (修改活动菜单项).")
class UpdateMenuItemInput:
    id: strawberry.ID
    name: str | None = None
    duration_minutes: int | None = None
    capacity: int | None = None
    description: str | None = None


@strawberry.input(description="A booking request (预约申请).")
class RequestBookingInput:
    resource_id: strawberry.ID
    start: dt.datetime = strawberry.field(description="ISO-8601 with offset, e.g. 2026-12-04T14:00:00+08:00.")
    end: dt.datetime = strawberry.field(
        description="ISO-8601 with offset; after start, at most 31 days later."
    )
    attendees: int | None = strawberry.field(default=None, description="Number of attendees (参加人数).")
    quantity: int | None = strawberry.field(
        default=None, description="Items, for a MATERIAL (数量); default 1."
    )
    purpose: str | None = strawberry.field(default=None, description="Purpose (用途).")
    menu_item_id: strawberry.ID | None = strawberry.field(
        default=None, description="Activity of a base (活动)."
    )
    batch: str | None = strawberry.field(
        default=None, description="Batch of members coming to a base (批次)."
    )
    requester_org_id: strawberry.ID | None = strawberry.field(
        default=None, description="Requesting organisation; by default the caller's own (申请单位)."
    )
